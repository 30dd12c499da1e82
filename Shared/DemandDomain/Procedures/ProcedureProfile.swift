import Foundation
import Tenancy

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
    /// The working day of the rating step on which the enterprise is reminded to rate (002 §14
    /// gives 5 working days; the reminder comes on the third).
    public var ratingReminderDay: Int
    /// Whether a demand closed without a rating counts as satisfied in 满意率; when false it is
    /// left out of the rate and counted apart as 未评价.
    public var unratedCountsAsSatisfied: Bool
    /// Working days a department has to answer a consultation (咨询类, 003 art. 10: the office
    /// "直接转交相关职能部门进行答复"). The seeds set no limit; the platform gives 3.
    public var consultationResultDays: Int
    /// Whether the lead unit names its responsible leader and handler when signing (Lincang: 003
    /// art. 15–16).
    public var signatureNamesResponsible: Bool
    /// Whether a leader approves each dispatch and escalation before it is made (Lincang: 003 art.
    /// 12–14); the office records who approved and when, and the slip prints it.
    public var leadersApproveRouting: Bool
    /// Whether the unit's main leader reviews a result before it is submitted, and the result names
    /// them (Lincang: 003 art. 17, "经主要领导审核后报送").
    public var resultReviewedByMainLeader: Bool
    /// A step is "due soon" once this much working time, in working days, is left.
    public var warningThresholdDays: Double
    /// What the tier's office is called (Shiyan: 双千办; Lincang: 服企办); nil for 双千办.
    public var officeTitle: String?

    /// The office's name as people of the tier know it.
    public var officeName: String { officeTitle ?? "双千办" }

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
        ratingReminderDay: Int = 3,
        unratedCountsAsSatisfied: Bool = false,
        signatureNamesResponsible: Bool = false,
        leadersApproveRouting: Bool = false,
        resultReviewedByMainLeader: Bool = false,
        consultationResultDays: Int = 3,
        warningThresholdDays: Double,
        officeTitle: String? = nil
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
        self.ratingReminderDay = ratingReminderDay
        self.unratedCountsAsSatisfied = unratedCountsAsSatisfied
        self.signatureNamesResponsible = signatureNamesResponsible
        self.leadersApproveRouting = leadersApproveRouting
        self.resultReviewedByMainLeader = resultReviewedByMainLeader
        self.consultationResultDays = consultationResultDays
        self.warningThresholdDays = warningThresholdDays
        self.officeTitle = officeTitle
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
        signatureNamesResponsible: true,
        leadersApproveRouting: true,
        resultReviewedByMainLeader: true,
        warningThresholdDays: 1,
        officeTitle: "服企办"
    )

    public static let presets: [String: ProcedureProfile] = [shiyan.id: shiyan, lincang.id: lincang]

    /// Working time left, in working days, when a step is "due soon": the rating step warns on its
    /// reminder day, every other step at the tier's threshold.
    public func warningThreshold(for step: DemandStep) -> Double {
        step == .rating ? Double(max(1, ratingDays - ratingReminderDay + 1)) : warningThresholdDays
    }

    /// The action the platform takes when a step runs out: a rating not given in time closes the
    /// demand as 未评价 (002 §14: "在5个工作日内进行评价以便销号").
    public func expiry(of step: DemandStep) -> DemandAction? {
        step == .rating ? .closeUnrated(RatingTimeout(ratingDays: ratingDays, countsAsSatisfied: unratedCountsAsSatisfied)) : nil
    }

    /// Working days allowed for a step of a demand before any extension: a consultation's answer
    /// runs on its own short clock.
    public func standardDays(for step: DemandStep, consultation: Bool) -> Int {
        step == .result && consultation ? consultationResultDays : standardDays(for: step)
    }

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

extension ProcedureProfile {
    private enum CodingKeys: String, CodingKey {
        case id, name, requiresCadreReview, reviewDays, dispatchDays, complexDispatchDays, signDays, resultDays
        case resultClockStart, extensionCap, majorMatterCap, ratingDays, ratingReminderDay, unratedCountsAsSatisfied
        case signatureNamesResponsible, leadersApproveRouting, resultReviewedByMainLeader, consultationResultDays, warningThresholdDays
    }

    /// Decodes a tier's own profile (`PROCEDURES_FILE`); the rating reminder and the 未评价 rule may
    /// be left out and take the presets' values.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id),
            name: try container.decode(String.self, forKey: .name),
            requiresCadreReview: try container.decode(Bool.self, forKey: .requiresCadreReview),
            reviewDays: try container.decode(Int.self, forKey: .reviewDays),
            dispatchDays: try container.decode(Int.self, forKey: .dispatchDays),
            complexDispatchDays: try container.decode(Int.self, forKey: .complexDispatchDays),
            signDays: try container.decode(Int.self, forKey: .signDays),
            resultDays: try container.decode(Int.self, forKey: .resultDays),
            resultClockStart: try container.decode(ResultClockStart.self, forKey: .resultClockStart),
            extensionCap: try container.decode(ResultCap.self, forKey: .extensionCap),
            majorMatterCap: try container.decode(ResultCap.self, forKey: .majorMatterCap),
            ratingDays: try container.decode(Int.self, forKey: .ratingDays),
            ratingReminderDay: try container.decodeIfPresent(Int.self, forKey: .ratingReminderDay) ?? 3,
            unratedCountsAsSatisfied: try container.decodeIfPresent(Bool.self, forKey: .unratedCountsAsSatisfied) ?? false,
            signatureNamesResponsible: try container.decodeIfPresent(Bool.self, forKey: .signatureNamesResponsible) ?? false,
            leadersApproveRouting: try container.decodeIfPresent(Bool.self, forKey: .leadersApproveRouting) ?? false,
            resultReviewedByMainLeader: try container.decodeIfPresent(Bool.self, forKey: .resultReviewedByMainLeader) ?? false,
            consultationResultDays: try container.decodeIfPresent(Int.self, forKey: .consultationResultDays) ?? 3,
            warningThresholdDays: try container.decode(Double.self, forKey: .warningThresholdDays))
    }
}
