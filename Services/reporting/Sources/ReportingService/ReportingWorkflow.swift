import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Logging
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// The reporting questions people ask: figures of a tier (and, for a city, its counties side by
/// side), of its units, lists of overdue and unsatisfied demands, exports and the monthly briefing.
struct ReportingWorkflow: Sendable {
    let runtime: PlatformRuntime
    let rules: TierRules
    let readModel: ReadModel
    let query: FiguresQuery
    let directory: DirectoryStore

    init(runtime: PlatformRuntime, rules: TierRules) {
        self.runtime = runtime
        self.rules = rules
        self.readModel = ReadModel(logger: runtime.logger)
        self.query = FiguresQuery(logger: runtime.logger, tree: runtime.settings.tenants)
        self.directory = DirectoryStore(logger: runtime.logger)
    }

    var tree: TenantTree { runtime.settings.tenants }

    // MARK: Periods

    struct Period {
        var from: CivilDate
        var to: CivilDate
        var label: String

        init(from: CivilDate, to: CivilDate, label: String) {
            self.from = from
            self.to = to
            self.label = label
        }

        init(_ month: CalendarMonth) {
            self.init(from: month.firstDay, to: month.lastDay, label: month.chineseText)
        }
    }

    /// The years a period may fall in: the platform's own era. Rankings also read the period before
    /// and the year before, so a far-off year would reach dates Postgres and the calendar do not keep.
    static let periodYears = 2000...2099

    /// `month=2026-11`, `quarter=2026-Q4`, `half=2026-H2`, `year=2026`, or `from=…&to=…` (inclusive);
    /// the current month by default; always within ``periodYears``.
    static func period(_ query: Parameters, now: Date = Date()) throws -> Period {
        let period = try requestedPeriod(query, now: now)
        guard periodYears.contains(period.from.year), periodYears.contains(period.to.year) else {
            throw APIError.badRequest(code: "INVALID_PERIOD",
                message: "统计期间须在\(periodYears.lowerBound)年至\(periodYears.upperBound)年之间")
        }
        return period
    }

    private static func requestedPeriod(_ query: Parameters, now: Date) throws -> Period {
        func bad(_ name: String) -> APIError {
            APIError.badRequest(code: "INVALID_PERIOD", message: "统计期间参数\(name)不正确")
        }
        if let from = query.get("from") {
            guard let start = CivilDate(from), let end = query.get("to").flatMap(CivilDate.init), start <= end else { throw bad("from/to") }
            return Period(from: start, to: end, label: "\(start)至\(end)")
        }
        if let text = query.get("month") {
            guard let month = CalendarMonth(text) else { throw bad("month") }
            return Period(month)
        }
        if let text = query.get("quarter") {
            guard let quarter = CalendarQuarter(text) else { throw bad("quarter") }
            return Period(from: quarter.firstDay, to: quarter.lastDay,
                label: "\(quarter.year)年第\(quarter.quarter)季度")
        }
        if let half = query.get("half") {
            let parts = half.split(separator: "-H")
            guard parts.count == 2, let year = Int(parts[0]), let index = Int(parts[1]), (1...2).contains(index),
                let start = CivilDate(year: year, month: index == 1 ? 1 : 7, day: 1)
            else { throw bad("half") }
            return Period(from: start, to: start.adding(months: 6).adding(days: -1), label: "\(year)年\(index == 1 ? "上" : "下")半年")
        }
        if let yearText = query.get("year") {
            guard let year = Int(yearText), let start = CivilDate(year: year, month: 1, day: 1) else { throw bad("year") }
            return Period(from: start, to: start.adding(months: 12).adding(days: -1), label: "\(year)年")
        }
        return Period(CalendarMonth(CivilDate(now)))
    }

    // MARK: Access

    /// The tiers whose figures a request may show: a city office or inspector sees its tier and every
    /// tier below it; a dispatcher or county admin only its own tier.
    func tiers(for principal: Principal, requested: String?) throws -> [TenantID] {
        try Self.tiers(for: principal, requested: requested, tree: tree)
    }

    static func tiers(for principal: Principal, requested: String?, tree: TenantTree) throws -> [TenantID] {
        let tier: TenantID
        if let requested {
            guard let id = TenantID(validating: requested), tree.contains(id) else { throw APIError.unknownTenant(requested) }
            tier = id
        } else {
            tier = principal.tenant
        }
        switch principal.role {
        case .office, .inspector:
            guard tree.isInSubtree(tier, of: principal.tenant) else { throw APIError.forbiddenTenant }
            return tree.subtree(of: tier)
        case .dispatcher, .countyAdmin:
            guard tier == principal.tenant else { throw APIError.forbiddenTenant }
            return [tier]
        case .enterprise, .cadre, .unitAdmin, .system:
            throw APIError.forbiddenRole(principal.role)
        }
    }

