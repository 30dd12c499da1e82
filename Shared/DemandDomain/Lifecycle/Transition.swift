import Foundation
import InputValidation
import Tenancy

/// One step in a demand's history: what happened, who did it, when, and the states around it.
public struct Transition: Codable, Sendable, Hashable, Identifiable {
    /// Unique id; services use it to recognise a transition they have already seen.
    public var id: UUID
    /// 1-based position in the demand's history.
    public var sequence: Int
    public var action: DemandAction
    public var actor: Actor
    /// When it happened, to the millisecond (so that JSON round trips keep it exact).
    public var at: Date
    public var from: DemandState?
    public var to: DemandState

    public init(
        id: UUID,
        sequence: Int,
        action: DemandAction,
        actor: Actor,
        at: Date,
        from: DemandState?,
        to: DemandState
    ) {
        self.id = id
        self.sequence = sequence
        self.action = action
        self.actor = actor
        self.at = at.truncatedToMilliseconds
        self.from = from
        self.to = to
    }

    public var kind: DemandAction.Kind { action.kind }
}

extension Date {
    /// The instant without its sub-millisecond part.
    public var truncatedToMilliseconds: Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}

/// Why an action was refused. The demand is unchanged when one of these is thrown.
public enum TransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The demand's state does not allow the action.
    case notAllowedInState(DemandAction.Kind, DemandState?)
    /// The actor's role may never take the action.
    case roleNotAllowed(DemandAction.Kind, Role)
    /// The role may take the action, but not on this demand (not its cadre, not its unit, another tier).
    case notAParty(DemandAction.Kind, String)
    /// The action's content is not acceptable.
    case invalid(FieldIssue)
    /// The demand already exists; creation actions apply only to a new demand.
    case alreadyCreated

    /// Stable code for APIs and dead-letter records.
    public var code: String {
        switch self {
        case .notAllowedInState: "TRANSITION_NOT_ALLOWED"
        case .roleNotAllowed: "ROLE_NOT_ALLOWED"
        case .notAParty: "NOT_A_PARTY"
        case .invalid(let issue): issue.code
        case .alreadyCreated: "DEMAND_EXISTS"
        }
    }

    /// Simplified Chinese message for the person who tried.
    public var message: String {
        switch self {
        case .notAllowedInState(let kind, let state):
            if let state { "诉求当前状态为「\(state.chineseName)」，不能\(kind.chineseName)" } else { "诉求不存在，不能\(kind.chineseName)" }
        case .roleNotAllowed(let kind, let role): "\(role.chineseName)无权\(kind.chineseName)"
        case .notAParty(_, let reason): reason
        case .invalid(let issue): issue.message
        case .alreadyCreated: "诉求已存在"
        }
    }

    public var description: String { "\(code): \(message)" }
}

/// A history that does not replay: a transition whose states do not follow the rules.
public struct HistoryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var sequence: Int
    public var detail: String

    public var description: String { "transition \(sequence): \(detail)" }
}
