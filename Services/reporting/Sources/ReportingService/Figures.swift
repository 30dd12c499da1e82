import DemandDomain
import DemandStore
import Foundation
import InputValidation
import Logging
import OfficeDocuments
import PlatformEvents
import PostgresNIO
import PostgresStorage
import Tenancy

/// A share, with what it is a share of.
public struct Rate: Codable, Sendable, Hashable {
    public var numerator: Int
    public var denominator: Int
    /// numerator / denominator, or nil when the denominator is 0.
    public var value: Double?

    public init(_ numerator: Int, of denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
        self.value = denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }

    /// As people read it: `87.5%`, or `—` with nothing to count.
    public var printed: String { value.map(ReportTable.Cell.percentText) ?? "—" }
}

/// How one timed step went in the period.
public struct StepFigures: Codable, Sendable, Hashable {
    /// Steps completed in the period.
    public var completed: Int
    public var onTime: Int
    /// onTime / completed.
    public var onTimeRate: Rate
    /// Working days from the step's start to its completion (0.1-day resolution).
    public var averageWorkingDays: Double?
    public var p90WorkingDays: Double?
}

/// The figures of one tier (or unit, or cadre, or a subtree's total) over a period.
public struct Figures: Codable, Sendable, Hashable {
    public var scope: String
    public var name: String
    /// Demands registered in the period (submitted, or received from a lower tier).
    public var received: Int
    /// Of those, received by escalation from a lower tier (counted there too).
    public var escalatedIn: Int
    /// Of those, consultations (咨询类, 003 art. 10), answered by a department on their own clock.
    public var consultations: Int
    /// Demands this tier escalated to its parent in the period.
    public var escalated: Int
    public var steps: [String: StepFigures]
    /// Results submitted in the period, by class A, B, C.
    public var results: [String: Int]
    public var returned: Int
    public var extended: Int
    public var urged: Int
    /// The office's supervision ladder in the period, by step: `flagged` (挂牌督办),
    /// `answerSupervised` (an answer sent back for another), `weekly` and `callBack` (follow-ups),
    /// `interview` (约谈), `jointMeeting` (集中会办), `leadershipMeeting` (党委政府调度会办) and `completionReported` (a class-B plan carried out).
    public var supervision: [String: Int]
    public var closed: Int
    public var satisfied: Int
    public var unsatisfied: Int
    /// Demands closed in the period because no rating came in time (未评价).
    public var unrated: Int
    /// satisfied / (satisfied + unsatisfied), ratings given in the period; where the tier's
    /// procedure counts an unrated closure as satisfied, those closures are in both.
    public var satisfactionRate: Rate
    /// Of the demands received in the period and neither refused nor merged, those closed by now.
    public var completionRate: Rate
    /// Demands the office refused in the period as outside what the platform handles (不予受理).
    public var refused: Int
    /// Demands merged in the period into another of the same enterprise (并单), handled as that one.
    public var merged: Int
    /// 接收问题及时率: signings in time / signings in the period.
    public var onTimeReceiptRate: Rate
    /// Open demands past a deadline now (not limited to the period).
    public var overdueNow: Int
    public var byCategory: [String: Int]
    public var byIndustryGroup: [String: Int]
    /// Enterprises in the tier's directory (a cadre's: those paired with them), and Jinzai's
    /// measure: demands received per enterprise.
    public var enterprises: Int?
    public var demandsPerEnterprise: Double?
    /// For a cadre: the unit they work in.
    public var unit: String?
}

/// Figures for a tier and, for a city, each tier below it side by side with the subtree's total.
public struct FiguresReport: Codable, Sendable {
    public struct Period: Codable, Sendable {
        public var from: CivilDate
        /// Inclusive.
        public var to: CivilDate
        public var label: String
    }

    public var period: Period
    public var tiers: [Figures]
    public var total: Figures?
}

/// Computes figures from the read model.
public struct FiguresQuery: Sendable {
    let logger: Logger
    let tree: TenantTree

    public init(logger: Logger, tree: TenantTree) {
        self.logger = logger
        self.tree = tree
    }

    /// What figures are counted by: the counters' dimension, and the demand_facts column that
    /// names the same scope.
    enum Dimension: String, Sendable {
        case tier, unit, cadre

        var factsColumn: String {
            switch self {
            case .tier: "tenant"
            case .unit: "lead_unit_id"
            case .cadre: "paired_cadre_id"
            }
        }
    }

    /// One unit or cadre to show figures for.
    struct Scope: Sendable {
        var key: String
        var name: String
        /// A cadre's paired enterprises.
        var enterprises: Int? = nil
        /// A cadre's unit.
        var unit: String? = nil
    }

