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

/// 年度测评 (003 art. 20): at the end of each year a tier assesses its handling units by democratic
/// appraisal (民主评议: a score the office enters for each unit) and by quantified scoring (量化打分:
/// computed here from the year's figures). The result is each unit's annual evaluation.
struct AnnualEvaluation: Codable, Sendable {
    /// The seed sets no weights. The quantified score weighs 办结率 most, as the monthly ranking
    /// orders units by it first, then 接收问题及时率 and 满意率; appraisal and quantified score count half each.
    static let completionWeight = 0.4
    static let onTimeReceiptWeight = 0.3
    static let satisfactionWeight = 0.3
    static let quantifiedShare = 0.5
    static let scores = 0.0...100.0

    struct Row: Codable, Sendable {
        /// Nil until the unit has both scores.
        var rank: Int?
        var unitID: String
        var name: String
        var received: Int
        var completionRate: Rate
        var onTimeReceiptRate: Rate
        var satisfactionRate: Rate
        /// Nil when the unit had nothing to rate in the year.
        var quantifiedScore: Double?
        var appraisalScore: Double?
        var totalScore: Double?
    }

    var year: Int
    var tier: String
    var rows: [Row]

    init(year: Int, tier: TenantID, units: [Figures], appraisals: [String: Double]) {
        self.year = year
        self.tier = tier.rawValue
        var rows = units.map { unit in
            let quantified = Self.quantifiedScore(unit)
            let appraisal = appraisals[unit.scope]
            let total = quantified.flatMap { q in appraisal.map { Self.rounded(q * Self.quantifiedShare + $0 * (1 - Self.quantifiedShare)) } }
            return Row(rank: nil, unitID: unit.scope, name: unit.name, received: unit.received, completionRate: unit.completionRate,
                onTimeReceiptRate: unit.onTimeReceiptRate, satisfactionRate: unit.satisfactionRate, quantifiedScore: quantified,
                appraisalScore: appraisal, totalScore: total)
        }
        // Best total first; units still missing a score follow, by their quantified score.
        rows.sort { a, b in
            ((a.totalScore ?? -1), (a.quantifiedScore ?? -1), b.name) > ((b.totalScore ?? -1), (b.quantifiedScore ?? -1), a.name)
        }
        for index in rows.indices where rows[index].totalScore != nil { rows[index].rank = index + 1 }
        self.rows = rows
    }

    /// 100 × the weighted rates the unit has; a rate with nothing to count is left out and the
    /// others weigh in its place.
    static func quantifiedScore(_ unit: Figures) -> Double? {
        let parts = [
            (unit.completionRate.value, completionWeight), (unit.onTimeReceiptRate.value, onTimeReceiptWeight),
            (unit.satisfactionRate.value, satisfactionWeight),
        ].compactMap { value, weight in value.map { ($0, weight) } }
        let weights = parts.reduce(0) { $0 + $1.1 }
        guard weights > 0 else { return nil }
        return rounded(100 * parts.reduce(0) { $0 + $1.0 * $1.1 } / weights)
    }

    static func rounded(_ score: Double) -> Double { (score * 10).rounded() / 10 }
}

extension ReportingWorkflow {
    /// A tier's annual evaluation, for those who may read its figures.
    func annualEvaluation(for principal: Principal, parameters: Parameters) async throws -> AnnualEvaluation {
        try await annualEvaluation(for: principal, year: try Self.evaluationYear(parameters.get("year")), tier: parameters.get("tier"))
    }

    func annualEvaluation(for principal: Principal, year: Int, tier requested: String?) async throws -> AnnualEvaluation {
        let tier = try tiers(for: principal, requested: requested)[0]
        let period = Period(from: CivilDate(year: year, month: 1, day: 1)!, to: CivilDate(year: year, month: 12, day: 31)!, label: "\(year)年")
        let units = try await unitFigures(for: principal, tier: tier.rawValue, period: period)
        let rows = try await runtime.database.query(
            "SELECT unit_id, score FROM unit_appraisals WHERE tenant = \(tier.rawValue) AND year = \(year)")
        let appraisals = Dictionary(try rows.decode((String, Double).self)) { first, _ in first }
        return AnnualEvaluation(year: year, tier: tier, units: units, appraisals: appraisals)
    }

    /// The office enters a unit's democratic appraisal score for a year (003 art. 20).
    func recordAppraisal(by principal: Principal, year yearText: String, unitID: String, score: Double) async throws
        -> AnnualEvaluation
    {
        guard principal.role == .office else { throw APIError.forbiddenRole(principal.role) }
        let year = try Self.evaluationYear(yearText)
        guard AnnualEvaluation.scores.contains(score) else {
            throw APIError.invalid(code: "INVALID_SCORE", message: "民主评议得分应在0至100之间", field: "appraisalScore")
        }
        let tier = principal.tenant
        let unit = try await runtime.database.withConnection { connection in try await directory.unit(unitID, on: connection) }
        guard let unit, unit.tenant == tier else { throw APIError.notFound("承办单位") }
        try await runtime.database.query(
            """
            INSERT INTO unit_appraisals (tenant, year, unit_id, score, entered_by) VALUES (\(tier.rawValue), \(year), \(unitID), \(score),
                \(principal.subject))
            ON CONFLICT (tenant, year, unit_id) DO UPDATE SET score = EXCLUDED.score, entered_by = EXCLUDED.entered_by,
                entered_at = clock_timestamp()
            """)
        runtime.logger.info("Appraisal score recorded", metadata: ["unit": "\(unitID)", "year": "\(year)"])
        return try await annualEvaluation(for: principal, year: year, tier: nil)
    }

    /// `year=2026`, the current year by default; within ``periodYears``.
    static func evaluationYear(_ text: String?, now: Date = Date()) throws -> Int {
        guard let text else { return CivilDate(now).year }
        guard let year = Int(text), periodYears.contains(year) else {
            throw APIError.badRequest(code: "INVALID_PERIOD", message: "测评年度须在\(periodYears.lowerBound)年至\(periodYears.upperBound)年之间")
        }
        return year
    }
}
