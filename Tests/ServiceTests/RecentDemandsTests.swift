import DemandDomain
@testable import DemandStore
import Foundation
import LocalStack
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy
import Testing

/// A load reuses the copy this process decoded only while the row holds that very history.
@Suite("Demands decoded once", .enabled(if: StackEnvironment.current.hasPostgres))
struct RecentDemandsTests {
    let history = ReportingHistory()
    let logger = ReportingHistory.quietLogger("recent-demands-test")

    struct RolledBack: Error {}

    /// A demand of county A just submitted by enterprise `number`.
    func submitted(_ number: Int) throws -> Demand {
        let county = history.countyA
        let enterprise = "ent-\(number)"
        return try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: EnterpriseParty(id: enterprise, tenant: county, pairedCadreID: "cadre-a"),
                registrationNumber: history.number(county, .registration, number))),
                Actor(role: .enterprise, tenant: county, id: "e\(number)", enterpriseID: enterprise), ReportingHistory.at("2024-03-11", 9)),
        ]).0
    }

    /// `demand` approved by its cadre with `comment`.
    func approved(_ demand: Demand, _ comment: String) throws -> Demand {
        let at = ReportingHistory.at("2024-03-11", 10)
        var next = demand
        try next.apply(.approve(Approval(comment: comment)), by: Actor(role: .cadre, tenant: demand.tenant, id: "cadre-a"), at: at,
            context: history.rules.context(for: demand, at: at))
        return next
    }

    @Test("A saved step is appended to the history text Postgres sent, and stores the same history as encoding it whole")
    func savesAppendTheNewSteps() async throws {
        let county = history.countyA
        let demand = try submitted(2)
        try await history.withDemandStore("append", logger: logger) { database in
            let repository = DemandRepository(logger: logger)
            let position = DemandPosition(demand, rules: history.rules)
            try await database.transaction { try await repository.save(demand, position: position, on: $0) }
            // As a process that has not seen the demand: the load brings Postgres's text of it.
            RecentDemands.shared.remember(Demand(id: demand.id, tenant: county), historyJSON: "[]")
            let loaded = try #require(try await database.transaction { try await repository.load(demand.id, forUpdate: true, on: $0) })
            let sent = try #require(RecentDemands.shared.copy(demand.id)?.historyJSON)
            #expect(sent.contains("\": "), "the copy holds the text Postgres sent, not this process's encoding")

            let approved = try approved(loaded, "同意")
            try await database.transaction { try await repository.save(approved, position: position, on: $0) }
            let whole = try EventCoding.text(approved.history)
            let stored = try await database.transaction { connection in
                let rows = try await connection.query(
                    "SELECT history::text, history = \(whole)::jsonb FROM demands WHERE id = \(demand.id)", logger: logger)
                return try await rows.collect().map { try $0.decode((String, Bool).self) }
            }
            #expect(stored.map(\.1) == [true])
            let decoded = try EventCoding.decoder().decode([Transition].self, from: Data(try #require(stored.first?.0).utf8))
            #expect(decoded == approved.history)
        }
    }

    @Test("A history that does not extend the copy is encoded whole")
    func divergedHistoriesAreEncodedWhole() throws {
        let demand = try submitted(3)
        let recent = RecentDemands(capacity: 4)
        let other = try approved(demand, "另一版本")
        recent.remember(other, historyJSON: try EventCoding.text(other.history))
        let mine = try approved(demand, "本版本")
        let json = try recent.historyJSON(of: mine) { try EventCoding.text($0) }
        #expect(try EventCoding.decoder().decode([Transition].self, from: Data(json.utf8)) == mine.history)

        recent.remember(demand, historyJSON: try EventCoding.text(demand.history))
        let extended = try recent.historyJSON(of: mine) { try EventCoding.text($0) }
        #expect(try EventCoding.decoder().decode([Transition].self, from: Data(extended.utf8)) == mine.history)
    }

    @Test("A copy from a rolled-back transaction, or of a history another writer changed, is never served")
    func copiesFollowTheRow() async throws {
        let demand = try submitted(1)
        try await history.withDemandStore("recent", logger: logger) { database in
            let repository = DemandRepository(logger: logger)
            let position = DemandPosition(demand, rules: history.rules)
            try await database.transaction { try await repository.save(demand, position: position, on: $0) }
            #expect(try await database.transaction { try await repository.load(demand.id, on: $0) } == demand)

            // A save that rolled back leaves its copy here; the row still holds the submission only.
            let withdrawn = try approved(demand, "撤销")
            await #expect(throws: RolledBack.self) {
                try await database.transaction { connection in
                    try await repository.save(withdrawn, position: position, on: connection)
                    throw RolledBack()
                }
            }
            #expect(RecentDemands.shared.copy(demand.id)?.demand.history.count == 2)
            #expect(try await database.transaction { try await repository.load(demand.id, forUpdate: true, on: $0) } == demand)

            // Another writer stores a history as long as the copy here, with a different last step.
            let remembered = try approved(demand, "本进程")
            RecentDemands.shared.remember(remembered, historyJSON: try EventCoding.text(remembered.history))
            let written = try approved(demand, "另一进程")
            let json = try EventCoding.text(written.history)
            _ = try await database.transaction { connection in
                try await connection.query(
                    "UPDATE demands SET history = \(json)::jsonb, history_length = 2 WHERE id = \(demand.id)", logger: logger)
            }
            let current = try #require(try await database.transaction { try await repository.loadCurrent(demand.id, on: $0) })
            #expect(current.demand.history == written.history)
            #expect(try await database.transaction { try await repository.lock(demand.id, ifHistoryLength: 2, on: $0) } == written)
        }
    }
}
