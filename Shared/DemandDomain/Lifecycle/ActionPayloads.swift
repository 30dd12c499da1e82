import Foundation
import InputValidation
import Tenancy

/// The enterprise behind a demand and who looks after it.
public struct EnterpriseParty: Codable, Sendable, Hashable {
    public var id: String
    /// The tenant that keeps the enterprise's record (its county, usually).
    public var tenant: TenantID
    /// The paired cadre (包联干部), if the enterprise is in the pairing program.
    public var pairedCadreID: String?

    public init(id: String, tenant: TenantID, pairedCadreID: String?) {
        self.id = id
        self.tenant = tenant
        self.pairedCadreID = pairedCadreID
    }

    /// Small enterprises outside the pairing program submit directly to a dispatcher (000 Q29).
    public var isInPairingProgram: Bool { pairedCadreID != nil }
}

/// A handling unit (承办单位), or a county office acting as one for its parent (002 §20).
public struct UnitRef: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var tenant: TenantID

    public init(id: String, name: String, tenant: TenantID) {
        self.id = id
        self.name = name
        self.tenant = tenant
    }
}

public struct Submission: Codable, Sendable, Hashable {
    public var content: DemandContent
    public var enterprise: EnterpriseParty
    public var registrationNumber: DocumentNumber

    public init(content: DemandContent, enterprise: EnterpriseParty, registrationNumber: DocumentNumber) {
        self.content = content
        self.enterprise = enterprise
        self.registrationNumber = registrationNumber
    }
}

/// Where an escalated demand came from: the child tier, its demand and its numbers.
public struct EscalationOrigin: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var demandID: UUID
    public var registrationNumber: DocumentNumber?
    public var escalationNumber: DocumentNumber

    public init(tenant: TenantID, demandID: UUID, registrationNumber: DocumentNumber?, escalationNumber: DocumentNumber) {
        self.tenant = tenant
        self.demandID = demandID
        self.registrationNumber = registrationNumber
        self.escalationNumber = escalationNumber
    }
}

/// A child tier's escalation, registered at the parent as a new demand that keeps its origin.
public struct EscalationReceipt: Codable, Sendable, Hashable {
    public var content: DemandContent
    public var enterprise: EnterpriseParty
    public var origin: EscalationOrigin
    /// The child tier's proposal for handling (办理建议).
    public var suggestion: String
    public var registrationNumber: DocumentNumber

    public init(
        content: DemandContent,
        enterprise: EnterpriseParty,
        origin: EscalationOrigin,
        suggestion: String,
        registrationNumber: DocumentNumber
    ) {
        self.content = content
        self.enterprise = enterprise
        self.origin = origin
        self.suggestion = suggestion
        self.registrationNumber = registrationNumber
    }
}

public struct ContentEdit: Codable, Sendable, Hashable {
    public var content: DemandContent
    public var note: String?

    public init(content: DemandContent, note: String? = nil) {
        self.content = content
        self.note = note
    }
}

public struct Approval: Codable, Sendable, Hashable {
    public var comment: String?
    public init(comment: String? = nil) { self.comment = comment }
}

public struct SendBack: Codable, Sendable, Hashable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// How hard the matter is, as the dispatcher judges it (003 art. 12: one department within 2 working
/// days; several departments or a major matter within 3).
public enum DispatchComplexity: String, Codable, Sendable, Hashable, CaseIterable {
    case singleDepartment
    case multipleDepartments
    case majorMatter
}

/// The leader who approved a 交办 or 转报 (003 art. 12–14), as the office records it from the
/// leader's 批示笺: leaders approve on paper; the office keeps the platform's record of it.
public struct LeaderApproval: Codable, Sendable, Hashable {
    /// Who may approve what: the office director a clear matter for one department; the deputy head
    /// or head a matter for several departments or a complex one; the head an escalation; a special
    /// meeting (专题会议) any major matter.
    public enum Level: String, Codable, Sendable, Hashable, CaseIterable {
        case officeDirector
        case deputyHead
        case head
        case specialMeeting

        public var chineseName: String {
            switch self {
            case .officeDirector: "办公室主任"
            case .deputyHead: "分管副组长"
            case .head: "组长"
            case .specialMeeting: "专题会议"
            }
        }
    }

