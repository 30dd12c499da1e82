import DemandDomain
import Foundation
import Hummingbird
import InputValidation
import Logging
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

extension BriefingRecipients: ResponseEncodable {}

/// The office keeps the list of the tier's leaders and issues each month's bulletin to them once
/// (003 art. 19: 每月通报): the bulletin names them, and each is texted its headline figures.
struct BriefingDistribution: Sendable {
    let reporting: ReportingWorkflow

    var logger: Logger { reporting.runtime.logger }

    /// The office and the inspector read their own tier's list; only the office changes it.
    private func tier(of principal: Principal, changing: Bool) throws -> TenantID {
        let allowed: Set<Role> = changing ? [.office] : [.office, .inspector]
        guard allowed.contains(principal.role) else { throw APIError.forbiddenRole(principal.role) }
        return principal.tenant
    }

    func recipients(for principal: Principal) async throws -> BriefingRecipients {
        let tier = try tier(of: principal, changing: false)
        return try await reporting.runtime.database.withConnection { connection in
            BriefingRecipients(tier: tier, recipients: try await recipients(of: tier, on: connection),
                issued: try await issues(of: tier, on: connection))
        }
    }

    func setRecipients(_ input: BriefingRecipientsInput, by principal: Principal) async throws -> BriefingRecipients {
        let tier = try tier(of: principal, changing: true)
        let list: [BriefingRecipient]
        do { list = try input.validated() } catch { throw APIError(error) }
        let body = String(decoding: try JSONEncoder().encode(list), as: UTF8.self)
        try await reporting.runtime.database.withConnection { connection in
            try await connection.execute(
                """
                INSERT INTO briefing_recipients (tenant, recipients, updated_by) VALUES (\(tier.rawValue), \(body)::jsonb, \(principal.subject))
                ON CONFLICT (tenant) DO UPDATE SET recipients = EXCLUDED.recipients, updated_by = EXCLUDED.updated_by,
                    updated_at = clock_timestamp()
                """, logger: logger)
        }
        logger.info("Briefing recipients set", metadata: ["tier": "\(tier)", "count": "\(list.count)"])
        return try await recipients(for: principal)
    }

    /// Issues the month's bulletin: once per month, to a list that is not empty, for a month that has begun.
    func issue(month: CalendarMonth, by principal: Principal, today: CivilDate = CivilDate(Date())) async throws -> BriefingRecipients {
        let tier = try tier(of: principal, changing: true)
        guard month <= CalendarMonth(today) else {
            throw APIError.badRequest(code: "PERIOD_NOT_STARTED", message: "\(month.chineseText)尚未开始，不能印发通报")
        }
        let report = try await reporting.query.report(tenants: reporting.tree.subtree(of: tier), from: month.firstDay,
            to: month.lastDay, label: month.chineseText, enterprises: [:], database: reporting.runtime.database)
        guard let headline = report.total ?? report.tiers.first else { throw APIError.forbiddenTenant }
        try await reporting.runtime.transaction { connection in
            let leaders = try await recipients(of: tier, on: connection)
            guard !leaders.isEmpty else {
                throw APIError.conflict(code: "NO_BRIEFING_RECIPIENTS", message: "请先设置通报报送对象")
            }
            let inserted = try await connection.query(
                """
                INSERT INTO briefing_issues (tenant, month, issued_by, recipients)
                VALUES (\(tier.rawValue), \(month.description), \(principal.name ?? principal.subject), \(leaders.count))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            guard try await inserted.collect().count == 1 else {
                throw APIError.conflict(code: "BRIEFING_ALREADY_ISSUED", message: "\(month.chineseText)的通报已经印发，不再重复发送")
            }
            let event = BriefingIssuedEvent(tenant: tier, month: month, recipients: leaders, received: headline.received,
                closed: headline.closed, completionRate: headline.completionRate.printed,
                satisfactionRate: headline.satisfactionRate.printed, overdueNow: headline.overdueNow)
            try await Outbox.enqueue([
                try .event(EventType.briefingIssued, topic: Topics.reports(tier), source: reporting.runtime.eventSource, tenant: tier,
                    subject: month.description, time: Date(), data: event)
            ], on: connection, logger: logger)
        }
        logger.info("Briefing issued", metadata: ["tier": "\(tier)", "month": "\(month)"])
        return try await recipients(for: principal)
    }

    func recipients(of tier: TenantID) async throws -> [BriefingRecipient] {
        try await reporting.runtime.database.withConnection { try await recipients(of: tier, on: $0) }
    }

    func recipients(of tier: TenantID, on connection: PostgresConnection) async throws -> [BriefingRecipient] {
        let rows = try await connection.query("SELECT recipients::text FROM briefing_recipients WHERE tenant = \(tier.rawValue)",
            logger: logger)
        for try await body in rows.decode(String.self) {
            return try JSONDecoder().decode([BriefingRecipient].self, from: Data(body.utf8))
        }
        return []
    }

    private func issues(of tier: TenantID, on connection: PostgresConnection) async throws -> [BriefingRecipients.Issue] {
        let rows = try await connection.query(
            """
            SELECT month, issued_at, issued_by, recipients FROM briefing_issues WHERE tenant = \(tier.rawValue)
            ORDER BY month DESC LIMIT 24
            """, logger: logger)
        var result: [BriefingRecipients.Issue] = []
        for try await (month, at, by, count) in rows.decode((String, Date, String, Int).self) {
            guard let month = CalendarMonth(month) else { continue }
            result.append(.init(month: month, issuedAt: at, issuedBy: by, recipients: count))
        }
        return result
    }
}
