import DemandStore
import Foundation
import Messaging
import PlatformEvents
import PostgresNIO
import Synchronization
import Tenancy

/// What the planner did for one consumer batch's events, held until they are all planned: the SMS
/// intents, stored then in one statement instead of one per event, and the directory's answers,
/// each asked once per batch (a batch's events often text the same cadre, liaison or dispatchers).
/// The answers live only as long as the batch's transaction, so they are as current as its reads.
final class PlanningBatch: Sendable {
    @TaskLocal static var current: PlanningBatch?

    /// A question put to the directory about the people to text.
    enum DirectoryQuery: Hashable, Sendable {
        case person(id: String)
        case people(roles: [Role], tenant: TenantID?, unitIDs: [String]?)
    }

    let connection: PostgresConnection
    private let state = Mutex<State>(State())

    private struct State {
        var intents: [IntentPlanner.HeldIntent] = []
        var answers: [DirectoryQuery: [DirectoryPerson]] = [:]
    }

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The batch under way on `connection`, if any.
    static func current(on connection: PostgresConnection) -> PlanningBatch? {
        current.flatMap { $0.connection === connection ? $0 : nil }
    }

    func hold(_ intents: [IntentPlanner.HeldIntent]) {
        state.withLock { $0.intents += intents }
    }

    func takeIntents() -> [IntentPlanner.HeldIntent] {
        state.withLock { state in
            defer { state.intents = [] }
            return state.intents
        }
    }

    func answer(to query: DirectoryQuery) -> [DirectoryPerson]? {
        state.withLock { $0.answers[query] }
    }

    func remember(_ people: [DirectoryPerson], as query: DirectoryQuery) {
        state.withLock { $0.answers[query] = people }
    }
}

extension IntentPlanner: EventBatchScope {
    /// Plans a batch's events with one ``PlanningBatch``, then stores their intents together.
    func run<Value>(on connection: PostgresConnection, _ handlers: () async throws -> Value) async throws -> Value {
        let batch = PlanningBatch(connection: connection)
        let value = try await PlanningBatch.$current.withValue(batch) { try await handlers() }
        try await store(batch.takeIntents(), on: connection)
        return value
    }

    /// The people a query names, from the batch's earlier answer when there is one.
    private func lookUp(_ query: PlanningBatch.DirectoryQuery, on connection: PostgresConnection) async throws -> [DirectoryPerson] {
        let batch = PlanningBatch.current(on: connection)
        if let known = batch?.answer(to: query) { return known }
        let found: [DirectoryPerson] =
            switch query {
            case .person(let id): try await directory.person(id, on: connection).map { [$0] } ?? []
            case .people(let roles, let tenant, let unitIDs):
                try await directory.people(roles: roles, tenant: tenant, unitIDs: unitIDs, on: connection)
            }
        batch?.remember(found, as: query)
        return found
    }

    func directoryPerson(_ id: String, on connection: PostgresConnection) async throws -> DirectoryPerson? {
        try await lookUp(.person(id: id), on: connection).first
    }

    /// Active people with one of `roles`, in a tier and/or units.
    func directoryPeople(roles: [Role], tenant: TenantID? = nil, unitIDs: [String]? = nil, on connection: PostgresConnection)
        async throws -> [DirectoryPerson]
    {
        try await lookUp(.people(roles: roles, tenant: tenant, unitIDs: unitIDs), on: connection)
    }
}
