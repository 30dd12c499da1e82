import DemandDomain
import DemandStore
import Foundation
import LocalStack
import Logging
@testable import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy
import Testing

/// A follower reads every status event without its transition's action (`DemandStatusNews`) and
/// decodes the whole event only for a step it takes over.
@Suite("Following status events")
struct DemandFollowerTests {
    let history = ReportingHistory()
    let logger = ReportingHistory.quietLogger("follower-test")

    static func incoming(_ event: DemandStatusEvent, on tier: TenantID) throws -> IncomingEvent {
        let body = try EventCoding.encode(CloudEvent(id: event.transition.id, source: "/tiers/\(tier)/test", type: EventType.demandStatus,
            subject: event.demand.id.uuidString, time: event.transition.at, tenant: event.demand.tenant, data: event))
        return IncomingEvent(header: try EventCoding.header(of: body), body: body, topic: Topics.status(tier), partition: 0, offset: 0)
    }

    /// A county demand submitted, approved, dispatched to a-u2, returned as not its remit, and
    /// dispatched to a-u1: the demand and its five status events.
    func returnedAndRouted() throws -> (Demand, [DemandStatusEvent]) {
        let county = history.countyA
        let dispatcher = Actor(role: .dispatcher, tenant: county, id: "disp-a")
        let at = ReportingHistory.at
        return try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: EnterpriseParty(id: "ent-a", tenant: county, pairedCadreID: "cadre-a"),
                registrationNumber: history.number(county, .registration, 1))), Actor(role: .enterprise, tenant: county, id: "e1",
                enterpriseID: "ent-a"), at("2024-03-11", 9)),
            (.approve(Approval()), Actor(role: .cadre, tenant: county, id: "cadre-a"), at("2024-03-11", 10)),
            (.dispatch(Assignment(leadUnit: history.unit("a-u2", county), number: history.number(county, .dispatch, 1))), dispatcher,
                at("2024-03-11", 11)),
            (.returnNotOurRemit(RemitReturn(reason: "非本单位职能", suggestion: "建议a-u1")),
                Actor(role: .unitAdmin, tenant: county, id: "ua2", unitID: "a-u2"), at("2024-03-11", 14)),
            (.dispatch(Assignment(leadUnit: history.unit("a-u1", county), number: history.number(county, .dispatch, 2))), dispatcher,
                at("2024-03-12", 9)),
        ])
    }

    @Test("Every status event of a month reads as the same news without its action")
    func newsMatchesTheEvent() throws {
        let events = try history.events()
        #expect(events.count > 20)
        for (tier, event) in events {
            let news = try Self.incoming(event, on: tier).decode(DemandStatusNews.self).data
            #expect(news.demand == event.demand && news.state == event.state && news.openDeadlines == event.openDeadlines)
            #expect(news.transition.id == event.transition.id && news.transition.sequence == event.transition.sequence
                && news.transition.at == event.transition.at && news.transition.kind == event.transition.kind)
        }
    }

    @Test("A copy follows the news, takes over a returned demand with its whole transition, and ignores old news",
        .enabled(if: StackEnvironment.current.hasPostgres))
    func followsAndTakesOver() async throws {
        let county = history.countyA
        let (demand, events) = try returnedAndRouted()
        try await history.withDemandStore("follower", logger: logger) { database in
            let rules = history.rules
            let recorder = DemandRecorder(rules: rules, ownedSteps: [.dispatch], source: "test", logger: logger)
            let follower = DemandFollower(tier: county, recorder: recorder) { $0 == .awaitingDispatch }
            // Dispatch's copy as it handed the demand to the first unit.
            let handedOn = Demand(id: demand.id, tenant: county, recorded: Array(demand.history.prefix(3)))
            try await database.transaction { connection in
                try await recorder.repository.save(handedOn, position: DemandPosition(handedOn, rules: rules), on: connection)
            }
            func follow(_ index: Int) async throws -> CurrentDemand {
                let event = try Self.incoming(events[index], on: county)
                return try #require(try await database.transaction { connection in
                    try await follower.follow([event], on: connection)
                    return try await recorder.repository.loadCurrent(demand.id, on: connection)
                })
            }

            let returned = try await follow(3)
            #expect(returned.demand.history == Array(demand.history.prefix(4)), "the return is taken over, action and all")
            #expect(returned.state == .awaitingDispatch && returned.followedUnitIDs.isEmpty)

            let rerouted = try await follow(4)
            #expect(rerouted.demand.history.count == 4, "a step another service holds moves the position only")
            #expect(rerouted.state == .awaitingSignature && rerouted.position?.location.sequence == 5)
            #expect(rerouted.position?.location.holder == "单位a-u1" && rerouted.followedUnitIDs == ["a-u1"])

            let late = try await follow(3)
            #expect(late.state == .awaitingSignature && late.position?.location.sequence == 5 && late.followedUnitIDs == ["a-u1"],
                "older news changes nothing")
        }
    }

    @Test("A batch's news of one demand, in any order, leaves the newest, and takes over a return within it",
        .enabled(if: StackEnvironment.current.hasPostgres))
    func batchLeavesTheNewest() async throws {
        let county = history.countyA
        let (demand, events) = try returnedAndRouted()
        try await history.withDemandStore("follower-batch", logger: logger) { database in
            let rules = history.rules
            let recorder = DemandRecorder(rules: rules, ownedSteps: [.dispatch], source: "test", logger: logger)
            let follower = DemandFollower(tier: county, recorder: recorder) { $0 == .awaitingDispatch }
            let handedOn = Demand(id: demand.id, tenant: county, recorded: Array(demand.history.prefix(3)))
            let batch = try [4, 2, 3].map { try Self.incoming(events[$0], on: county) }
            let current = try #require(try await database.transaction { connection in
                try await recorder.repository.save(handedOn, position: DemandPosition(handedOn, rules: rules), on: connection)
                try await follower.follow(batch, on: connection)
                return try await recorder.repository.loadCurrent(demand.id, on: connection)
            })
            #expect(current.demand.history == Array(demand.history.prefix(4)), "the return is taken over")
            #expect(current.state == .awaitingSignature && current.position?.location.sequence == 5)
            #expect(current.position?.location.holder == "单位a-u1" && current.followedUnitIDs == ["a-u1"])
        }
    }

    @Test("A demand closed here is never overdue, however late the news of its copy at the parent tier comes",
        .enabled(if: StackEnvironment.current.hasPostgres))
    func endedDemandIsNotOverdue() async throws {
        let county = history.countyA
        let at = ReportingHistory.at
        let (demand, _) = try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: EnterpriseParty(id: "ent-a", tenant: county, pairedCadreID: "cadre-a"),
                registrationNumber: history.number(county, .registration, 1))), Actor(role: .enterprise, tenant: county, id: "e1",
                enterpriseID: "ent-a"), at("2024-03-11", 9)),
            (.approve(Approval()), Actor(role: .cadre, tenant: county, id: "cadre-a"), at("2024-03-11", 10)),
        ])
        try await history.withDemandStore("ended", logger: logger) { database in
            let rules = history.rules
            let recorder = DemandRecorder(rules: rules, ownedSteps: [.dispatch], source: "test", logger: logger)
            // Awaiting dispatch since 2024: its deadline has long passed.
            let waiting = DemandPosition(demand, rules: rules)
            #expect(waiting.dueAt.map { $0 < Date() } == true)
            var closedHere = waiting
            (closedHere.location.state, closedHere.location.sequence, closedHere.deadlines) = (.closed, 9, [])
            // News of the parent tier's copy, still running its (past) deadline, arriving after the closure.
            var copyNews = waiting
            copyNews.location.sequence = 4
            let (closed, copy) = (closedHere, copyNews)
            let office = Principal(subject: "office-a", role: .office, tenant: county)
            let scope = rules.policy.scope(for: office)
            let overdue = { var filter = DemandFilter(); filter.overdueOnly = true; return filter }()
            let logger = self.logger
            func overdueIDs() async throws -> [UUID] {
                try await database.transaction { connection in
                    try await scope.enter(on: connection, logger: logger)
                    return try await recorder.repository.list(in: scope, filter: overdue, on: connection).map(\.id)
                }
            }
            try await database.transaction { connection in
                try await recorder.repository.save(demand, position: waiting, on: connection)
            }
            #expect(try await overdueIDs() == [demand.id])
            try await database.transaction { connection in
                try await recorder.repository.follow([DemandNews(id: demand.id, position: closed, depth: 0)], on: connection)
                try await recorder.repository.follow([DemandNews(id: demand.id, position: copy, depth: 1)], on: connection)
            }
            #expect(try await overdueIDs().isEmpty)
            // The demand's own save after its closure keeps it so.
            try await database.transaction { connection in
                try await recorder.repository.save(demand, position: waiting, on: connection)
            }
            #expect(try await overdueIDs().isEmpty)
        }
    }
}
