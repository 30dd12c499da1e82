import DemandDomain
import DemandStore
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Tenancy
import Testing
import Workload

extension EndToEnd {
@Suite("One demand, one truth")
struct OneTruthTests {
    /// Where every reader should say the demand is.
    struct Expected: CustomStringConvertible {
        var tenant: String
        var demandID: UUID
        var state: DemandState
        var holder: String?

        var description: String { "\(tenant) \(demandID) \(state.rawValue) held by \(holder ?? "nobody")" }

        func matches(_ location: DemandSnapshot.Location) -> Bool {
            location.tenant == tenant && location.demandID == demandID && location.state == state && location.holder == holder
        }
    }

    typealias Reader = (name: String, read: @Sendable () async throws -> DemandSnapshot)

    /// Waits until every reader shows the expected location, and the same deadlines; names the
    /// readers that never did.
    func expectAgreement(_ readers: [Reader], on expected: Expected, step: String) async throws {
        var disagreeing: [String] = []
        var dueDates: [String: [Date?]] = [:]
        for reader in readers {
            do {
                let seen = try await eventually("\(reader.name) to show \(expected) after \(step)", timeout: .seconds(20),
                    every: .milliseconds(50), upTo: .milliseconds(500))
                {
                    let demand = try await reader.read()
                    return expected.matches(demand.location) ? demand : nil
                }
                dueDates[reader.name] = seen.deadlines.map(\.dueAt)
            } catch {
                let last = try? await reader.read()
                disagreeing.append("\(reader.name): \(last.map { "\($0.location)" } ?? "unreadable") (\(error))")
            }
        }
        #expect(disagreeing.isEmpty, "after \(step), expected \(expected); differ: \(disagreeing)")
        #expect(Set(dueDates.values.map { $0.map { $0?.timeIntervalSince1970 } }).count <= 1,
            "after \(step), deadlines differ: \(dueDates)")
    }

    @Test("After each step of an escalated journey, intake, dispatch and handling of both tiers agree on where it is")
    func escalatedJourneyAgrees() async throws {
        let stack = TestStack.shared
        let runner = try await stack.runner()
        let client = try await stack.client()
        let cast = try await stack.people()

        let county = try await runner.submitAndApprove()
        let countyReaders: [Reader] = [
            ("intake 茅箭区 (enterprise)", { try await client.intakeDemand(cast.enterprise, county.id) }),
            ("intake 茅箭区 (cadre)", { try await client.intakeDemand(cast.cadre, county.id) }),
            ("dispatch 茅箭区", { try await client.dispatchDemand(cast.countyDispatcher, tier: "maojian", county.id) }),
        ]
        try await expectAgreement(countyReaders,
            on: Expected(tenant: "maojian", demandID: county.id, state: .awaitingDispatch, holder: "茅箭区分办员"), step: "审核通过")

        _ = try await client.escalate(cast.countyDispatcher, county.id, suggestion: "涉及市级电网规划，建议市级协调")
        let city = try await runner.cityCopy(of: county.id)
        let cityReaders: [Reader] = [
            ("intake 十堰市", { try await client.intakeDemand(cast.cityOffice, tier: "shiyan", city.id) }),
            ("dispatch 十堰市", { try await client.dispatchDemand(cast.cityDispatcher, tier: "shiyan", city.id) }),
        ]
        let handlingReader: Reader = ("handling", { try await client.handlingDemand(cast.cityUnit, city.id) })
        func atCity(_ state: DemandState, _ holder: String?) -> Expected {
            Expected(tenant: "shiyan", demandID: city.id, state: state, holder: holder)
        }
        try await expectAgreement(countyReaders + cityReaders, on: atCity(.awaitingDispatch, "十堰市分办员"), step: "转报")

        _ = try await client.route(cast.cityDispatcher, city.id, lead: "sy-jxj")
        _ = try await runner.waitAtHandling(cast.cityUnit, city.id, state: .awaitingSignature)
        let unit = "十堰市经济和信息化局"
        try await expectAgreement(countyReaders + cityReaders + [handlingReader], on: atCity(.awaitingSignature, unit), step: "分办")

        _ = try await client.handle(cast.cityUnit, city.id, .sign, ["note": "已签收"])
        try await expectAgreement(countyReaders + cityReaders + [handlingReader], on: atCity(.inProgress, unit), step: "签收")

        _ = try await client.handle(cast.cityUnit, city.id, .result, ["resultClass": "A", "answer": "已协调完成专线增容审批"])
        try await expectAgreement(countyReaders + cityReaders + [handlingReader],
            on: atCity(.awaitingRating, "十堰示范汽车零部件有限公司"), step: "答复")

        _ = try await client.handle(cast.enterprise, city.id, .rating, JourneyRunner.RatingBody(satisfied: true, comment: "满意"))
        try await expectAgreement(countyReaders + cityReaders + [handlingReader], on: atCity(.closed, nil), step: "评价")

        // The enterprise's own list at its county says closed, and no clock runs any more.
        let listed = try await eventually("the enterprise's list to show the demand closed", timeout: .seconds(20)) {
            let item = try await client.intakeList(cast.enterprise).first { $0.id == county.id }
            return item?.state == .closed ? item : nil
        }
        #expect(listed.location?.state == .closed)
        #expect(listed.dueAt == nil)
    }