    // MARK: Figures

    func figures(for principal: Principal, parameters: Parameters) async throws -> FiguresReport {
        let tenants = try tiers(for: principal, requested: parameters.get("tier"))
        let period = try Self.period(parameters)
        let enterprises = try await runtime.database.withConnection { try await enterpriseCounts(on: $0) }
        return try await query.report(tenants: tenants, from: period.from, to: period.to, label: period.label,
            enterprises: enterprises, database: runtime.database)
    }

    private func enterpriseCounts(on connection: PostgresConnection) async throws -> [TenantID: Int] {
        let rows = try await connection.query(
            "SELECT tenant, count(*)::bigint FROM directory WHERE kind = 'enterprise' GROUP BY tenant", logger: runtime.logger)
        var result: [TenantID: Int] = [:]
        for try await (tenant, count) in rows.decode((String, Int64).self) { result[TenantID(rawValue: tenant)] = Int(count) }
        return result
    }

    /// One row per handling unit of a tier, or only the caller's unit for a unit admin.
    func unitFigures(for principal: Principal, parameters: Parameters) async throws -> [Figures] {
        try await unitFigures(for: principal, tier: parameters.get("tier"), period: try Self.period(parameters))
    }

    func unitFigures(for principal: Principal, tier requested: String?, period: Period, countingOverdue: Bool = true) async throws
        -> [Figures]
    {
        var units: [DirectoryUnit]
        let tenants: [TenantID]
        if principal.role == .unitAdmin {
            let unitID = try principal.ownUnit()
            tenants = tree.tenants.map(\.id)
            units = try await runtime.database.withConnection { connection in
                try await directory.unit(unitID, on: connection).map { [$0] } ?? []
            }
            if units.isEmpty { units = [DirectoryUnit(id: unitID, tenant: principal.tenant, name: unitID)] }
        } else {
            tenants = try tiers(for: principal, requested: requested)
            let tier = tenants[0]
            units = try await runtime.database.withConnection { connection in
                try await directory.units(tenant: tier, on: connection)
            }
        }
        let scopes = units.map { FiguresQuery.Scope(key: $0.id, name: $0.name) }
        return try await runtime.database.withConnection { connection in
            try await query.figures(of: .unit, scopes: scopes, tenants: tenants, from: period.from, to: period.to,
                countingOverdue: countingOverdue, on: connection)
        }
    }

    /// One row per active cadre: a cadre sees their own, a unit admin their unit's, an office,
    /// inspector, dispatcher or county admin a tier's (`unit=` narrows it to one unit). Counted
    /// in the cadre's tier: what their paired enterprises raised, what they reviewed and escalated,
    /// how it was answered, rated and closed.
    func cadreFigures(for principal: Principal, parameters: Parameters) async throws -> [Figures] {
        let period = try Self.period(parameters)
        let (tier, unitID): (TenantID, String?)
        switch principal.role {
        case .cadre:
            tier = principal.tenant
            unitID = nil
        case .unitAdmin:
            (tier, unitID) = (principal.tenant, try principal.ownUnit())
        default:
            tier = try tiers(for: principal, requested: parameters.get("tier"))[0]
            unitID = try parameters.unitID().flatMap { $0.isEmpty ? nil : $0 }
        }
        return try await runtime.database.withConnection { connection in
            var cadres = try await directory.people(roles: [.cadre], tenant: tier, unitIDs: unitID.map { [$0] }, on: connection)
            if principal.role == .cadre { cadres = cadres.filter { $0.id == principal.subject } }
            let paired = try await pairedEnterpriseCounts(tier: tier, on: connection)
            var unitNames: [String: String] = [:]
            for unit in try await directory.units(tenant: tier, on: connection) {
                unitNames[unit.id] = unit.name
            }
            let scopes = cadres.map { cadre in
                FiguresQuery.Scope(key: cadre.id, name: cadre.name, enterprises: paired[cadre.id] ?? 0,
                    unit: cadre.unitID.map { unitNames[$0] ?? $0 })
            }
            return try await query.figures(of: .cadre, scopes: scopes, tenants: [tier], from: period.from, to: period.to,
                on: connection)
        }
    }

