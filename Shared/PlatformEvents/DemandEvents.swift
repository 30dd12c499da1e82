import DemandDomain
import Foundation
import InputValidation
import PlatformWire
import Tenancy

/// Event types, versioned. A consumer that meets a type it does not know dead-letters the message.
public enum EventType {
    /// intake → dispatch (same tier): reviewed demands ready for routing.
    public static let demandReadyForDispatch = "cn.qyfw.demand.ready-for-dispatch.v1"
    /// dispatch → handling: an assignment to a lead unit and cooperating units.
    public static let demandAssigned = "cn.qyfw.demand.assigned.v1"
    /// dispatch (county) → intake (parent): an escalation (转报).
    public static let demandEscalated = "cn.qyfw.demand.escalated.v1"
    /// handling → dispatch: "not our remit", back to the dispatcher.
    public static let demandReturned = "cn.qyfw.demand.returned.v1"
    /// parent tier → origin tier: how an escalated demand is going.
    public static let escalationOutcome = "cn.qyfw.demand.escalation-outcome.v1"
    /// Every transition of every demand, for the notifier and reporting.
    public static let demandStatus = "cn.qyfw.demand.status.v1"
    /// A deadline became due soon or overdue (each once).
    public static let deadlineAlert = "cn.qyfw.demand.deadline-alert.v1"
    /// handling → notifier: a class-B answer's promised day has come without a completion report (``PromiseDueEvent``).
    public static let promiseDue = "cn.qyfw.demand.promise-due.v1"
    /// A directory entry (person, unit, enterprise) as its owner holds it now.
    public static let directoryEntry = "cn.qyfw.directory.entry.v1"
    /// intake → notifier: a cadre is behind with the month's pairing duties (``PairingReminderEvent``).
    public static let pairingReminder = "cn.qyfw.pairing.reminder.v1"
    /// intake → notifier: an enterprise is asked to appraise its cadre for the quarter (``AppraisalRequestEvent``).
    public static let appraisalRequest = "cn.qyfw.pairing.appraisal-request.v1"
    /// intake → notifier: an enterprise has a new cadre (``PairingAssignedEvent``).
    public static let pairingAssigned = "cn.qyfw.pairing.assigned.v1"
    /// intake → notifier: the office sent a prompt letter to a pairing group (``PromptLetterIssuedEvent``).
    public static let promptLetterIssued = "cn.qyfw.pairing.prompt-letter.v1"
    /// intake → notifier: the office published an announcement for the tier's enterprises (``NoticePublishedEvent``).
    public static let noticePublished = "cn.qyfw.notices.published.v1"
    /// intake → notifier: the office interviewed a unit about its overdue demands (``UnitInterviewRecordedEvent``).
    public static let unitInterviewRecorded = "cn.qyfw.supervision.unit-interview.v1"
    /// intake → reporting: a cadre solved a difficulty on the spot (``SelfResolvedMatterEvent``).
    public static let selfResolvedMatter = "cn.qyfw.pairing.self-resolved.v1"
    /// intake → notifier: the office approved or refused an enterprise's online account application
    /// (``AccountApplicationDecidedEvent``).
    public static let accountApplicationDecided = "cn.qyfw.accounts.application-decided.v1"
    /// reporting → notifier: a unit or an office has not yet submitted periodic returns (``ReturnReminderEvent``).
    public static let returnReminder = "cn.qyfw.returns.reminder.v1"
    /// reporting → notifier: the office issued the month's bulletin to the tier's leaders (``BriefingIssuedEvent``).
    public static let briefingIssued = "cn.qyfw.reports.briefing-issued.v1"
}

/// A demand handed from one service to another: the whole history. The receiver checks what is new
/// to it against the rules before it takes the demand on: all of it for a demand it does not hold,
/// the transitions beyond its copy otherwise.
public struct DemandRecord: Codable, Sendable, Hashable {
    public var id: UUID
    public var tenant: TenantID
    public var history: [Transition]

    public init(_ demand: Demand) {
        id = demand.id
        tenant = demand.tenant
        history = demand.history
    }

    public func demand() throws(HistoryError) -> Demand {
        try Demand(id: id, tenant: tenant, history: history)
    }
}

/// The parent tier's news about a demand a child escalated.
public struct EscalationOutcomeReport: Codable, Sendable, Hashable {
    public var originTenant: TenantID
    public var originDemandID: UUID
    public var outcome: EscalationOutcome

    public init(originTenant: TenantID, originDemandID: UUID, outcome: EscalationOutcome) {
        self.originTenant = originTenant
        self.originDemandID = originDemandID
        self.outcome = outcome
    }
}

