import DemandDomain
import Foundation
import Hummingbird
import InputValidation
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// Demands received and closed in each of a run of months, for a tier or a city's subtree (each
/// demand once, where it entered the subtree): the dashboard's trend chart, in one request and two
/// or three queries however many months it shows.
struct MonthlyTrend: Codable, Sendable, ResponseEncodable {
    struct Month: Codable, Sendable {
        var month: CalendarMonth
        var label: String
        var received: Int
        var closed: Int
    }

    var months: [Month]

    /// The most months one request may ask for.
    static let monthLimit = 36
}

extension FiguresQuery {
    func trend(tenants: [TenantID], months: ClosedRange<CalendarMonth>, on connection: PostgresConnection) async throws
        -> MonthlyTrend
    {
        let from = months.lowerBound.firstDay
        let until = months.upperBound.lastDay.adding(days: 1)
        var counts: [String: [String: Int]] = [:]
        let rows = try await connection.query(
            """
            SELECT to_char(month, 'YYYY-MM'), metric, sum(value)::bigint FROM monthly_counts
            WHERE dimension = 'tier' AND tenant = ANY(\(tenants.map(\.rawValue))) AND dimension_key = tenant
                AND month >= \(from.description)::date AND month < \(until.description)::date AND metric IN ('received', 'closed')
            GROUP BY 1, 2
            """, logger: logger)
        for try await (month, metric, value) in rows.decode((String, String, Int64).self) {
            counts[month, default: [:]][metric, default: 0] += Int(value)
        }
        // As in a subtree's total: the copies of demands escalated inside it are counted at their origin.
        if tenants.count > 1 {
            for (metric, column) in [("received", "received_at"), ("closed", "closed_at")] {
                let copies = try await connection.query(
                    """
                    SELECT to_char(timezone('UTC', \(unescaped: column)) + interval '8 hours', 'YYYY-MM'), count(*)::bigint
                    FROM demand_facts
                    WHERE tenant = ANY(\(tenants.map(\.rawValue))) AND origin_tenant IS NOT NULL
                        AND origin_tenant = ANY(\(tenants.map(\.rawValue)))
                        AND \(unescaped: column) >= \(from.startInstant) AND \(unescaped: column) < \(until.startInstant)
                    GROUP BY 1
                    """, logger: logger)
                for try await (month, count) in copies.decode((String, Int64).self) {
                    counts[month, default: [:]][metric, default: 0] -= Int(count)
                }
            }
        }
        var result: [MonthlyTrend.Month] = []
        var month = months.lowerBound
        while month <= months.upperBound {
            let counted = counts[month.description] ?? [:]
            result.append(.init(month: month, label: month.chineseText, received: counted["received"] ?? 0,
                closed: counted["closed"] ?? 0))
            month = month.adding(months: 1)
        }
        return MonthlyTrend(months: result)
    }
}

extension ReportingWorkflow {
    /// `GET /figures/months?from=2026-06&to=2026-11`: both months included.
    func trend(for principal: Principal, parameters: Parameters) async throws -> MonthlyTrend {
        let tenants = try tiers(for: principal, requested: parameters.get("tier"))
        guard let from = parameters.get("from").flatMap(CalendarMonth.init), let to = parameters.get("to").flatMap(CalendarMonth.init),
            from <= to, Self.periodYears.contains(from.year), Self.periodYears.contains(to.year)
        else {
            throw APIError.badRequest(code: "INVALID_PERIOD", message: "请以YYYY-MM格式给出起止月份（from不晚于to）")
        }
        guard (to.year - from.year) * 12 + to.month - from.month < MonthlyTrend.monthLimit else {
            throw APIError.badRequest(code: "INVALID_PERIOD", message: "一次最多查询\(MonthlyTrend.monthLimit)个月")
        }
        return try await runtime.database.withConnection { connection in
            try await query.trend(tenants: tenants, months: from...to, on: connection)
        }
    }
}