    /// Counters summed over the period, per scope key: whole months from the monthly counters, the
    /// days before the first and after the last whole month from the daily ones.
    func counters(_ dimension: Dimension, keys: [String], tenants: [TenantID], from: CivilDate, until: CivilDate,
        on connection: PostgresConnection) async throws -> [String: [String: Int]]
    {
        let firstMonth = from.day == 1 ? from : CivilDate(year: from.year, month: from.month, day: 1)!.adding(months: 1)
        let lastMonthEnd = CivilDate(year: until.year, month: until.month, day: 1)!
        var ranges: [(table: String, column: String, from: CivilDate, until: CivilDate)] = []
        if firstMonth < lastMonthEnd {
            ranges.append(("monthly_counts", "month", firstMonth, lastMonthEnd))
            if from < firstMonth { ranges.append(("daily_counts", "day", from, firstMonth)) }
            if lastMonthEnd < until { ranges.append(("daily_counts", "day", lastMonthEnd, until)) }
        } else {
            ranges.append(("daily_counts", "day", from, until))
        }
        var result: [String: [String: Int]] = [:]
        for range in ranges {
            var binds = PostgresBindings()
            binds.append(dimension.rawValue)
            binds.append(tenants.map(\.rawValue))
            binds.append(range.from.description)
            binds.append(range.until.description)
            binds.append(keys)
            let sql = """
                SELECT dimension_key, metric, sum(value)::bigint FROM \(range.table)
                WHERE dimension = $1 AND tenant = ANY($2) AND \(range.column) >= $3::date AND \(range.column) < $4::date
                    AND dimension_key = ANY($5)
                GROUP BY dimension_key, metric
                """
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            for try await (scopeKey, metric, value) in rows.decode((String, String, Int64).self) {
                result[scopeKey, default: [:]][metric, default: 0] += Int(value)
            }
        }
        return result
    }

    /// The three questions behind the figures, asked at once on three connections.
    public func report(tenants: [TenantID], from: CivilDate, to: CivilDate, label: String, enterprises: [TenantID: Int],
        database: Database) async throws -> FiguresReport
    {
        let until = to.adding(days: 1)
        let keys = tenants.map(\.rawValue)
        async let counters = database.withConnection {
            try await self.counters(.tier, keys: keys, tenants: tenants, from: from, until: until, on: $0)
        }
        async let overdue = database.withConnection { try await self.overdueNow(.tier, keys: keys, tenants: tenants, on: $0) }
        async let completion = database.withConnection {
            try await self.completion(.tier, keys: keys, tenants: tenants, from: from, until: until, on: $0)
        }
        async let copies = database.withConnection {
            try await self.escalatedCopies(tenants: tenants, from: from, until: until, on: $0)
        }
        return assemble(tenants: tenants, from: from, to: to, label: label, enterprises: enterprises,
            counters: try await counters, overdue: try await overdue, completion: try await completion, copies: try await copies)
    }

    public func report(tenants: [TenantID], from: CivilDate, to: CivilDate, label: String, enterprises: [TenantID: Int],
        on connection: PostgresConnection) async throws -> FiguresReport
    {
        let until = to.adding(days: 1)
        let keys = tenants.map(\.rawValue)
        return assemble(tenants: tenants, from: from, to: to, label: label, enterprises: enterprises,
            counters: try await counters(.tier, keys: keys, tenants: tenants, from: from, until: until, on: connection),
            overdue: try await overdueNow(.tier, keys: keys, tenants: tenants, on: connection),
            completion: try await completion(.tier, keys: keys, tenants: tenants, from: from, until: until, on: connection),
            copies: try await escalatedCopies(tenants: tenants, from: from, until: until, on: connection))
    }

    private func assemble(tenants: [TenantID], from: CivilDate, to: CivilDate, label: String, enterprises: [TenantID: Int],
        counters: [String: [String: Int]], overdue: [String: Int], completion: [String: (Int, Int)], copies: EscalatedCopies)
        -> FiguresReport
    {
        var tiers: [Figures] = []
        for tenant in tenants {
            tiers.append(Self.figures(
                scope: tenant.rawValue, name: tree[tenant]?.name ?? tenant.rawValue, counters: counters[tenant.rawValue] ?? [:],
                overdueNow: overdue[tenant.rawValue] ?? 0, completion: completion[tenant.rawValue] ?? (0, 0),
                enterprises: enterprises[tenant]))
        }
        var total: Figures?
        if tenants.count > 1 {
            var merged = counters.values.reduce(into: [String: Int]()) { sum, counters in sum.merge(counters, uniquingKeysWith: +) }
            copies.subtract(from: &merged)
            // Escalations out of the subtree: only those of tiers whose parent is not in it.
            merged["escalated"] = tenants.filter { tree[$0]?.parent.map { !tenants.contains($0) } ?? true }
                .reduce(0) { $0 + (counters[$1.rawValue]?["escalated"] ?? 0) }
            let closedReceived = completion.values.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
            total = Self.figures(
                scope: "subtree", name: "\(tree[tenants[0]]?.name ?? "")合计", counters: merged,
                overdueNow: overdue.values.reduce(0, +),
                completion: (closedReceived.0 - copies.closedOfReceived, closedReceived.1 - copies.received),
                enterprises: enterprises.isEmpty ? nil : tenants.compactMap { enterprises[$0] }.reduce(0, +))
        }
        return FiguresReport(period: .init(from: from, to: to, label: label), tiers: tiers, total: total)
    }