/// What the notifier and reporting need to know about a demand, in every status event.
public struct DemandSummary: Codable, Sendable, Hashable {
    public var id: UUID
    public var tenant: TenantID
    public var registrationNumber: DocumentNumber?
    public var enterpriseID: String?
    public var enterpriseName: String?
    public var enterpriseTenant: TenantID?
    public var pairedCadreID: String?
    public var contactName: String?
    /// The contact's mobile; nil when the form gave a landline (the enterprise's liaison in the
    /// directory is texted instead).
    public var contactPhone: MobileNumber?
    public var category: DemandCategory?
    public var industryGroup: IndustryGroup?
    public var isConsultation: Bool
    public var origin: EscalationOrigin?
    public var leadUnit: UnitRef?
    public var cooperatingUnits: [UnitRef]
    public var lastDispatcherID: String?
    public var escalatedTo: TenantID?
    public var createdAt: Date?

    public init(_ demand: Demand) {
        let status = demand.status
        id = demand.id
        tenant = demand.tenant
        registrationNumber = status.registrationNumber
        enterpriseID = status.enterprise?.id
        enterpriseName = status.content?.enterprise.name
        enterpriseTenant = status.enterprise?.tenant
        pairedCadreID = status.enterprise?.pairedCadreID
        contactName = status.content?.contact.name
        contactPhone = status.content?.contact.phone.mobile
        category = status.content?.category
        industryGroup = status.content?.industryGroup
        isConsultation = status.content?.isConsultation ?? false
        origin = status.origin
        leadUnit = status.assignment?.leadUnit
        cooperatingUnits = status.assignment?.cooperatingUnits ?? []
        lastDispatcherID = status.lastDispatcherID
        escalatedTo = status.escalation?.parent
        createdAt = status.createdAt
    }
}

/// One transition of a demand, with its context: published for every state change.
public struct DemandStatusEvent: Codable, Sendable, Hashable {
    public var demand: DemandSummary
    public var transition: Transition
    public var state: DemandState
    /// Deadlines running after the transition.
    public var openDeadlines: [StepDeadline]
    /// Steps the transition finished, and whether in time.
    public var completedSteps: [StepCompletion]

    public init(demand: Demand, transition: Transition, openDeadlines: [StepDeadline], completedSteps: [StepCompletion]) {
        self.demand = DemandSummary(demand)
        self.transition = transition
        self.state = demand.state ?? transition.to
        self.openDeadlines = openDeadlines
        self.completedSteps = completedSteps
    }
}

/// A ``DemandStatusEvent`` as a follower reads every one of them: the same message without the
/// transition's action, whose payload (a submission's whole form, say) is most of the event and
/// most of the cost of decoding it. A follower that must apply the transition itself decodes the
/// whole event then.
public struct DemandStatusNews: Codable, Sendable, Hashable {
    public struct Step: Codable, Sendable, Hashable {
        public struct Action: Codable, Sendable, Hashable {
            public var kind: DemandAction.Kind
        }

        public var id: UUID
        public var sequence: Int
        public var at: Date
        public var action: Action

        public var kind: DemandAction.Kind { action.kind }
    }

    public var demand: DemandSummary
    public var transition: Step
    public var state: DemandState
    public var openDeadlines: [StepDeadline]
}

/// A class-B answer's promised day (计划完成时间) has come and the lead unit has not reported the plan
/// carried out: sent once per promise, on the day or at the first scan after it.
public struct PromiseDueEvent: Codable, Sendable, Hashable {
    public var demand: DemandSummary
    public var plannedCompletion: CivilDate

    public init(demand: Demand, plannedCompletion: CivilDate) {
        self.demand = DemandSummary(demand)
        self.plannedCompletion = plannedCompletion
    }
}

/// A step of a demand became due soon, or overdue.
public struct DeadlineAlertEvent: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        case dueSoon
        case overdue
    }

    public var demand: DemandSummary
    public var state: DemandState
    public var step: DemandStep
    public var kind: Kind
    public var dueAt: Date
    /// For overdue alerts: working days past due when it fired.
    public var overdueWorkingDays: Int?

    public init(demand: Demand, step: DemandStep, kind: Kind, dueAt: Date, overdueWorkingDays: Int?) {
        self.demand = DemandSummary(demand)
        self.state = demand.state ?? .awaitingReview
        self.step = step
        self.kind = kind
        self.dueAt = dueAt
        self.overdueWorkingDays = overdueWorkingDays
    }
}