    @Test("A unit's return is seen by intake; the county dispatcher's list shows the demand moving on")
    func returnedJourneyAgrees() async throws {
        let stack = TestStack.shared
        let runner = try await stack.runner()
        let client = try await stack.client()
        let cast = try await stack.people()
        let demand = try await runner.submitAndApprove()
        let readers: [Reader] = [
            ("intake 茅箭区", { try await client.intakeDemand(cast.enterprise, demand.id) }),
            ("dispatch 茅箭区", { try await client.dispatchDemand(cast.countyDispatcher, tier: "maojian", demand.id) }),
            ("handling", { try await client.handlingDemand(cast.countyOffice, demand.id) }),
        ]
        _ = try await client.route(cast.countyDispatcher, demand.id, lead: "maojian-zjj")
        _ = try await runner.waitAtHandling(cast.countyOtherUnit, demand.id, state: .awaitingSignature)
        _ = try await client.handle(cast.countyOtherUnit, demand.id, .return,
            ["reason": "不属于住建部门职能", "suggestion": "建议分办至区经信局"])
        try await expectAgreement(readers,
            on: Expected(tenant: "maojian", demandID: demand.id, state: .awaitingDispatch, holder: "茅箭区分办员"), step: "退回")
        // The returned demand itself (its history) reaches dispatch through its inbox, a moment apart.
        _ = try await runner.waitAtDispatch(cast.countyDispatcher, tier: "maojian", demand.id, state: .awaitingDispatch,
            afterKind: "returnNotOurRemit")
        _ = try await client.route(cast.countyDispatcher, demand.id, lead: "maojian-jxj")
        try await expectAgreement(readers,
            on: Expected(tenant: "maojian", demandID: demand.id, state: .awaitingSignature, holder: "茅箭区经济和信息化局"),
            step: "重新分办")
        let listed = try await client.dispatchList(cast.countyDispatcher).first { $0.id == demand.id }
        #expect(listed?.state == .awaitingSignature)
        #expect(listed?.location?.holder == "茅箭区经济和信息化局")
        // The list's filters by lead unit and by the day of registration.
        let today = CivilDate(Date())
        let byUnit = try await client.dispatchList(cast.countyDispatcher, query: "?unit=maojian-jxj&from=\(today)&to=\(today)&limit=500")
        #expect(byUnit.contains { $0.id == demand.id })
        let byCategory = try await client.dispatchList(cast.countyDispatcher, query: "?category=powerSupply&from=\(today)&limit=500")
        #expect(byCategory.contains { $0.id == demand.id })
        #expect(try await !client.dispatchList(cast.countyDispatcher, query: "?category=talent&limit=500").contains { $0.id == demand.id })
        let firstUnit = try await client.dispatchList(cast.countyDispatcher, query: "?unit=maojian-zjj&limit=500")
        #expect(!firstUnit.contains { $0.id == demand.id }, "routed again: its lead unit is the second one")
        let before = try await client.dispatchList(cast.countyDispatcher, query: "?to=\(today.adding(days: -1))&limit=500")
        #expect(!before.contains { $0.id == demand.id })
        // A row stored before the category column existed takes it from its history.
        let restored = try await StackDatabase.with(try await stack.start()) { database -> [String?] in
            let schema = try #require(database.schemas["dispatch-maojian"])
            try await database.execute("UPDATE demands SET category = NULL WHERE id = '\(demand.id)'", inSchema: schema)
            try await database.execute(DemandTables.categoryBackfill, inSchema: schema)
            return try await database.values("SELECT category FROM \"\(schema)\".demands WHERE id = '\(demand.id)'", as: String?.self)
        }
        #expect(restored == ["powerSupply"])
        let dispatchURL = try await stack.start().url(.dispatch, tier: "maojian")
        for bad in ["from=2026-13-01", "unit=a%20b", "category=mining", "from=\(today)&to=\(today.adding(days: -1))"] {
            let (status, body) = try await client.raw("list", .GET, dispatchURL + "/demands?" + bad, token: cast.countyDispatcher.token)
            #expect(status == 400 && String(decoding: body, as: UTF8.self).contains("INVALID_QUERY"), "\(bad): \(status)")
        }
    }
}
}
