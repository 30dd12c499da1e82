import DemandDomain
import Foundation
import InputValidation
import Logging
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy

/// What a transaction did to a demand, for the caller to answer with or hand on.
public struct RecordedTransition: Sendable {
    public var demand: Demand
    public var transition: Transition
}

/// How a demand handed over by another service was taken.
public enum ReceivedDemand: Sendable {
    /// New here, or an extension of what was held: stored.
    case stored(Demand)
    /// Not newer than what is held (a redelivery, or an older copy): ignored.
    case stale(Demand)
}

/// The one way intake, dispatch and handling change a demand: apply the action through the state
/// machine, save the history, rewrite the owned deadlines, and record the status event in the outbox,
/// all in the caller's transaction.
public struct DemandRecorder: Sendable {
    public let rules: TierRules
    public let repository: DemandRepository
    public let deadlines: DeadlineBook
    /// CloudEvents source of this service.
    public let source: String
    public let logger: Logger

    public init(rules: TierRules, ownedSteps: Set<DemandStep>, source: String, logger: Logger) {
        self.rules = rules
        self.repository = DemandRepository(logger: logger)
        self.deadlines = DeadlineBook(ownedSteps: ownedSteps, logger: logger)
        self.source = source
        self.logger = logger
    }

    /// Applies an action to a stored demand (locked for the transaction).
    ///
    /// - Throws: ``DemandNotFound`` when this service does not hold the demand; the state machine's
    ///   `TransitionError` when the action is refused (nothing is changed).
    public func perform(
        _ action: DemandAction,
        on id: UUID,
        by actor: Actor,
        at time: Date = Date(),
        on connection: PostgresConnection
    ) async throws -> RecordedTransition {
        guard let demand = try await repository.load(id, forUpdate: true, on: connection) else { throw DemandNotFound(id: id) }
        return try await apply(action, to: demand, by: actor, at: time, on: connection)
    }

    /// Applies an action to a demand the caller loaded (or a new one, for creation actions).
    public func apply(
        _ action: DemandAction,
        to demand: Demand,
        by actor: Actor,
        at time: Date = Date(),
        on connection: PostgresConnection
    ) async throws -> RecordedTransition {
        var updated = demand
        let transition = try updated.apply(action, by: actor, at: time, context: rules.context(for: demand, at: time))
        try await record(transition, before: demand, after: updated, on: connection)
        return RecordedTransition(demand: updated, transition: transition)
    }

    /// Saves a changed demand, its deadlines, and its status event.
    public func record(_ transition: Transition, before: Demand, after: Demand, on connection: PostgresConnection) async throws {
        let planner = rules.planner(for: after.tenant)
        let open = try await save(after, planner: planner, on: connection)
        let event = DemandStatusEvent(
            demand: after,
            transition: transition,
            openDeadlines: open,
            completedSteps: try planner.completions(of: transition, before: before, after: after))
        try await Outbox.enqueue([
            try .event(EventType.demandStatus, topic: Topics.status(after.tenant), source: source, tenant: after.tenant,
                subject: after.id.uuidString, time: transition.at, data: event, id: transition.id,
                headers: after.status.origin.map { [EventHeader.originTenant: $0.tenant.rawValue] } ?? [:])
        ], on: connection, logger: logger)
    }

    /// Hands a demand to another service (intake to dispatch, dispatch to handling or the parent
    /// tier, handling back to dispatch): its record as a `type` event on `topic`, sent when the
    /// caller's transaction commits.
    public func handOff(_ demand: Demand, as type: String, to topic: String, at time: Date = Date(), on connection: PostgresConnection)
        async throws
    {
        try await Outbox.enqueue([
            try .event(type, topic: topic, source: source, tenant: demand.tenant, subject: demand.id.uuidString, time: time,
                data: DemandRecord(demand))
        ], on: connection, logger: logger)
    }

