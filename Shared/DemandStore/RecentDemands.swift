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

    /// A demand as this process last read or wrote it, with its history as JSON text.
    struct Copy: Sendable {
        var demand: Demand
        var historyJSON: String
    }

    static let shared = RecentDemands(capacity: 1024)

    private let copies = Mutex<[UUID: Copy]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func copy(_ id: UUID) -> Copy? {
        copies.withLock { $0[id] }
    }

    func remember(_ demand: Demand, historyJSON: String) {
        copies.withLock { copies in
            if copies[demand.id] == nil, copies.count >= capacity { copies.remove(at: copies.startIndex) }
            copies[demand.id] = Copy(demand: demand, historyJSON: historyJSON)
        }
    }

    static func known(_ copy: Copy?) -> Known {
        guard let copy, let last = copy.demand.history.last else { return .none }
        return Known(length: copy.demand.history.count, lastTransitionID: last.id.uuidString)
    }

    /// The history of `demand` as a JSON array: the known copy's text with only the transitions
    /// beyond it encoded, when `demand` extends that copy (a saved demand usually grew by one step
    /// from the one loaded); all of it encoded otherwise.
    func historyJSON(of demand: Demand, encode: ([Transition]) throws -> String) rethrows -> String {
        let history = demand.history
        guard let copy = copy(demand.id), let last = copy.demand.history.last else { return try encode(history) }
        let count = copy.demand.history.count
        guard count <= history.count, history[count - 1].id == last.id, copy.historyJSON.hasSuffix("]") else {
            return try encode(history)
        }
        guard count < history.count else { return copy.historyJSON }
        let beyond = try encode(Array(history[count...]))
        return copy.historyJSON.dropLast() + "," + beyond.dropFirst()
    }
}
