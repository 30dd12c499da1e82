import DemandDomain
import DemandStore
import Foundation
import InputValidation
import Logging
import PostgresNIO
import PostgresStorage
import Tenancy

/// 并单: finds the open demands of the same enterprise whose text is like a demand's, with
/// Postgres's trigram similarity (`pg_trgm`), for the dispatcher to merge.
struct DuplicateSearch: Sendable {
    /// Below this trigram similarity two difficulties (主要困难和问题) are not shown as likely
    /// duplicates: unrelated ones of one enterprise score under 0.1, a paraphrase of one matter about
    /// 0.2 and more. The help wanted is left out: its stock phrases (请协调解决) make unrelated demands alike.
    static let minimumSimilarity = 0.15
    static let limit = 10

    let logger: Logger

    /// The extension lives in `public`, which every tier's schema can reach; tiers' dispatch services
    /// migrate their schemas at the same time, so one at a time creates it.
    static func migration(version: Int) -> Migration {
        Migration(version: version, name: "trigram similarity", statements: [
            "SELECT pg_advisory_xact_lock(hashtext('create extension pg_trgm'))",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
        ])
    }

    /// A demand that may repeat the one the dispatcher is looking at.
    struct Candidate: Codable, Sendable, Hashable {
        var id: UUID
        var registrationNumber: String?
        var state: DemandState
        var stateName: String
        /// 主要困难和问题 as the enterprise wrote it last.
        var difficulty: String
        var createdAt: Date
        /// Trigram similarity of the two difficulties, 0 to 1.
        var similarity: Double
    }

    /// Open demands of `demand`'s enterprise at its tier, except itself, most alike first.
    func candidates(for demand: Demand, on connection: PostgresConnection) async throws -> [Candidate] {
        guard let content = demand.status.content, let enterpriseID = demand.status.enterprise?.id else { return [] }
        let joinable = DemandState.allCases.filter(\.acceptsMergedDuplicates).map(\.rawValue)
        // The latest content in each history: a submission, an edit, a resubmission or an escalation's receipt.
        let rows = try await connection.query(
            """
            SELECT d.id, d.registration_number, d.state, d.created_at, latest.difficulty,
                public.similarity(latest.difficulty, \(content.difficulty))::float8 AS score
            FROM demands d CROSS JOIN LATERAL (
                SELECT h.t->'action'->'payload'->'content'->>'difficulty' AS difficulty
                FROM jsonb_array_elements(d.history) WITH ORDINALITY AS h(t, position)
                WHERE h.t->'action'->'payload'->'content' IS NOT NULL
                ORDER BY h.position DESC LIMIT 1
            ) AS latest
            WHERE d.tenant = \(demand.tenant.rawValue) AND d.enterprise_id = \(enterpriseID) AND d.id <> \(demand.id)
                AND d.state = ANY(\(joinable))
            ORDER BY score DESC, d.created_at DESC
            LIMIT \(Self.limit)
            """, logger: logger)
        var candidates: [Candidate] = []
        for try await (id, number, state, createdAt, difficulty, score) in rows.decode((UUID, String?, String, Date, String, Double).self) {
            guard score >= Self.minimumSimilarity, let state = DemandState(rawValue: state) else { continue }
            candidates.append(Candidate(id: id, registrationNumber: number, state: state, stateName: state.chineseName,
                difficulty: difficulty, createdAt: createdAt, similarity: (score * 100).rounded() / 100))
        }
        return candidates
    }
}