    public var level: Level
    /// The leader's name, or the meeting's (e.g. `第3次专题会议`).
    public var leader: String
    public var approvedOn: CivilDate

    public init(level: Level, leader: String, approvedOn: CivilDate) {
        self.level = level
        self.leader = leader
        self.approvedOn = approvedOn
    }

    /// As printed on the slip: `张主任（办公室主任）2026年11月27日批准`.
    public var slipText: String { "\(leader)（\(level.chineseName)）\(approvedOn.chineseText)批准" }
}

/// 交办单: the routing of a demand to one lead unit and any cooperating units.
public struct Assignment: Codable, Sendable, Hashable {
    public var leadUnit: UnitRef
    public var cooperatingUnits: [UnitRef]
    public var number: DocumentNumber
    public var complexity: DispatchComplexity
    public var instructions: String?
    /// Where the procedure has leaders approve a dispatch (Lincang).
    public var approval: LeaderApproval?

    public init(
        leadUnit: UnitRef,
        cooperatingUnits: [UnitRef] = [],
        number: DocumentNumber,
        complexity: DispatchComplexity = .singleDepartment,
        instructions: String? = nil,
        approval: LeaderApproval? = nil
    ) {
        self.leadUnit = leadUnit
        self.cooperatingUnits = cooperatingUnits
        self.number = number
        self.complexity = complexity
        self.instructions = instructions
        self.approval = approval
    }
}

/// 转报单: the escalation of a demand to the parent tier.
public struct EscalationSlip: Codable, Sendable, Hashable {
    public var parent: TenantID
    public var number: DocumentNumber
    /// 办理建议.
    public var suggestion: String
    /// Where the procedure has the head approve an escalation (Lincang).
    public var approval: LeaderApproval?

    public init(parent: TenantID, number: DocumentNumber, suggestion: String, approval: LeaderApproval? = nil) {
        self.parent = parent
        self.number = number
        self.suggestion = suggestion
        self.approval = approval
    }
}

/// 签收: the lead unit takes the demand on, naming who answers for it (003 art. 15–16: 明确责任领导
/// 和具体经办人).
public struct Signature: Codable, Sendable, Hashable {
    public var note: String?
    /// 责任领导.
    public var responsibleLeader: String?
    /// 具体经办人.
    public var handler: String?

    public init(note: String? = nil, responsibleLeader: String? = nil, handler: String? = nil) {
        self.note = note
        self.responsibleLeader = responsibleLeader
        self.handler = handler
    }
}

/// A cooperating unit's opinion (配合单位意见), submitted to the lead unit, which sees it before
/// answering (003 art. 14–15).
public struct CooperationOpinion: Codable, Sendable, Hashable {
    public var text: String
    public init(text: String) { self.text = text }
}

public struct ProgressNote: Codable, Sendable, Hashable {
    public var text: String
    public init(text: String) { self.text = text }
}

/// Stops the clock while the unit waits for the enterprise or cadre to clarify (000 Q25).
public struct ClockPause: Codable, Sendable, Hashable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

public struct ClockResume: Codable, Sendable, Hashable {
    public var note: String?
    public init(note: String? = nil) { self.note = note }
}

public struct ExtensionRequest: Codable, Sendable, Hashable {
    public var days: Int
    public var reason: String
    /// A major, complex matter, which Lincang lets run up to one month.
    public var majorMatter: Bool

    public init(days: Int, reason: String, majorMatter: Bool = false) {
        self.days = days
        self.reason = reason
        self.majorMatter = majorMatter
    }
}

public struct ExtensionDecision: Codable, Sendable, Hashable {
    public var granted: Bool
    /// Working days granted; ignored when refused.
    public var days: Int
    public var comment: String?

    public init(granted: Bool, days: Int, comment: String? = nil) {
        self.granted = granted
        self.days = days
        self.comment = comment
    }
}

/// The pairing leader's word on closing an accepted demand (Fuyuan, 001 §4.2(2): "经征询包联企业认可、
/// 包联领导同意后办结一个销号一个"), recorded by the office. Without agreement the demand goes back to
/// the lead unit under supervision, with the leader's opinion.
public struct ClosureDecision: Codable, Sendable, Hashable {
    public var agreed: Bool
    /// The pairing leader who decided.
    public var leader: String
    public var decidedOn: CivilDate
    /// Required when the leader does not agree: what is still to be done.
    public var comment: String?

