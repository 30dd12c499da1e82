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

    @Test("A copy from a rolled-back transaction, or of a history another writer changed, is never served")
    func copiesFollowTheRow() async throws {
        let county = history.countyA
        let at = ReportingHistory.at
        let cadre = Actor(role: .cadre, tenant: county, id: "cadre-a")
        let (demand, _) = try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: EnterpriseParty(id: "ent-a", tenant: county, pairedCadreID: "cadre-a"),
                registrationNumber: history.number(county, .registration, 1))),
                Actor(role: .enterprise, tenant: county, id: "e1", enterpriseID: "ent-a"), at("2024-03-11", 9)),
        ])
        @Sendable func approved(_ comment: String) throws -> Demand {
            var next = demand
            try next.apply(.approve(Approval(comment: comment)), by: cadre, at: at("2024-03-11", 10),
                context: history.rules.context(for: demand, at: at("2024-03-11", 10)))
            return next
        }
        try await history.withDemandStore("recent", logger: logger) { database in
            let repository = DemandRepository(logger: logger)
            let position = DemandPosition(demand, rules: history.rules)
            try await database.asService { try await repository.save(demand, position: position, on: $0) }
            #expect(try await database.asService { try await repository.load(demand.id, on: $0) } == demand)

            // A save that rolled back leaves its copy here; the row still holds the submission only.
            let withdrawn = try approved("撤销")
            await #expect(throws: RolledBack.self) {
                try await database.asService { connection in
                    try await repository.save(withdrawn, position: position, on: connection)
                    throw RolledBack()
                }
            }
            #expect(RecentDemands.shared.demand(demand.id)?.history.count == 2)
            #expect(try await database.asService { try await repository.load(demand.id, forUpdate: true, on: $0) } == demand)

            // Another writer stores a history as long as the copy here, with a different last step.
            let remembered = try approved("本进程")
            RecentDemands.shared.remember(remembered)
            let written = try approved("另一进程")
            let json = String(decoding: try EventCoding.encoder().encode(written.history), as: UTF8.self)
            _ = try await database.asService { connection in
                try await connection.query(
                    "UPDATE demands SET history = \(json)::jsonb, history_length = 2 WHERE id = \(demand.id)", logger: logger)
            }
            let current = try #require(try await database.asService { try await repository.loadCurrent(demand.id, on: $0) })
            #expect(current.demand.history == written.history)
            #expect(try await database.asService { try await repository.lock(demand.id, ifHistoryLength: 2, on: $0) } == written)
        }
    }
}
