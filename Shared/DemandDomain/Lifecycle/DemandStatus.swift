import Foundation
import InputValidation
import Tenancy

/// Everything about a demand that follows from its history: state, current content, parties,
/// assignment, clock and extension status, results and ratings.
///
/// Never stored on its own: ``Demand`` folds it from the transitions, so every service and report
/// that holds the same history sees the same status.
public struct DemandStatus: Sendable, Hashable {
    public internal(set) var state: DemandState?
    public internal(set) var content: DemandContent?
    public internal(set) var enterprise: EnterpriseParty?
    public internal(set) var registrationNumber: DocumentNumber?
    public internal(set) var origin: EscalationOrigin?
    public internal(set) var originSuggestion: String?
    /// The current routing, if the demand is (or was last) with a unit.
    public internal(set) var assignment: Assignment?
    /// Every unit the demand was ever assigned to (lead or cooperating), for the record; access
    /// follows ``currentUnitIDs``.
    public internal(set) var everAssignedUnitIDs: Set<String> = []

    /// The units the demand is assigned to now (lead and cooperating): none while it waits for
    /// routing again after a return, or went up to the parent tier. Access follows this; the
    /// history keeps who did what before.
    public var currentUnitIDs: Set<String> {
        guard let assignment, state?.isWithUnits == true else { return [] }
        return Set([assignment.leadUnit.id] + assignment.cooperatingUnits.map(\.id))
    }
    /// The dispatcher who routed it last: a "not our remit" return goes back to them.
    public internal(set) var lastDispatcherID: String?
    public internal(set) var escalation: EscalationSlip?
    public internal(set) var clockPausedSince: Date?
    public internal(set) var pendingExtension: ExtensionRequest?
    public internal(set) var lastResult: ResultReport?
    public internal(set) var lastRating: Rating?
    /// Why the office refused the demand, if it did.
    public internal(set) var refusal: Refusal?
    /// The demand this one was merged into, if it was (并单).
    public internal(set) var merger: Merger?
    /// The pairing leader's last word on closing it (Fuyuan), agreed or not.
    public internal(set) var closureDecision: ClosureDecision?
    /// The lead unit's signature under the current routing: who answers for the demand.
    public internal(set) var signature: Signature?
    /// Cooperating units' opinions under the current routing, oldest first.
    public internal(set) var opinions: [UnitOpinion] = []
    public internal(set) var lastReturn: RemitReturn?
    public internal(set) var lastSendBack: SendBack?
    public internal(set) var urgeCount = 0
    /// The last urge letter, for its printout.
    public internal(set) var lastUrge: UrgeLetter?
    /// Set while the office supervises the case by name (挂牌督办); kept after closing, for the record.
    public internal(set) var flag: SupervisionFlag?
    public internal(set) var lastFollowUpAt: Date?
    /// What 约谈 and 集中会办 decided about the demand, oldest first.
    public internal(set) var meetings: [SupervisionMeeting] = []
    /// The unit's report that a class-B plan is carried out.
    public internal(set) var completion: CompletionReport?

    /// A class-B answer whose plan the unit has not yet reported carried out: the demand stays on
    /// the office's ledger of promises (and its weekly follow-up) until it does.
    public var awaitsCompletion: Bool {
        lastResult?.resultClass == .b && completion == nil
            && (state == .awaitingRating || state == .awaitingClosureAgreement || state == .closed)
    }
    public internal(set) var supervisionRounds = 0
    public internal(set) var returnCount = 0
    public internal(set) var outcome: EscalationOutcome?
    public internal(set) var createdAt: Date?
    public internal(set) var updatedAt: Date?

    public init() {}

    /// Applies one transition's effects (its state change was checked before).
    mutating func fold(_ transition: Transition) {
        state = transition.to
        if createdAt == nil { createdAt = transition.at }
        updatedAt = transition.at
        switch transition.action {
        case .submit(let submission):
            content = submission.content
            enterprise = submission.enterprise
            registrationNumber = submission.registrationNumber
        case .receiveEscalation(let receipt):
            content = receipt.content
            enterprise = receipt.enterprise
            registrationNumber = receipt.registrationNumber
            origin = receipt.origin
            originSuggestion = receipt.suggestion
        case .edit(let edit), .resubmit(let edit):
            content = edit.content
        case .approve:
            lastSendBack = nil
        case .sendBack(let sendBack):
            lastSendBack = sendBack
        case .dispatch(let assignment):
            self.assignment = assignment
            everAssignedUnitIDs.insert(assignment.leadUnit.id)
            for unit in assignment.cooperatingUnits { everAssignedUnitIDs.insert(unit.id) }
            lastDispatcherID = transition.actor.id
            clockPausedSince = nil
            pendingExtension = nil
            signature = nil
            opinions = []
        case .refuse(let refusal):
            self.refusal = refusal
        case .merge(let merger):
            self.merger = merger
        case .escalate(let slip):
            escalation = slip
            lastDispatcherID = transition.actor.id
        case .sign(let signature):
            self.signature = signature
        case .addProgressNote, .closeUnrated:
            break
        case .submitOpinion(let opinion):
            let unit = assignment?.cooperatingUnits.first { $0.id == transition.actor.unitID }
            opinions.append(UnitOpinion(unit: unit, text: opinion.text, at: transition.at, by: transition.actor.name))
        case .pauseClock:
            clockPausedSince = transition.at
        case .resumeClock:
            clockPausedSince = nil
        case .requestExtension(let request):
            pendingExtension = request
        case .decideExtension:
            pendingExtension = nil
        case .submitResult(let result):
            lastResult = result
            completion = nil
            clockPausedSince = nil
            pendingExtension = nil
        case .returnNotOurRemit(let remitReturn):
            lastReturn = remitReturn
            returnCount += 1
            clockPausedSince = nil
            pendingExtension = nil
        case .rate(let rating):
            lastRating = rating
            if !rating.satisfied { supervisionRounds += 1 }
        case .decideClosure(let decision):
            closureDecision = decision
            if !decision.agreed { supervisionRounds += 1 }
        case .urge(let letter):
            urgeCount += 1
            lastUrge = letter
        case .flagSupervision(let flag):
            self.flag = flag
        case .superviseAnswer:
            supervisionRounds += 1
        case .recordFollowUp:
            lastFollowUpAt = transition.at
        case .recordMeeting(let meeting):
            meetings.append(meeting)
        case .reportCompletion(let report):
            completion = report
        case .recordEscalationOutcome(let outcome):
            self.outcome = outcome
        }
    }
}

/// A cooperating unit's opinion as the lead unit reads it.
public struct UnitOpinion: Codable, Sendable, Hashable {
    public var unit: UnitRef?
    public var text: String
    public var at: Date
    public var by: String?
}