    public init(agreed: Bool, leader: String, decidedOn: CivilDate, comment: String? = nil) {
        self.agreed = agreed
        self.leader = leader
        self.decidedOn = decidedOn
        self.comment = comment
    }
}

/// 办理结果 (003 art. 16–17).
public struct ResultReport: Codable, Sendable, Hashable {
    public var resultClass: ResultClass
    /// The answer given to the enterprise.
    public var answer: String
    /// Class B: the plan to solve it.
    public var plan: String?
    /// Class B: when it will be solved.
    public var plannedCompletion: CivilDate?
    /// Class C: why it cannot be solved now.
    public var explanation: String?
    /// The unit's main leader who reviewed the answer before it was submitted (003 art. 17), where
    /// the procedure asks for it.
    public var reviewedBy: String?

    public init(
        resultClass: ResultClass,
        answer: String,
        plan: String? = nil,
        plannedCompletion: CivilDate? = nil,
        explanation: String? = nil,
        reviewedBy: String? = nil
    ) {
        self.reviewedBy = reviewedBy
        self.resultClass = resultClass
        self.answer = answer
        self.plan = plan
        self.plannedCompletion = plannedCompletion
        self.explanation = explanation
    }
}

/// "不属于本单位职能范畴" (000 Q24): with reasons and a suggestion of the right unit.
public struct RemitReturn: Codable, Sendable, Hashable {
    public var reason: String
    public var suggestion: String

    public init(reason: String, suggestion: String) {
        self.reason = reason
        self.suggestion = suggestion
    }
}

/// 好差评.
public struct Rating: Codable, Sendable, Hashable {
    public var satisfied: Bool
    public var comment: String?

    public init(satisfied: Bool, comment: String? = nil) {
        self.satisfied = satisfied
        self.comment = comment
    }
}

/// The enterprise did not rate within the rating step's working days; the platform closes the
/// demand as 未评价 (002 §14).
public struct RatingTimeout: Codable, Sendable, Hashable {
    public var ratingDays: Int
    /// Whether the tier's procedure counted such a closure as satisfied when it happened.
    public var countsAsSatisfied: Bool

    public init(ratingDays: Int, countsAsSatisfied: Bool) {
        self.ratingDays = ratingDays
        self.countsAsSatisfied = countsAsSatisfied
    }
}

/// Why a demand is outside what the platform handles (003 art. 2: matters that are or by law
/// should be settled by litigation, arbitration or administrative review, or that involve state
/// secrets, are not taken).
public enum RefusalGround: String, Codable, Sendable, Hashable, CaseIterable {
    case litigation
    case arbitration
    case administrativeReview
    case stateSecret
    case otherOutOfScope

    /// The legal proceeding a ground names, the same one a submission may declare (its form then
    /// refuses it at once).
    public var proceeding: LegalProceeding? {
        switch self {
        case .litigation: .litigation
        case .arbitration: .arbitration
        case .administrativeReview: .administrativeReview
        case .stateSecret, .otherOutOfScope: nil
        }
    }

    public var chineseName: String {
        if let proceeding { return "已经或依法应当通过\(proceeding.chineseName)途径解决" }
        return self == .stateSecret ? "涉及国家秘密" : "不属于企业困难问题受理范围"
    }
}

/// 不予受理: the office refuses a demand, with the ground and an explanation for the enterprise.
public struct Refusal: Codable, Sendable, Hashable {
    public var ground: RefusalGround
    public var explanation: String

    public init(ground: RefusalGround, explanation: String) {
        self.ground = ground
        self.explanation = explanation
    }
}

/// 并单: a demand waiting for dispatch repeats another of the same enterprise's open demands, and
/// is merged into it: that one is handled once and its handling and outcome answer both.
public struct Merger: Codable, Sendable, Hashable {
    /// The demand this one joins (at the same tier).
    public var intoDemandID: UUID
    public var intoRegistrationNumber: DocumentNumber?
    public var reason: String

    public init(intoDemandID: UUID, intoRegistrationNumber: DocumentNumber?, reason: String) {
        self.intoDemandID = intoDemandID
        self.intoRegistrationNumber = intoRegistrationNumber
        self.reason = reason
    }
}

