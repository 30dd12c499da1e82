import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// 公告文档 (002 §5, §10, §17–18): the tier office publishes announcements (公告栏), which may be texted
/// to the tier's enterprises, and policy guide entries (政策指南) by category. Everyone of the tier
/// and of the tiers below and above reads them; a withdrawn notice is no longer shown.
extension IntakeWorkflow {
    static let noticesMigration = Migration(version: 29, name: "notices", statements: [
        """
        CREATE TABLE notices (
            id uuid PRIMARY KEY,
            kind text NOT NULL,
            title text NOT NULL,
            body text NOT NULL,
            category text,
            texted boolean NOT NULL,
            published_by text NOT NULL,
            published_by_name text,
            published_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            withdrawn_at timestamptz
        )
        """,
        "CREATE INDEX notices_listed ON notices (kind, published_at DESC) WHERE withdrawn_at IS NULL",
    ])

    struct Notice: Codable, Sendable, ResponseEncodable {
        var id: UUID
        var tenant: TenantID
        var kind: NoticeKind
        var title: String
        var body: String
        var category: PolicyCategory?
        var categoryName: String?
        var texted: Bool
        var publishedBy: String?
        var publishedAt: Date
    }

    /// What a list asks for: one kind, one category, a text in the title or body.
    struct NoticeQuery: Sendable {
        var kind: NoticeKind?
        var category: PolicyCategory?
        var search: String?
    }

    func publishNotice(_ input: NoticeInput, by principal: Principal) async throws -> Notice {
        try principal.require(tier: tier.id, roles: [.office])
        let notice = try input.validated()
        let id = UUID()
        try await runtime.transaction { connection in
            try await connection.execute(
                """
                INSERT INTO notices (id, kind, title, body, category, texted, published_by, published_by_name)
                VALUES (\(id), \(notice.kind.rawValue), \(notice.title), \(notice.body), \(notice.category?.rawValue),
                    \(notice.notifyEnterprises), \(principal.subject), \(principal.name))
                """, logger: logger)
            guard notice.notifyEnterprises else { return }
            try await Outbox.enqueue([
                try .event(EventType.noticePublished, topic: Topics.pairing(tier.id), source: runtime.eventSource, tenant: tier.id,
                    subject: id.uuidString, time: Date(), data: NoticePublishedEvent(tenant: tier.id, noticeID: id, title: notice.title))
            ], on: connection, logger: logger)
        }
        logger.info("Notice published", metadata: ["kind": "\(notice.kind)", "texted": "\(notice.notifyEnterprises)"])
        return Notice(id: id, tenant: tier.id, kind: notice.kind, title: notice.title, body: notice.body, category: notice.category,
            categoryName: notice.category?.chineseName, texted: notice.notifyEnterprises, publishedBy: principal.name, publishedAt: Date())
    }

    /// The tier's notices, newest first, for anyone of the tier, of a tier below it (a county reads its
    /// city's) or above it (a city watches its counties').
    func notices(_ query: NoticeQuery, for principal: Principal) async throws -> [Notice] {
        let tree = rules.tree
        guard tree.isInSubtree(principal.tenant, of: tier.id) || tree.isInSubtree(tier.id, of: principal.tenant) else {
            throw APIError.forbiddenTenant
        }
        let rows = try await runtime.database.query(
            """
            SELECT id, kind, title, body, category, texted, published_by_name, published_at FROM notices
            WHERE withdrawn_at IS NULL AND (\(query.kind?.rawValue)::text IS NULL OR kind = \(query.kind?.rawValue))
                AND (\(query.category?.rawValue)::text IS NULL OR category = \(query.category?.rawValue))
                AND (\(query.search)::text IS NULL OR strpos(title, \(query.search)) > 0 OR strpos(body, \(query.search)) > 0)
            ORDER BY published_at DESC LIMIT 200
            """)
        var notices: [Notice] = []
        for (id, kind, title, body, category, texted, by, at) in try rows.decode((UUID, String, String, String, String?, Bool, String?, Date).self) {
            guard let kind = NoticeKind(rawValue: kind) else { continue }
            let category = category.flatMap(PolicyCategory.init(rawValue:))
            notices.append(Notice(id: id, tenant: tier.id, kind: kind, title: title, body: body, category: category,
                categoryName: category?.chineseName, texted: texted, publishedBy: by, publishedAt: at))
        }
        return notices
    }

    /// The office takes a notice down; it stays on record.
    func withdrawNotice(_ id: UUID, by principal: Principal) async throws {
        try principal.require(tier: tier.id, roles: [.office])
        let rows = try await runtime.database.query(
            "UPDATE notices SET withdrawn_at = clock_timestamp() WHERE id = \(id) AND withdrawn_at IS NULL RETURNING id")
        guard !rows.isEmpty else { throw APIError.notFound("公告") }
        logger.info("Notice withdrawn", metadata: ["notice": "\(id)"])
    }
}
