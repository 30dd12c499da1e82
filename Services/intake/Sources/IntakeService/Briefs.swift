import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// 简报投稿 (002 §5, §19): cadres and enterprises submit briefs; the office accepts or rejects each
/// with the reason. Accepted briefs are published to the tier, and a cadre's counts for the unit
/// they work in (002 §5: 计入包联干部工作单位考核统计).
extension IntakeWorkflow {
    static let briefsMigration = Migration(version: 30, name: "briefs", statements: [
        """
        CREATE TABLE briefs (
            id uuid PRIMARY KEY,
            title text NOT NULL,
            body text NOT NULL,
            submitted_by text NOT NULL,
            submitter_name text,
            submitter_role text NOT NULL,
            unit_id text,
            submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            state text NOT NULL DEFAULT 'pending',
            decided_by_name text,
            decided_at timestamptz,
            reason text
        )
        """,
        "CREATE INDEX briefs_by_state ON briefs (state, submitted_at DESC)",
    ])

    struct Brief: Codable, Sendable, ResponseEncodable {
        var id: UUID
        var title: String
        var body: String
        var submittedBy: String
        var submitterName: String?
        var submitterRole: Role
        /// A cadre's unit, which the brief counts for once accepted.
        var unitID: String?
        var unitName: String?
        var submittedAt: Date
        var state: BriefState
        var stateName: String
        var decidedBy: String?
        var decidedAt: Date?
        var reason: String?
    }

    func submitBrief(_ input: BriefInput, by principal: Principal) async throws -> Brief {
        try principal.require(tier: tier.id, roles: [.cadre, .enterprise])
        let (title, body) = try input.validated()
        let id = UUID()
        return try await runtime.transaction { connection in
            let unitID = principal.role == .cadre ? try await directory.person(principal.subject, on: connection)?.unitID : nil
            try await connection.execute(
                """
                INSERT INTO briefs (id, title, body, submitted_by, submitter_name, submitter_role, unit_id)
                VALUES (\(id), \(title), \(body), \(principal.subject), \(principal.name), \(principal.role.rawValue), \(unitID))
                """, logger: logger)
            guard let brief = try await briefs(BriefReader(id: id), on: connection).first else {
                throw APIError.notFound("简报")
            }
            return brief
        }
    }

    /// The office and the inspector: every brief of the tier (`state` narrows it); a cadre or an
    /// enterprise: their own and the accepted ones; anyone else of the tier: the accepted ones.
    func briefs(state: BriefState?, for principal: Principal) async throws -> [Brief] {
        try principal.require(tier: tier.id)
        let reader = BriefReader(seesAll: principal.role == .office || principal.role == .inspector,
            author: principal.role == .cadre || principal.role == .enterprise ? principal.subject : nil, state: state)
        return try await runtime.database.withConnection { connection in
            try await briefs(reader, on: connection)
        }
    }

    func decideBrief(_ id: UUID, _ decision: BriefDecision, by principal: Principal) async throws -> Brief {
        try principal.require(tier: tier.id, roles: [.office])
        let reason = try decision.validated()
        return try await runtime.transaction { connection in
            let rows = try await connection.query(
                """
                UPDATE briefs SET state = \(decision.accept ? "accepted" : "rejected"), decided_by_name = \(principal.name),
                    decided_at = clock_timestamp(), reason = \(reason)
                WHERE id = \(id) AND state = 'pending' RETURNING id
                """, logger: logger)
            var decided = false
            for try await _ in rows.decode(UUID.self) { decided = true }
            guard let brief = try await briefs(BriefReader(id: id), on: connection).first else {
                throw APIError.notFound("简报")
            }
            guard decided else { throw APIError.conflict(code: "ALREADY_DECIDED", message: "该简报已审核") }
            return brief
        }
    }

    /// How many briefs each author had accepted in the quarter, by their subject.
    func acceptedBriefs(in quarter: CalendarQuarter, on connection: PostgresConnection) async throws -> [String: Int] {
        let months = quarter.months
        let from = CivilDate(year: months[0].year, month: months[0].month, day: 1)!.startInstant
        let next = months[2].adding(months: 1)
        let until = CivilDate(year: next.year, month: next.month, day: 1)!.startInstant
        let rows = try await connection.query(
            """
            SELECT submitted_by, count(*)::int FROM briefs
            WHERE state = 'accepted' AND decided_at >= \(from) AND decided_at < \(until) GROUP BY submitted_by
            """, logger: logger)
        var counts: [String: Int] = [:]
        for try await (author, count) in rows.decode((String, Int).self) { counts[author] = count }
        return counts
    }

    /// Which briefs a query reads: one by id, or those a reader may see.
    struct BriefReader {
        var id: UUID?
        var seesAll = true
        var author: String?
        var state: BriefState?
    }

    private func briefs(_ reader: BriefReader, on connection: PostgresConnection) async throws -> [Brief] {
        let rows = try await connection.query(
            """
            SELECT b.id, b.title, b.body, b.submitted_by, b.submitter_name, b.submitter_role, b.unit_id, u.body->'unit'->>'name',
                b.submitted_at, b.state, b.decided_by_name, b.decided_at, b.reason
            FROM briefs b LEFT JOIN directory u ON u.key = 'unit:' || b.unit_id
            WHERE (\(reader.id)::uuid IS NULL OR b.id = \(reader.id))
                AND (\(reader.seesAll) OR b.state = 'accepted' OR b.submitted_by = \(reader.author))
                AND (\(reader.state?.rawValue)::text IS NULL OR b.state = \(reader.state?.rawValue))
            ORDER BY b.submitted_at DESC LIMIT 500
            """, logger: logger)
        var briefs: [Brief] = []
        for try await (id, title, body, by, name, role, unitID, unitName, at, state, decidedBy, decidedAt, reason)
            in rows.decode((UUID, String, String, String, String?, String, String?, String?, Date, String, String?, Date?, String?).self)
        {
            guard let role = Role(rawValue: role), let state = BriefState(rawValue: state) else { continue }
            briefs.append(Brief(id: id, title: title, body: body, submittedBy: by, submitterName: name, submitterRole: role,
                unitID: unitID, unitName: unitName, submittedAt: at, state: state, stateName: state.chineseName, decidedBy: decidedBy,
                decidedAt: decidedAt, reason: reason))
        }
        return briefs
    }
}
