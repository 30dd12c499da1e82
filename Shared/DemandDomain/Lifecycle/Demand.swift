import Foundation
import InputValidation
import Tenancy

/// What an action may depend on besides the demand itself: the tier's procedure and position.
public struct TransitionContext: Sendable, Hashable {
    public var procedure: ProcedureProfile
    /// The parent tier, where escalations go; nil for the top tier.
    public var parentTier: TenantID?
    /// Tiers whose office may supervise this demand: its own tier and every ancestor.
    public var supervisingTenants: Set<TenantID>
    /// Whether the step the unit holds is overdue now (urge letters are for overdue steps).
    public var currentStepOverdue: Bool
    /// Working days the result step may reach with extensions, for an ordinary and a major matter.
    public var resultCapDays: Int
    public var majorMatterCapDays: Int
    /// Working days already allowed for the current result step (standard plus granted).
    public var currentResultBudgetDays: Int

    /// Prefer ``DeadlinePlanner/transitionContext(for:parentTier:supervisingTenants:at:)``, which
    /// derives the time-dependent fields from the demand's deadlines.
    /// The day the action is taken, in China (a class-B plan cannot be due before it).
    public var today: CivilDate?
    /// Whether an accepted answer waits for the pairing leader's agreement before closing (the
    /// tier's setting, ``Tenant/closureNeedsPairingLeader``).
    public var closureNeedsPairingLeader = false

    public init(
        procedure: ProcedureProfile,
        parentTier: TenantID?,
        supervisingTenants: Set<TenantID>,
        currentStepOverdue: Bool,
        resultCapDays: Int,
        majorMatterCapDays: Int,
        currentResultBudgetDays: Int,
        today: CivilDate? = nil
    ) {
        self.today = today
        self.procedure = procedure
        self.parentTier = parentTier
        self.supervisingTenants = supervisingTenants
        self.currentStepOverdue = currentStepOverdue
        self.resultCapDays = resultCapDays
        self.majorMatterCapDays = majorMatterCapDays
        self.currentResultBudgetDays = currentResultBudgetDays
    }
}

/// A demand: its identity and its history. Everything else (``status``) is folded from the history.
public struct Demand: Sendable, Hashable {
    public let id: UUID
    public let tenant: TenantID
    public private(set) var history: [Transition]
    public private(set) var status: DemandStatus

    /// A demand that does not exist yet; its first action creates it.
    public init(id: UUID, tenant: TenantID) {
        self.id = id
        self.tenant = tenant
        self.history = []
        self.status = DemandStatus()
    }

    /// Rebuilds a demand from its history, checking that every transition follows the rules.
    public init(id: UUID, tenant: TenantID, history: [Transition]) throws(HistoryError) {
        self.init(id: id, tenant: tenant)
        for transition in history {
            try append(replayed: transition)
        }
    }

    /// A demand as this service recorded it (or accepted it), folded without checking its history
    /// against today's rules again: a rule changed since cannot make a stored demand unloadable.
    /// Input from elsewhere goes through ``init(id:tenant:history:)`` or ``append(replayed:)``.
    public init(id: UUID, tenant: TenantID, recorded history: [Transition]) {
        self.init(id: id, tenant: tenant)
        for transition in history {
            self.history.append(transition)
            status.fold(transition)
        }
    }

    public var state: DemandState? { status.state }

    /// Appends a transition recorded elsewhere (another service, a replay), checking its sequence
    /// and that its states follow from the previous one.
    public mutating func append(replayed transition: Transition) throws(HistoryError) {
        guard transition.sequence == history.count + 1 else {
            throw HistoryError(sequence: transition.sequence, detail: "expected sequence \(history.count + 1)")
        }
        guard transition.from == status.state else {
            throw HistoryError(
                sequence: transition.sequence,
                detail: "starts from \(transition.from?.rawValue ?? "nothing") but the demand is \(status.state?.rawValue ?? "new")"
            )
        }
        guard DemandRules.targets(of: transition.action, from: status.state, status: status).contains(transition.to) else {
            throw HistoryError(
                sequence: transition.sequence,
                detail: "\(transition.kind.rawValue) cannot lead from \(status.state?.rawValue ?? "nothing") to \(transition.to.rawValue)"
            )
        }
        history.append(transition)
        status.fold(transition)
    }

    /// Takes an action: checks state, role, party and content, then records the transition.
    ///
    /// - Throws: ``TransitionError``; the demand is unchanged when it throws.
    /// - Returns: The recorded transition.
    @discardableResult
    public mutating func apply(
        _ action: DemandAction,
        by actor: Actor,
        at time: Date,
        context: TransitionContext,
        transitionID: UUID = UUID()
    ) throws(TransitionError) -> Transition {
        let target = try DemandRules.check(action, by: actor, demand: self, context: context)
        let transition = Transition(
            id: transitionID,
            sequence: history.count + 1,
            action: action,
            actor: actor,
            at: time,
            from: status.state,
            to: target
        )
        history.append(transition)
        status.fold(transition)
        return transition
    }
}
