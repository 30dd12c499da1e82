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

/// What a service recorded stays loadable when the rules change: its own rows are folded, not
/// judged again, and a hop extending a demand it holds is checked only for what is new. Foreign
/// input (a demand not held yet) is still replayed against the rules in full.
@Suite("Stored demands under changed rules", .enabled(if: StackEnvironment.current.hasPostgres))
struct StoredDemandTests {
    let history = ReportingHistory()
    let logger = ReportingHistory.quietLogger("stored-demand-test")

    /// A demand submitted to county A, then flagged for supervision while it waited for dispatch: a
    /// step today's rules refuse (supervision begins once a unit holds it), standing for a history
    /// recorded under rules since changed.
    func recordedUnderEarlierRules() throws -> Demand {
        let county = history.countyA
        let submitted = try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: EnterpriseParty(id: "ent-a", tenant: county, pairedCadreID: nil),
                registrationNumber: history.number(county, .registration, 1))),
                Actor(role: .enterprise, tenant: county, id: "liaison-a", enterpriseID: "ent-a"), ReportingHistory.at("2024-03-01", 9)),
        ]).0
        let flagged = Transition(id: UUID(), sequence: 2, action: .flagSupervision(SupervisionFlag(reason: "重点项目")),
            actor: Actor(role: .office, tenant: county, id: "office-a"), at: ReportingHistory.at("2024-03-01", 10),
            from: .awaitingDispatch, to: .awaitingDispatch)
        return Demand(id: submitted.id, tenant: county, recorded: submitted.history + [flagged])
    }

    @Test("A history today's rules refuse still loads, a hop extending it applies, and a new one carrying it is refused")
    func changedRules() async throws {
        try await history.withDemandStore("stored", logger: logger) { database in
            let rules = history.rules
            let recorder = DemandRecorder(rules: rules, ownedSteps: [.dispatch], source: "test", logger: logger)
            let old = try recordedUnderEarlierRules()
            #expect(throws: HistoryError.self, "today's rules refuse the old history") {
                try Demand(id: old.id, tenant: old.tenant, history: old.history)
            }
            try await database.transaction { connection in
                try await recorder.repository.save(old, position: DemandPosition(old, rules: rules), on: connection)
            }

            let loaded = try #require(try await database.transaction { try await recorder.repository.load(old.id, on: $0) })
            #expect(loaded.history == old.history && loaded.state == .awaitingDispatch && loaded.status.flag != nil)

            // Dispatch's assignment of it, in flight when the rules changed: only the new step is checked.
            var dispatched = loaded
            let at = ReportingHistory.at("2024-03-01", 11)
            try dispatched.apply(.dispatch(Assignment(leadUnit: history.unit("a-u1", old.tenant),
                number: history.number(old.tenant, .dispatch, 1))), by: Actor(role: .dispatcher, tenant: old.tenant, id: "d-a"),
                at: at, context: rules.context(for: dispatched, at: at))
            let hop = DemandRecord(dispatched)
            let received = try await database.transaction { try await recorder.receive(hop, on: $0) }
            guard case .stored(let stored) = received else { Issue.record("the hop was not applied: \(received)"); return }
            #expect(stored.state == .awaitingSignature && stored.history.count == 3)

            // The same history arriving for a demand not held here is foreign input, checked in full.
            let stranger = Demand(id: UUID(), tenant: old.tenant, recorded: old.history)
            await #expect(throws: EventRejection.self) {
                try await database.transaction { try await recorder.receive(DemandRecord(stranger), on: $0) }
            }
        }
    }
}
