import Foundation

/// The timed steps of a demand's life, each with its own deadline.
public enum DemandStep: String, Codable, Sendable, CaseIterable, Comparable {
    /// 初审: the paired cadre reviews the enterprise's demand.
    case review
    /// 分办: the dispatcher routes the demand, or escalates it.
    case dispatch
    /// 签收: the lead unit signs for the demand.
    case sign
    /// 办结: the lead unit submits its result.
    case result
    /// 评价: the enterprise rates the result.
    case rating

    public var chineseName: String {
        switch self {
        case .review: "初审"
        case .dispatch: "分办"
        case .sign: "签收"
        case .result: "办理"
        case .rating: "评价"
        }
    }

    public static func < (lhs: DemandStep, rhs: DemandStep) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How a tier runs demands: which steps exist and their deadlines in working days.
///
/// Each tier chooses a profile (`Tenant.procedure`); two presets come from the seed documents:
/// ``shiyan`` (002, 000 Q23) and ``lincang`` (003 art. 12–17).
public struct ProcedureProfile: Codable, Sendable, Hashable {
    /// Where the clock of the result step starts.
    public enum ResultClockStart: String, Codable, Sendable, Hashable {
        /// When the unit signs (Shiyan: 15 working days to submit after signing).
        case signed
        /// When the demand is dispatched to the unit (Lincang: "收到交办单之日起").
        case dispatched
    }

    /// The longest a result step may run once extensions are granted.
    public enum ResultCap: Codable, Sendable, Hashable {
        case workingDays(Int)
        case calendarMonths(Int)
    }

    public var id: String
    public var name: String
    /// Whether the paired cadre reviews demands before dispatch (Shiyan: yes; Lincang: the office
    /// registers them itself).
    public var requiresCadreReview: Bool
    public var reviewDays: Int
    /// Dispatch of a clear matter for one department.
    public var dispatchDays: Int
    /// Dispatch to several departments, a complex matter, or an escalation to the parent tier.
    public var complexDispatchDays: Int
    public var signDays: Int
    public var resultDays: Int
    public var resultClockStart: ResultClockStart
    /// Cap on the result step with extensions (Lincang: 15 working days).
    public var extensionCap: ResultCap
    /// Cap for major, complex matters (Lincang: one month).
    public var majorMatterCap: ResultCap
    public var ratingDays: Int
    /// A step is "due soon" once this much working time, in working days, is left.
    public var warningThresholdDays: Double

    public init(
        id: String,
        name: String,
        requiresCadreReview: Bool,
        reviewDays: Int,
        dispatchDays: Int,
        complexDispatchDays: Int,
        signDays: Int,
        resultDays: Int,
        resultClockStart: ResultClockStart,
        extensionCap: ResultCap,
        majorMatterCap: ResultCap,
        ratingDays: Int,
        warningThresholdDays: Double
    ) {
        self.id = id
        self.name = name
        self.requiresCadreReview = requiresCadreReview
        self.reviewDays = reviewDays
        self.dispatchDays = dispatchDays
        self.complexDispatchDays = complexDispatchDays
        self.signDays = signDays
        self.resultDays = resultDays
        self.resultClockStart = resultClockStart
        self.extensionCap = extensionCap
        self.majorMatterCap = majorMatterCap
        self.ratingDays = ratingDays
        self.warningThresholdDays = warningThresholdDays
    }

    /// Shiyan (十堰, 000 Q23 and 002): review 1, dispatch 1, sign 1, result 15, rating 5 working
    /// days, all counted from the next day. The seeds set no extension rule; extensions are capped
    /// at 30 working days so that a decision by the office is always bounded.
    public static let shiyan = ProcedureProfile(
        id: "shiyan",
        name: "十堰市双千工作流程",
        requiresCadreReview: true,
        reviewDays: 1,
        dispatchDays: 1,
        complexDispatchDays: 1,
        signDays: 1,
        resultDays: 15,
        resultClockStart: .signed,
        extensionCap: .workingDays(30),
        majorMatterCap: .workingDays(30),
        ratingDays: 5,
        warningThresholdDays: 1
    )

    /// Lincang (临沧, 003 art. 12–17): no cadre review; dispatch within 2 working days for one
    /// department, 3 for several or for escalation; results within 5 working days of the dispatch
    /// slip, extendable to 15, major complex matters at most one month. Signing and rating are not
    /// in the seed; the platform keeps Shiyan's 1 and 5 working days for them.
    public static let lincang = ProcedureProfile(
        id: "lincang",
        name: "临沧市企业反映困难问题办理流程",
        requiresCadreReview: false,
        reviewDays: 1,
        dispatchDays: 2,
        complexDispatchDays: 3,
        signDays: 1,
        resultDays: 5,
        resultClockStart: .dispatched,
        extensionCap: .workingDays(15),
        majorMatterCap: .calendarMonths(1),
        ratingDays: 5,
        warningThresholdDays: 1
    )

    public static let presets: [String: ProcedureProfile] = [shiyan.id: shiyan, lincang.id: lincang]

    /// Working days allowed for a step before any extension.
    public func standardDays(for step: DemandStep) -> Int {
        switch step {
        case .review: reviewDays
        case .dispatch: dispatchDays
        case .sign: signDays
        case .result: resultDays
        case .rating: ratingDays
        }
    }
}