    /// The copies of demands escalated inside a subtree, kept by the tier they were escalated to.
    /// A subtree's total counts each demand once, where it entered the subtree (its origin tier,
    /// whose copy follows it to the end), so these are taken off the sum of its tiers.
    struct EscalatedCopies: Sendable, Equatable {
        var received = 0
        var closedOfReceived = 0
        var closed = 0
        var byCategory: [String: Int] = [:]
        var byIndustryGroup: [String: Int] = [:]

        func subtract(from counters: inout [String: Int]) {
            counters["received", default: 0] -= received
            counters["escalatedIn", default: 0] -= received
            counters["closed", default: 0] -= closed
            for (category, count) in byCategory { counters["received.category.\(category)", default: 0] -= count }
            for (group, count) in byIndustryGroup { counters["received.industry.\(group)", default: 0] -= count }
        }
    }

    func escalatedCopies(tenants: [TenantID], from: CivilDate, until: CivilDate, on connection: PostgresConnection) async throws
        -> EscalatedCopies
    {
        // A single tier has no total, so nothing to take off.
        guard tenants.count > 1 else { return EscalatedCopies() }
        var binds = PostgresBindings()
        binds.append(tenants.map(\.rawValue))
        binds.append(from.startInstant)
        binds.append(until.startInstant)
        let sql = """
            SELECT category, industry_group,
                (count(*) FILTER (WHERE received_at >= $2 AND received_at < $3))::bigint,
                (count(*) FILTER (WHERE received_at >= $2 AND received_at < $3 AND state = 'closed'))::bigint,
                (count(*) FILTER (WHERE closed_at >= $2 AND closed_at < $3))::bigint
            FROM demand_facts
            WHERE tenant = ANY($1) AND origin_tenant IS NOT NULL AND origin_tenant = ANY($1)
                AND ((received_at >= $2 AND received_at < $3) OR (closed_at >= $2 AND closed_at < $3))
            GROUP BY 1, 2
            """
        var copies = EscalatedCopies()
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await (category, group, received, closedOfReceived, closed) in rows.decode(
            (String?, String?, Int64, Int64, Int64).self)
        {
            copies.received += Int(received)
            copies.closedOfReceived += Int(closedOfReceived)
            copies.closed += Int(closed)
            if let category, received > 0 { copies.byCategory[category, default: 0] += Int(received) }
            if let group, received > 0 { copies.byIndustryGroup[group, default: 0] += Int(received) }
        }
        return copies
    }

    /// Open demands past a deadline now, per scope key (summed over `tenants`).
    func overdueNow(_ dimension: Dimension, keys: [String], tenants: [TenantID], on connection: PostgresConnection) async throws
        -> [String: Int]
    {
        var binds = PostgresBindings()
        binds.append(tenants.map(\.rawValue))
        binds.append(keys)
        let sql = """
            SELECT \(dimension.factsColumn), count(*)::bigint FROM demand_facts
            WHERE tenant = ANY($1) AND \(dimension.factsColumn) = ANY($2) AND open_due_at IS NOT NULL
                AND state NOT IN ('closed', 'escalated') AND open_due_at < now()
            GROUP BY 1
            """
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        var result: [String: Int] = [:]
        for try await (key, count) in rows.decode((String, Int64).self) { result[key] = Int(count) }
        return result
    }

    /// Per scope key: (closed now, entered) for the demands that entered the scope in the period:
    /// received by a tier or raised by a cadre's enterprises, or for a unit, made its lead unit (and
    /// still led by it). Read from ``EntryCounts``: a sum over the period's days.
    func completion(_ dimension: Dimension, keys: [String], tenants: [TenantID], from: CivilDate, until: CivilDate,
        on connection: PostgresConnection) async throws -> [String: (Int, Int)]
    {
        let rows = try await connection.query(
            """
            SELECT dimension_key, sum(closed)::bigint, sum(entered)::bigint FROM entry_counts
            WHERE dimension = \(dimension.rawValue) AND tenant = ANY(\(tenants.map(\.rawValue))) AND dimension_key = ANY(\(keys))
                AND day >= \(from.description)::date AND day < \(until.description)::date
            GROUP BY 1
            """, logger: logger)
        var result: [String: (Int, Int)] = [:]
        for try await (key, closed, entered) in rows.decode((String, Int64, Int64).self) {
            result[key] = (Int(closed), Int(entered))
        }
        return result
    }