/// 催办函: the office's letter to the unit holding an overdue step, numbered per tier and year
/// (letters recorded before numbering have none).
public struct UrgeLetter: Codable, Sendable, Hashable {
    public var note: String
    public var number: DocumentNumber?

    public init(note: String, number: DocumentNumber? = nil) {
        self.note = note
        self.number = number
    }
}

/// The lead unit reports that a class-B answer's plan is carried out (002 §12: B类 "正在解决或列入
/// 规划逐步解决"); until then the demand stays on the office's ledger of promises.
public struct CompletionReport: Codable, Sendable, Hashable {
    public var text: String
    public init(text: String) { self.text = text }
}

/// 挂牌督办 (003 art. 18; 001 §4.4): the office supervises a major or typical case by name; it is
/// listed apart until it closes.
public struct SupervisionFlag: Codable, Sendable, Hashable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// 专项督办 of an answer the office finds vague or not to the point (003 art. 18): the unit answers
/// again, as after an unsatisfied rating, before the enterprise is asked to rate it.
public struct AnswerSupervision: Codable, Sendable, Hashable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// How the office followed a demand up.
public enum FollowUpWay: String, Codable, Sendable, Hashable, CaseIterable {
    /// 每周跟踪 (001 §4.6): where an unresolved demand stands, told to the enterprise.
    case weekly
    /// 电话回访: a call to the enterprise, with what it said.
    case callBack

    public var chineseName: String {
        switch self {
        case .weekly: "每周跟踪"
        case .callBack: "电话回访"
        }
    }
}

/// 跟踪回访: a dated note of a follow-up, which the enterprise sees on its demand.
public struct FollowUp: Codable, Sendable, Hashable {
    public var way: FollowUpWay
    public var note: String
    /// What the enterprise said, on a call-back.
    public var enterpriseFeedback: String?

    public init(way: FollowUpWay, note: String, enterpriseFeedback: String? = nil) {
        self.way = way
        self.note = note
        self.enterpriseFeedback = enterpriseFeedback
    }
}

/// The office's meetings on hard cases (003 art. 18; 001 §4.4; 004 二.5).
public enum SupervisionMeetingKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// 约谈: the office interviews a unit with repeated or long overdue cases.
    case interview
    /// 集中会办: the monthly joint handling meeting decides a hard case.
    case jointMeeting
    /// 党委政府调度会办: the top rung of the ladder, a case still unsolved after 集中会办 put to the
    /// tier's leadership (001 §4.4: "提请市委、市政府集中会办"; 003 art. 18).
    case leadershipMeeting

    public var chineseName: String {
        switch self {
        case .interview: "约谈"
        case .jointMeeting: "集中会办"
        case .leadershipMeeting: "党委政府调度会办"
        }
    }
}

/// What a 约谈 or 集中会办 decided about one demand, and by when.
public struct SupervisionMeeting: Codable, Sendable, Hashable {
    public var kind: SupervisionMeetingKind
    public var heldOn: CivilDate
    public var attendees: String
    public var decision: String
    public var dueOn: CivilDate?

    public init(kind: SupervisionMeetingKind, heldOn: CivilDate, attendees: String, decision: String, dueOn: CivilDate? = nil) {
        self.kind = kind
        self.heldOn = heldOn
        self.attendees = attendees
        self.decision = decision
        self.dueOn = dueOn
    }
}

/// What the parent tier reports back about a demand the child escalated.
public struct EscalationOutcome: Codable, Sendable, Hashable {
    public var parentTenant: TenantID
    public var parentDemandID: UUID
    public var parentRegistrationNumber: DocumentNumber?
    public var parentState: DemandState
    public var resultClass: ResultClass?
    public var answer: String?

    public init(
        parentTenant: TenantID,
        parentDemandID: UUID,
        parentRegistrationNumber: DocumentNumber?,
        parentState: DemandState,
        resultClass: ResultClass? = nil,
        answer: String? = nil
    ) {
        self.parentTenant = parentTenant
        self.parentDemandID = parentDemandID
        self.parentRegistrationNumber = parentRegistrationNumber
        self.parentState = parentState
        self.resultClass = resultClass
        self.answer = answer
    }

    /// The parent closed the demand: the enterprise accepted the result there.
    public var isClosed: Bool { parentState == .closed }
}
