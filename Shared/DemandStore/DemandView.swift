import DemandDomain
import Foundation
import InputValidation
import Tenancy

/// A demand as the APIs show it: its content, parties, routing, results, where it is now, the
/// deadlines running there with their status now, and the history held here.
public struct DemandView: Encodable, Sendable {
    public struct DeadlineView: Encodable, Sendable {
        public var step: DemandStep
        public var stepName: String
        public var startedAt: Date
        public var budgetDays: Int
        public var dueAt: Date?
        public var paused: Bool
        /// `onTrack`, `dueSoon`, `overdue` or `paused`.
        public var status: String
        public var overdueWorkingDays: Int?
    }

    public struct HistoryEntry: Encodable, Sendable {
        public var sequence: Int
        public var kind: DemandAction.Kind
        public var kindName: String
        public var at: Date
        public var actor: Actor
        public var from: DemandState?
        public var to: DemandState
        public var action: DemandAction
    }

    public var id: UUID
    public var tenant: TenantID
    public var state: DemandState?
    public var stateName: String?
    /// Where the demand is now and who must act; its deadlines are the ones below.
    public var location: DemandLocation
    public var registrationNumber: String?
    public var content: DemandContent?
    public var enterprise: EnterpriseParty?
    public var origin: EscalationOrigin?
    public var assignment: Assignment?
    public var escalation: EscalationSlip?
    public var outcome: EscalationOutcome?
    public var lastResult: ResultReport?
    public var lastRating: Rating?
    public var refusal: Refusal?
    /// The demand this one was merged into (并单); the location then shows where that one is.
    public var merger: Merger?
    /// The pairing leader's last word on closing it, where the tier asks for it (Fuyuan).
    public var closureDecision: ClosureDecision?
    /// Who answers for the demand at the lead unit, as named when signing.
    public var signature: Signature?
    /// Cooperating units' opinions to the lead unit under the current routing.
    public var opinions: [UnitOpinion]
    public var pendingExtension: ExtensionRequest?
    public var clockPausedSince: Date?
    public var urgeCount: Int
    public var lastUrge: UrgeLetter?
    public var flag: SupervisionFlag?
    public var lastFollowUpAt: Date?
    public var meetings: [SupervisionMeeting]
    public var completion: CompletionReport?
    /// A class-B plan not yet reported carried out (``DemandStatus/awaitsCompletion``).
    public var awaitsCompletion: Bool
    public var deadlines: [DeadlineView]
    public var history: [HistoryEntry]

    /// A demand just changed here: it is where this service holds it.
    public init(_ demand: Demand, rules: TierRules, now: Date = Date()) {
        self.init(CurrentDemand(demand: demand, state: demand.state, position: nil), rules: rules, now: now)
    }

    /// A demand as read here: this service's copy, with the state and location the status events
    /// reported since it was handed on.
    public init(_ current: CurrentDemand, rules: TierRules, now: Date = Date()) {
        let demand = current.demand
        let status = demand.status
        let position = current.position ?? DemandPosition(demand, rules: rules)
        id = demand.id
        tenant = demand.tenant
        state = current.state
        stateName = current.state?.chineseName
        location = position.location
        registrationNumber = status.registrationNumber?.description
        content = status.content
        enterprise = status.enterprise
        origin = status.origin
        assignment = status.assignment
        escalation = status.escalation
        outcome = status.outcome
        lastResult = status.lastResult
        lastRating = status.lastRating
        refusal = status.refusal
        merger = current.merger
        closureDecision = status.closureDecision
        signature = status.signature
        opinions = status.opinions
        pendingExtension = status.pendingExtension
        clockPausedSince = status.clockPausedSince
        urgeCount = status.urgeCount
        lastUrge = status.lastUrge
        flag = status.flag
        lastFollowUpAt = status.lastFollowUpAt
        meetings = status.meetings
        completion = status.completion
        awaitsCompletion = status.awaitsCompletion
        let planner = rules.planner(for: position.location.tenant)
        // A demand this service saw end runs no deadline, even while the news of the copy that
        // moved it last (an escalated demand's, at the parent tier) is still on its way here.
        let running = current.state?.hasEnded == true ? [] : position.deadlines
        deadlines = running.map { deadline in
            let current = try? planner.status(of: deadline, at: now)
            var overdueDays: Int?
            let label: String
            switch current {
            case .onTrack?: label = "onTrack"
            case .dueSoon?: label = "dueSoon"
            case .overdue(let days)?:
                label = "overdue"
                overdueDays = days
            case .paused?, nil: label = "paused"
            }
            return DeadlineView(
                step: deadline.step, stepName: deadline.step.chineseName, startedAt: deadline.startedAt,
                budgetDays: deadline.budgetDays, dueAt: deadline.dueAt, paused: deadline.isPaused, status: label,
                overdueWorkingDays: overdueDays)
        }
        history = demand.history.map {
            HistoryEntry(sequence: $0.sequence, kind: $0.kind, kindName: $0.kind.chineseName, at: $0.at, actor: $0.actor,
                from: $0.from, to: $0.to, action: $0.action)
        }
    }
}