    /// Figures of each unit or cadre over the period, summed over `tenants`: three queries for all
    /// of them, however many there are.
    /// `countingOverdue: false` leaves `overdueNow` at 0 (a ranking's past periods have no "now").
    func figures(of dimension: Dimension, scopes: [Scope], tenants: [TenantID], from: CivilDate, to: CivilDate,
        countingOverdue: Bool = true, on connection: PostgresConnection) async throws -> [Figures]
    {
        let until = to.adding(days: 1)
        let keys = scopes.map(\.key)
        let counters = try await counters(dimension, keys: keys, tenants: tenants, from: from, until: until, on: connection)
        let overdue = countingOverdue ? try await overdueNow(dimension, keys: keys, tenants: tenants, on: connection) : [:]
        let completion = try await completion(dimension, keys: keys, tenants: tenants, from: from, until: until, on: connection)
        return scopes.map { scope in
            var figures = Self.figures(scope: scope.key, name: scope.name, counters: counters[scope.key] ?? [:],
                overdueNow: overdue[scope.key] ?? 0, completion: completion[scope.key] ?? (0, 0), enterprises: scope.enterprises)
            figures.unit = scope.unit
            return figures
        }
    }

    static func figures(scope: String, name: String, counters: [String: Int], overdueNow: Int, completion: (Int, Int),
        enterprises: Int?) -> Figures
    {
        func count(_ metric: String) -> Int { counters[metric] ?? 0 }
        var steps: [String: StepFigures] = [:]
        for step in DemandStep.allCases {
            let prefix = "step.\(step.rawValue)"
            var histogram: [(Double, Int)] = []
            for (metric, value) in counters where metric.hasPrefix("\(prefix).days.") {
                if let bucket = Int(metric.dropFirst(prefix.count + 6)) {
                    histogram.append(((Double(bucket) + 0.5) / Double(ReadModel.bucketsPerDay), value))
                }
            }
            histogram.sort { $0.0 < $1.0 }
            let total = histogram.reduce(0) { $0 + $1.1 }
            var p90: Double?
            var running = 0
            for (days, value) in histogram {
                running += value
                if Double(running) >= 0.9 * Double(total) {
                    p90 = days
                    break
                }
            }
            let average = total == 0 ? nil : histogram.reduce(0) { $0 + $1.0 * Double($1.1) } / Double(total)
            steps[step.rawValue] = StepFigures(
                completed: count("\(prefix).done"), onTime: count("\(prefix).onTime"),
                onTimeRate: Rate(count("\(prefix).onTime"), of: count("\(prefix).done")),
                averageWorkingDays: average.map { ($0 * 10).rounded() / 10 }, p90WorkingDays: p90)
        }
        func grouped(_ prefix: String) -> [String: Int] {
            var result: [String: Int] = [:]
            for (metric, value) in counters where metric.hasPrefix(prefix) { result[String(metric.dropFirst(prefix.count))] = value }
            return result
        }
        let received = count("received")
        return Figures(
            scope: scope, name: name, received: received, escalatedIn: count("escalatedIn"),
            consultations: count("received.consultation"), escalated: count("escalated"),
            steps: steps, results: ["A": count("result.A"), "B": count("result.B"), "C": count("result.C")],
            returned: count("returned"), extended: count("extended"), urged: count("urged"),
            supervision: grouped("supervision."), closed: count("closed"),
            satisfied: count("rating.satisfied"), unsatisfied: count("rating.unsatisfied"), unrated: count("rating.unrated"),
            satisfactionRate: Rate(count("rating.satisfied") + count("rating.deemedSatisfied"),
                of: count("rating.satisfied") + count("rating.unsatisfied") + count("rating.deemedSatisfied")),
            completionRate: Rate(completion.0, of: completion.1), refused: count("refused"),
            merged: count("merged"),
            onTimeReceiptRate: Rate(count("step.sign.onTime"), of: count("step.sign.done")),
            overdueNow: overdueNow, byCategory: grouped("received.category."), byIndustryGroup: grouped("received.industry."),
            enterprises: enterprises,
            demandsPerEnterprise: enterprises.flatMap { $0 == 0 ? nil : (Double(received) / Double($0) * 100).rounded() / 100 })
    }
}