    /// Active enterprises of a tier per paired cadre.
    private func pairedEnterpriseCounts(tier: TenantID, on connection: PostgresConnection) async throws -> [String: Int] {
        let rows = try await connection.query(
            """
            SELECT body->'enterprise'->>'pairedCadreID', count(*)::bigint FROM directory
            WHERE kind = 'enterprise' AND tenant = \(tier.rawValue) AND body->'enterprise'->>'pairedCadreID' IS NOT NULL
                AND coalesce((body->'enterprise'->>'active')::boolean, true)
            GROUP BY 1
            """, logger: runtime.logger)
        var result: [String: Int] = [:]
        for try await (cadre, count) in rows.decode((String, Int64).self) { result[cadre] = Int(count) }
        return result
    }

    // MARK: Lists

    struct OverdueItem: Codable, Sendable {
        var demandID: UUID
        var tenant: String
        var registrationNumber: String?
        var enterprise: String?
        var leadUnit: String?
        var step: String?
        var dueAt: Date
        var overdueWorkingDays: Int?
    }

    func overdue(for principal: Principal, parameters: Parameters) async throws -> [OverdueItem] {
        let tenants = try tiers(for: principal, requested: parameters.get("tier"))
        let rows = try await runtime.database.query(
            """
            SELECT demand_id, tenant, registration_number, enterprise_name, lead_unit_name, open_step, open_due_at FROM demand_facts
            WHERE tenant = ANY(\(tenants.map(\.rawValue))) AND open_due_at IS NOT NULL AND state NOT IN ('closed', 'escalated')
                AND open_due_at < now()
            ORDER BY open_due_at LIMIT 1000
            """)
        var items: [OverdueItem] = []
        let now = Date()
        for (id, tenant, number, enterprise, unit, step, due) in try rows.decode(
            (UUID, String, String?, String?, String?, String?, Date).self)
        {
            let calendar = rules.calendars.calendar(for: TenantID(rawValue: tenant))
            let late = (try? calendar.workingDays(from: due, to: now)).map { max(1, Int($0.rounded(.up))) }
            items.append(OverdueItem(demandID: id, tenant: tenant, registrationNumber: number, enterprise: enterprise, leadUnit: unit,
                step: step.flatMap(DemandStep.init(rawValue:))?.chineseName, dueAt: due, overdueWorkingDays: late))
        }
        return items
    }

    struct UnsatisfiedItem: Codable, Sendable {
        var demandID: UUID
        var tenant: String
        var registrationNumber: String?
        var enterprise: String?
        var leadUnit: String?
        var comment: String?
        var ratedAt: Date
    }

    func unsatisfied(for principal: Principal, parameters: Parameters) async throws -> [UnsatisfiedItem] {
        let tenants = try tiers(for: principal, requested: parameters.get("tier"))
        let period = try Self.period(parameters)
        let rows = try await runtime.database.query(
            """
            SELECT r.demand_id, r.tenant, f.registration_number, f.enterprise_name, f.lead_unit_name, r.comment, r.rated_at
            FROM ratings r LEFT JOIN demand_facts f ON f.demand_id = r.demand_id
            WHERE r.tenant = ANY(\(tenants.map(\.rawValue))) AND NOT r.satisfied AND r.rated_at >= \(period.from.startInstant)
                AND r.rated_at < \(period.to.adding(days: 1).startInstant)
            ORDER BY r.rated_at LIMIT 1000
            """)
        var items: [UnsatisfiedItem] = []
        for (id, tenant, number, enterprise, unit, comment, ratedAt) in try rows.decode(
            (UUID, String, String?, String?, String?, String?, Date).self)
        {
            items.append(UnsatisfiedItem(demandID: id, tenant: tenant, registrationNumber: number, enterprise: enterprise,
                leadUnit: unit, comment: comment, ratedAt: ratedAt))
        }
        return items
    }
}

extension FiguresReport: ResponseEncodable {}
extension Figures: ResponseEncodable {}
extension ReportingWorkflow.OverdueItem: ResponseEncodable {}
extension ReportingWorkflow.UnsatisfiedItem: ResponseEncodable {}
extension UnitRanking: ResponseEncodable {}
extension AnnualEvaluation: ResponseEncodable {}
extension ReturnsTracker: ResponseEncodable {}
extension ReturnSheet: ResponseEncodable {}
