import DemandDomain
import DemandStore
import Foundation
import LocalStack
import Logging
import Messaging
import PlatformEvents
import PostgresNIO
import PostgresStorage
import Tenancy
import Testing

/// Row-level security on the demand table every service of demands stores, on a real Postgres: the
/// service's own pool sees every row without a statement to enter its scope; on the readers' pool a
/// transaction that entered no scope sees and writes nothing, and for each kind of person the rows
/// Postgres shows, the list's condition and the in-process check are the same set.
@Suite("Row-level security on demands", .enabled(if: StackEnvironment.current.hasPostgres))
struct DemandRowSecurityTests {
    let history = ReportingHistory()
    let logger = ReportingHistory.quietLogger("row-security-test")

    /// County A's enterprise `ent-a`, paired with cadre `c-a`, raised a demand now with its cadre.
    func underReview() throws -> Demand {
        let county = history.countyA
        let party = EnterpriseParty(id: "ent-a", tenant: county, pairedCadreID: "c-a")
        return try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: party,
                registrationNumber: history.number(county, .registration, 1))),
                Actor(role: .enterprise, tenant: county, id: "liaison-a", enterpriseID: "ent-a"), ReportingHistory.at("2024-03-01", 9)),
        ]).0
    }

    /// County B's enterprise `ent-b`, with no cadre, raised a demand dispatched to unit `b-u1`.
    func dispatched() throws -> Demand {
        let county = history.countyB
        let party = EnterpriseParty(id: "ent-b", tenant: county, pairedCadreID: nil)
        return try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: party,
                registrationNumber: history.number(county, .registration, 1))),
                Actor(role: .enterprise, tenant: county, id: "liaison-b", enterpriseID: "ent-b"), ReportingHistory.at("2024-03-01", 9)),
            (.dispatch(Assignment(leadUnit: history.unit("b-u1", county), number: history.number(county, .dispatch, 1))),
                Actor(role: .dispatcher, tenant: county, id: "d-b"), ReportingHistory.at("2024-03-01", 11)),
        ]).0
    }

    /// `demand` approved by its cadre and dispatched to unit a-u9, as the status events tell intake.
    func dispatchedLater(_ demand: Demand) throws -> Demand {
        var demand = demand
        let rules = history.rules
        for (action, actor, hour) in [
            (DemandAction.approve(Approval()), Actor(role: .cadre, tenant: demand.tenant, id: "c-a"), 10),
            (.dispatch(Assignment(leadUnit: history.unit("a-u9", demand.tenant), number: history.number(demand.tenant, .dispatch, 1))),
                Actor(role: .dispatcher, tenant: demand.tenant, id: "d-a"), 11),
        ] {
            let at = ReportingHistory.at("2024-03-01", hour)
            try demand.apply(action, by: actor, at: at, context: rules.context(for: demand, at: at))
        }
        return demand
    }

    func ids(_ sql: String, on connection: PostgresConnection) async throws -> Set<UUID> {
        var ids: Set<UUID> = []
        for try await id in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(UUID.self) { ids.insert(id) }
        return ids
    }

    @Test("Without a scope a transaction sees and changes no demand; each person sees in Postgres what the policy lets them read")
    func scopes() async throws {
        try await history.withDemandStore("rls", logger: logger) { database in
            // People's reads take connections that start in no scope, as a service's readers' pool does.
            let readers = history.database("rls", logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await readers.client.run() }
                defer { group.cancelAll() }
                try await scopes(database, readers)
            }
        }
    }

    /// `database` is the service's own pool (in the service's scope), `readers` the people's.
    func scopes(_ database: Database, _ readers: Database) async throws {
        let recorder = DemandRecorder(rules: history.rules, ownedSteps: [.review, .dispatch], source: "test", logger: logger)
        let (a, b) = (try underReview(), try dispatched())
        for demand in [a, b] {
            _ = try await database.transaction { connection in try await recorder.receive(DemandRecord(demand), on: connection) }
        }
        // As intake's copy learns from a status event: the demand went on to unit a-u9, which may read it here too.
        let position = DemandPosition(try dispatchedLater(a), rules: history.rules)
        try await database.transaction { try await recorder.repository.follow([DemandNews(id: a.id, position: position, depth: 0, unitIDs: ["a-u9"])], on: $0) }
        #expect(try await database.transaction { try await ids("SELECT id FROM demands", on: $0) } == [a.id, b.id])
        let stored = try await database.transaction { connection in
            [try await recorder.repository.loadCurrent(a.id, on: connection), try await recorder.repository.loadCurrent(b.id, on: connection)]
                .compactMap { $0 }
        }

        // No scope: nothing to read, nothing to change, nothing to add.
        let unscoped = try await readers.transaction { connection in
            (try await ids("SELECT id FROM demands", on: connection),
             try await ids("UPDATE demands SET flagged = true RETURNING id", on: connection),
             try await recorder.repository.load(a.id, on: connection))
        }
        #expect(unscoped.0.isEmpty && unscoped.1.isEmpty && unscoped.2 == nil)
        // Entering the service's scope there sees what the service's own pool sees from the start.
        let entered = try await readers.transaction { connection in
            try await DemandScope.system.enter(on: connection, logger: logger)
            return try await ids("SELECT id FROM demands", on: connection)
        }
        #expect(entered == [a.id, b.id])
        await #expect(throws: PSQLError.self) {
            try await readers.transaction { connection in
                _ = try await recorder.receive(DemandRecord(try dispatched()), on: connection)
            }
        }

        let policy = history.rules.policy
        let people: [(Principal, Set<UUID>)] = [
            (Principal(subject: "liaison-a", role: .enterprise, tenant: history.countyA, enterpriseID: "ent-a"), [a.id]),
            (Principal(subject: "liaison-x", role: .enterprise, tenant: history.countyA), []),
            (Principal(subject: "c-a", role: .cadre, tenant: history.countyA), [a.id]),
            (Principal(subject: "c-b", role: .cadre, tenant: history.countyB), []),
            (Principal(subject: "ua-b", role: .unitAdmin, tenant: history.countyB, unitID: "b-u1"), [b.id]),
            (Principal(subject: "ua-a", role: .unitAdmin, tenant: history.countyA, unitID: "a-u1"), []),
            (Principal(subject: "ua-a9", role: .unitAdmin, tenant: history.countyA, unitID: "a-u9"), [a.id]),
            (Principal(subject: "d-a", role: .dispatcher, tenant: history.countyA), [a.id]),
            (Principal(subject: "d-b", role: .dispatcher, tenant: history.countyB), [b.id]),
            (Principal(subject: "o-c", role: .office, tenant: history.city), [a.id, b.id]),
            (Principal(subject: "i-a", role: .inspector, tenant: history.countyA), [a.id]),
        ]
        for (principal, expected) in people {
            let scope = policy.scope(for: principal)
            let (seen, listed) = try await readers.transaction { connection in
                try await scope.enter(on: connection, logger: logger)
                return (try await ids("SELECT id FROM demands", on: connection),
                    Set(try await recorder.repository.list(in: scope, filter: DemandFilter(), on: connection).map(\.id)))
            }
            let allowed = Set(stored.filter { policy.canRead($0.visibility, as: principal) }.map(\.demand.id))
            #expect(seen == expected, "\(principal.role) \(principal.subject) sees \(seen) in Postgres")
            #expect(listed == expected, "\(principal.role) \(principal.subject) lists \(listed)")
            #expect(allowed == expected, "\(principal.role) \(principal.subject) may read \(allowed) in process")
        }
    }
}
