import DemandDomain
import DemandStore
import Foundation
import LocalStack
import Logging
import Messaging
import PlatformEvents
import PostgresNIO
import PostgresStorage
import Synchronization
import Tenancy
import Testing

/// The deadline scan on a real Postgres: the rating reminder, then the closure of a demand whose
/// rating did not come (002 §14), each once.
@Suite("Deadline scan", .enabled(if: StackEnvironment.current.hasPostgres))
struct DeadlineScannerTests {
    let history = ReportingHistory()
    let logger = ReportingHistory.quietLogger("scanner-test")

    /// A county demand answered on Monday 4 March 2024 at 10:00: its five rating days run from
    /// Tuesday 5 March to the end of Monday 11 March.
    func answered() throws -> Demand {
        let county = history.countyA
        let enterprise = Actor(role: .enterprise, tenant: county, id: "e1", enterpriseID: "ent-a")
        let unit = Actor(role: .unitAdmin, tenant: county, id: "ua1", unitID: "a-u1")
        let party = EnterpriseParty(id: "ent-a", tenant: county, pairedCadreID: nil)
        let a = ReportingHistory.at
        return try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: party, registrationNumber: history.number(county, .registration, 1))),
                enterprise, a("2024-02-29", 9)),
            (.dispatch(Assignment(leadUnit: history.unit("a-u1", county), number: history.number(county, .dispatch, 1))),
                Actor(role: .dispatcher, tenant: county, id: "d"), a("2024-02-29", 11)),
            (.sign(Signature()), unit, a("2024-03-01", 9)),
            (.submitResult(ResultReport(resultClass: .a, answer: "已解决")), unit, a("2024-03-04", 10)),
        ]).0
    }

    func outboxTypes(_ database: Database) async throws -> [String] {
        let rows = try await database.query("SELECT convert_from(payload, 'UTF8')::jsonb->>'type' FROM outbox ORDER BY id")
        return try rows.decode(String.self)
    }

    func deadlineSteps(_ database: Database) async throws -> [String] {
        try await database.query("SELECT step FROM deadlines ORDER BY step").decode(String.self)
    }

    @Test("The enterprise is reminded on the third rating day; when the fifth ends unrated the demand closes as 未评价, once")
    func ratingRunsOut() async throws {
        try await history.withDemandStore("scan", logger: logger) { database in
            let recorder = DemandRecorder(rules: history.rules, ownedSteps: [.sign, .result, .rating], source: "test", logger: logger)
            let demand = try answered()
            _ = try await database.transaction { connection in try await recorder.receive(DemandRecord(demand), on: connection) }
            let expired = Mutex<[DemandAction.Kind]>([])
            let scanner = DeadlineScanner(database: database, recorder: recorder, interval: .seconds(1),
                afterExpiry: { recorded, _ in expired.withLock { $0.append(recorded.transition.kind) } }, afterCommit: { _ in })
            let a = ReportingHistory.at

            #expect(try await scanner.scanOnce(now: a("2024-03-06", 23)) == 0, "nothing before the third rating day")
            #expect(try await scanner.scanOnce(now: a("2024-03-07", 8)) == 1)
            #expect(try await outboxTypes(database) == [EventType.deadlineAlert])
            #expect(try await scanner.scanOnce(now: a("2024-03-08", 8)) == 0, "one reminder")
            // Any save of the demand writes its deadline rows again; the same step and due time keep the reminder sent.
            let planner = history.rules.planner(for: demand.tenant)
            try await database.transaction { connection in try await recorder.deadlines.sync(demand, planner: planner, on: connection) }
            #expect(try await deadlineSteps(database) == ["rating"])
            #expect(try await scanner.scanOnce(now: a("2024-03-08", 9)) == 0, "one reminder, also after the rows were written again")

            #expect(try await scanner.scanOnce(now: a("2024-03-11", 23)) == 0, "the last rating day is whole")
            #expect(try await scanner.scanOnce(now: a("2024-03-12", 0)) == 1)
            let closed = try await database.transaction { connection in try await recorder.repository.load(demand.id, on: connection) }
            #expect(closed?.state == .closed)
            #expect(closed?.history.last?.kind == .closeUnrated)
            #expect(closed?.history.last?.actor.role == .system)
            #expect(closed?.status.lastRating == nil, "closed without a rating")
            #expect(expired.withLock { $0 } == [.closeUnrated])
            #expect(try await outboxTypes(database) == [EventType.deadlineAlert, EventType.demandStatus], "a status event, no overdue alert")
            #expect(try await scanner.scanOnce(now: a("2024-03-20", 0)) == 0, "closed once")
            #expect(try await deadlineSteps(database) == [], "a closed demand keeps no deadline")
        }
    }
}
