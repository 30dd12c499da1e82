import DemandDomain
import Foundation
import Synchronization

/// Demands this process decoded lately, so that a load of a row whose history has not changed
/// since skips turning the history into text in Postgres and decoding it here: that JSON was the
/// largest part of a service's CPU per action and per view.
///
/// A load names the copy it holds (history length and last transition id); Postgres sends the
/// history only when the row differs. Transition ids are unique and a history only grows, so a
/// row with the same length and last transition has the same history; a copy from a transaction
/// that rolled back names a transition no row has, and is never matched.
final class RecentDemands: Sendable {
    /// The copy a load names: what Postgres compares the row with.
    struct Known: Sendable {
        var length: Int
        var lastTransitionID: String

        static let none = Known(length: -1, lastTransitionID: "")
    }

    static let shared = RecentDemands(capacity: 1024)

    private let demands = Mutex<[UUID: Demand]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func demand(_ id: UUID) -> Demand? {
        demands.withLock { $0[id] }
    }

    func remember(_ demand: Demand) {
        demands.withLock { demands in
            if demands[demand.id] == nil, demands.count >= capacity { demands.remove(at: demands.startIndex) }
            demands[demand.id] = demand
        }
    }

    static func known(_ demand: Demand?) -> Known {
        guard let demand, let last = demand.history.last else { return .none }
        return Known(length: demand.history.count, lastTransitionID: last.id.uuidString)
    }
}