    /// Takes on a demand another service handed over, if its history extends the one held here.
    /// What is new to this service is checked against the rules: the whole history of a demand
    /// not held here yet, only the transitions beyond the copy held otherwise (what was accepted
    /// once is not judged again by rules changed since).
    ///
    /// - Throws: ``EventRejection`` when the new transitions do not follow the rules, or the
    ///   history diverges from the one held (two services changed the demand independently): such
    ///   a message is dead-lettered.
    public func receive(_ record: DemandRecord, on connection: PostgresConnection) async throws -> ReceivedDemand {
        guard let held = try await repository.load(record.id, forUpdate: true, on: connection) else {
            return .stored(try await store(try replayed(record.id) { () throws(HistoryError) in try record.demand() }, on: connection))
        }
        let common = min(held.history.count, record.history.count)
        guard record.history.prefix(common).map(\.id) == held.history.prefix(common).map(\.id) else {
            throw EventRejection(code: "HISTORY_DIVERGES", reason: "demand \(record.id) differs from the copy held here")
        }
        guard held.history.count < record.history.count else { return .stale(held) }
        let extended = try replayed(record.id) { () throws(HistoryError) in
            var demand = held
            for transition in record.history.dropFirst(held.history.count) { try demand.append(replayed: transition) }
            return demand
        }
        return .stored(try await store(extended, on: connection))
    }

    private func replayed(_ id: UUID, _ replay: () throws(HistoryError) -> Demand) throws -> Demand {
        do {
            return try replay()
        } catch {
            throw EventRejection(code: "HISTORY_DOES_NOT_REPLAY", reason: "demand \(id): \(error)")
        }
    }

    private func store(_ demand: Demand, on connection: PostgresConnection) async throws -> Demand {
        _ = try await save(demand, planner: rules.planner(for: demand.tenant), on: connection)
        return demand
    }

    /// Saves a demand with its position and the deadline rows of the steps owned here, in one
    /// statement; returns its open deadlines.
    private func save(_ demand: Demand, planner: DeadlinePlanner, on connection: PostgresConnection) async throws -> [StepDeadline] {
        let open = try planner.openDeadlines(for: demand)
        try await repository.save(demand, position: DemandPosition(demand, deadlines: open, tree: rules.tree),
            deadlines: try deadlines.rows(open, planner: planner), on: connection)
        return open
    }

    /// Appends a transition another service made, announced by its status event, when it is the
    /// next one of the history held here (nothing is done otherwise; the full record follows by
    /// the inbox). `transition` is asked for only then. Returns whether the history grew.
    public func extend(
        _ id: UUID, toSequence sequence: Int, on connection: PostgresConnection, with transition: () throws -> Transition
    ) async throws -> Bool {
        guard var held = try await repository.lock(id, ifHistoryLength: sequence - 1, on: connection) else { return false }
        let next = try transition()
        do {
            try held.append(replayed: next)
        } catch {
            logger.warning("A status event does not extend the history held here",
                metadata: ["demand": "\(id)", "error": "\(error)"])
            return false
        }
        _ = try await save(held, planner: rules.planner(for: held.tenant), on: connection)
        return true
    }

    /// Recomputes deadlines that were computed with another calendar (a late holiday notice, a new
    /// tier closure): run at start-up, before consumers and scans, on the service's own pool.
    public func recomputeStaleDeadlines(database: Database) async throws -> Int {
        let stale = try await database.transaction { connection in
            return try await deadlines.staleDemandIDs(fingerprint: { rules.calendars.calendar(for: $0).fingerprint }, on: connection)
        }
        for id in stale {
            try await database.transaction { connection in
                guard let demand = try await repository.load(id, forUpdate: true, on: connection) else { return }
                try await deadlines.sync(demand, planner: rules.planner(for: demand.tenant), on: connection)
            }
        }
        if !stale.isEmpty {
            logger.notice("Recomputed deadlines after a calendar change", metadata: ["demands": "\(stale.count)"])
        }
        return stale.count
    }
}

public struct DemandNotFound: Error, CustomStringConvertible {
    public var id: UUID
    public var description: String { "demand \(id) is not held here" }
}
