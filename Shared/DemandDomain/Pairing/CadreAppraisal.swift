import Foundation
import InputValidation
import Tenancy

/// The four duties an enterprise rates its paired cadre on each quarter (000 Q22; 002 §6, §16).
public enum CadreDuty: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    case pandemicGuide
    case developmentAdvisor
    case difficultyMediator
    case policyPromoter

    public var chineseName: String {
        switch self {
        case .pandemicGuide: "疫情防控“指导员”"
        case .developmentAdvisor: "高质量发展“参谋员”"
        case .difficultyMediator: "企业诉求“调解员”"
        case .policyPromoter: "惠企政策“宣讲员”"
        }
    }
}

/// How satisfied an enterprise is with one duty; 满意 and 基本满意 count as satisfied, as in 满意率.
public enum SatisfactionLevel: String, Codable, Sendable, CaseIterable {
    case satisfied
    case basicallySatisfied
    case dissatisfied

    public var chineseName: String {
        switch self {
        case .satisfied: "满意"
        case .basicallySatisfied: "基本满意"
        case .dissatisfied: "不满意"
        }
    }

    public var countsAsSatisfied: Bool { self != .dissatisfied }
}

/// A calendar quarter in Beijing time, written `2026-Q4`: the period of the enterprise's appraisal.
public struct CalendarQuarter: Hashable, Comparable, Sendable, CustomStringConvertible, TextCodable {
    public let year: Int
    public let quarter: Int

    public init?(year: Int, quarter: Int) {
        guard (2000...2999).contains(year), (1...4).contains(quarter) else { return nil }
        self.year = year
        self.quarter = quarter
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, parts[1].first == "Q",
            let year = Int(parts[0]), let quarter = Int(parts[1].dropFirst())
        else { return nil }
        self.init(year: year, quarter: quarter)
    }

    public init(_ month: CalendarMonth) {
        year = month.year
        quarter = (month.month - 1) / 3 + 1
    }

    public func adding(quarters: Int) -> CalendarQuarter { CalendarQuarter(months[0].adding(months: 3 * quarters)) }

    public var months: [CalendarMonth] { (1...3).map { CalendarMonth(year: year, month: (quarter - 1) * 3 + $0)! } }
    public var lastMonth: CalendarMonth { months[2] }
    public var firstDay: CivilDate { months[0].firstDay }
    public var lastDay: CivilDate { lastMonth.lastDay }

    public var description: String { "\(year)-Q\(quarter)" }
    public var chineseText: String { "\(year)年第\(["一", "二", "三", "四"][quarter - 1])季度" }

    public static func < (lhs: CalendarQuarter, rhs: CalendarQuarter) -> Bool {
        (lhs.year, lhs.quarter) < (rhs.year, rhs.quarter)
    }

    public var codedText: String { description }
    public static let textForm = "YYYY-Qn"
}

/// An enterprise's appraisal of its paired cadre for the quarter (002 §16: 满意度测评和包联成效调查):
/// one level for each of the four duties, and what the pairing achieved.
public struct CadreAppraisalInput: Sendable, Hashable, Codable {
    public var ratings: [String: String]
    /// 包联成效: what the cadre's service brought the enterprise.
    public var results: String?

    public init(ratings: [String: String], results: String? = nil) {
        self.ratings = ratings
        self.results = results
    }

    public static let resultsLimit = 500

    public func validated() throws(ValidationError) -> [CadreDuty: SatisfactionLevel] {
        var issues = IssueCollector()
        var levels: [CadreDuty: SatisfactionLevel] = [:]
        for duty in CadreDuty.allCases {
            if let level = ratings[duty.rawValue].flatMap(SatisfactionLevel.init(rawValue:)) {
                levels[duty] = level
            } else {
                issues.add("INVALID_RATING", "ratings.\(duty.rawValue)", "请评价包联干部作为\(duty.chineseName)的表现")
            }
        }
        for key in ratings.keys where CadreDuty(rawValue: key) == nil {
            issues.add("UNKNOWN_DUTY", "ratings.\(key)", "没有名为“\(key)”的测评项目")
        }
        issues.optionalText(results, field: "results", label: "包联成效", maxLength: Self.resultsLimit)
        try issues.finish()
        return levels
    }
}

/// When the enterprises are asked to appraise their cadres: in a quarter's last month, from the
/// pairing reminder's day, once per enterprise and quarter.
extension PairingReminderSchedule {
    public func dueQuarter(on today: CivilDate) -> CalendarQuarter? {
        guard let month = dueMonth(on: today) else { return nil }
        let quarter = CalendarQuarter(month)
        return quarter.lastMonth == month ? quarter : nil
    }
}
