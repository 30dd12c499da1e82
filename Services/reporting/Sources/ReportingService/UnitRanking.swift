import DemandDomain
import Foundation
import Hummingbird
import Tenancy

/// 承办单位排名 (003 art. 20): a tier's units ranked by completion rate (办结率), then on-time receipt
/// (接收问题及时率), then satisfaction (满意率), each with its standing in the period before
/// (month on month) and in the same period a year before (year on year).
struct UnitRanking: Codable, Sendable {
    /// A unit's figures and place in one period.
    struct Standing: Codable, Sendable {
        /// Nil when the unit had nothing to rank by in that period.
        var rank: Int?
        var received: Int
        var completionRate: Rate
        var onTimeReceiptRate: Rate
        var satisfactionRate: Rate
    }

    struct Row: Codable, Sendable {
        var rank: Int
        var unitID: String
        var name: String
        var current: Standing
        var previous: Standing
        var lastYear: Standing
    }

    var period: String
    var previousPeriod: String
    var lastYearPeriod: String
    var rows: [Row]

    init(current: ([Figures], String), previous: ([Figures], String), lastYear: ([Figures], String)) {
        let previousStandings = Self.standings(previous.0)
        let lastYearStandings = Self.standings(lastYear.0)
        let empty = Standing(rank: nil, received: 0, completionRate: Rate(0, of: 0), onTimeReceiptRate: Rate(0, of: 0),
            satisfactionRate: Rate(0, of: 0))
        rows = Self.ranked(current.0).enumerated().map { index, unit in
            Row(rank: index + 1, unitID: unit.scope, name: unit.name, current: Self.standing(unit, rank: index + 1),
                previous: previousStandings[unit.scope] ?? empty, lastYear: lastYearStandings[unit.scope] ?? empty)
        }
        (period, previousPeriod, lastYearPeriod) = (current.1, previous.1, lastYear.1)
    }

    /// Best first; a rate with no denominator ranks below any rate; ties go to the unit that received more.
    static func ranked(_ units: [Figures]) -> [Figures] {
        func key(_ unit: Figures) -> [Double] {
            [unit.completionRate.value, unit.onTimeReceiptRate.value, unit.satisfactionRate.value].map { $0 ?? -1 }
        }
        return units.sorted { a, b in
            let (left, right) = (key(a), key(b))
            return left == right ? (a.received, b.name) > (b.received, a.name) : left.lexicographicallyPrecedes(right, by: >)
        }
    }

    private static func standings(_ units: [Figures]) -> [String: Standing] {
        let active = ranked(units).filter { $0.received > 0 || $0.completionRate.denominator > 0 }
        var result: [String: Standing] = [:]
        for unit in units { result[unit.scope] = standing(unit, rank: nil) }
        for (index, unit) in active.enumerated() { result[unit.scope] = standing(unit, rank: index + 1) }
        return result
    }

    private static func standing(_ unit: Figures, rank: Int?) -> Standing {
        Standing(rank: rank, received: unit.received, completionRate: unit.completionRate,
            onTimeReceiptRate: unit.onTimeReceiptRate, satisfactionRate: unit.satisfactionRate)
    }
}

extension ReportingWorkflow {
    func unitRanking(for principal: Principal, parameters: Parameters) async throws -> UnitRanking {
        let period = try Self.period(parameters)
        let tier = parameters.get("tier")
        // A standing has no overdue count.
        async let current = unitFigures(for: principal, tier: tier, period: period, countingOverdue: false)
        async let previous = unitFigures(for: principal, tier: tier, period: period.before, countingOverdue: false)
        async let lastYear = unitFigures(for: principal, tier: tier, period: period.yearBefore, countingOverdue: false)
        return UnitRanking(current: (try await current, period.label), previous: (try await previous, period.before.label),
            lastYear: (try await lastYear, period.yearBefore.label))
    }
}

extension ReportingWorkflow.Period {
    /// Whole months from the first of a month to the end of one; nil for other ranges.
    private var wholeMonths: Int? {
        let end = to.adding(days: 1)
        guard from.day == 1, end.day == 1 else { return nil }
        return (end.year - from.year) * 12 + end.month - from.month
    }

    /// The period of the same length just before (the month before a month, the quarter before a quarter).
    var before: Self {
        if let months = wholeMonths { return Self.months(from: from.adding(months: -months), count: months) }
        let days = to.daysSinceEpoch - from.daysSinceEpoch + 1
        return Self(from: from.adding(days: -days), to: from.adding(days: -1), label: "\(from.adding(days: -days))至\(from.adding(days: -1))")
    }

    /// The same period a year earlier.
    var yearBefore: Self {
        if let months = wholeMonths { return Self.months(from: from.adding(months: -12), count: months) }
        let (start, end) = (from.adding(months: -12), to.adding(months: -12))
        return Self(from: start, to: end, label: "\(start)至\(end)")
    }

    private static func months(from start: CivilDate, count: Int) -> Self {
        let end = start.adding(months: count).adding(days: -1)
        let label = switch count {
        case 1: "\(start.year)年\(start.month)月"
        case 3: "\(start.year)年第\((start.month + 2) / 3)季度"
        case 12 where start.month == 1: "\(start.year)年"
        default: "\(start)至\(end)"
        }
        return Self(from: start, to: end, label: label)
    }
}
