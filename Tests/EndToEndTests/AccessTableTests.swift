import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// Role × endpoint × own or other tenant, every cell asserted, on a 茅箭区 demand that is in
    /// progress at 茅箭区经信局.
    @Suite("Access table")
    struct AccessTableTests {
        enum Outcome: String, CustomStringConvertible {
            /// 2xx.
            case allowed
            /// 403: the caller is known, but may not do this.
            case forbidden
            /// 404: the caller may not even see the demand.
            case hidden
            /// 409/422: authorised, but the action does not fit the demand now.
            case refusedByRules

            init(_ status: UInt) {
                switch status {
                case 200..<300: self = .allowed
                case 403: self = .forbidden
                case 404: self = .hidden
                default: self = .refusedByRules
                }
            }

            var description: String { rawValue }
        }

        struct Person {
            var label: String
            var tier: TenantID
            var login: String
        }

        /// Columns: intake view, dispatch view, handling view, handling ledger of 茅箭区 shows it,
        /// progress note (a unit's action), routing (a dispatcher's action).
        static let table: [(Person, [Outcome])] = [
            (Person(label: "enterprise, own", tier: "maojian", login: "十堰示范汽车零部件有限公司"),
                [.allowed, .allowed, .allowed, .allowed, .forbidden, .forbidden]),
            (Person(label: "enterprise, same tier, not its own", tier: "maojian", login: "十堰青山建材有限公司"),
                [.hidden, .hidden, .hidden, .hidden, .hidden, .forbidden]),
            (Person(label: "enterprise, other tier", tier: "zhangwan", login: "十堰张湾精密机械有限公司"),
                [.hidden, .hidden, .hidden, .hidden, .hidden, .forbidden]),
            (Person(label: "cadre, paired", tier: "maojian", login: "李明远"),
                [.allowed, .allowed, .allowed, .allowed, .forbidden, .forbidden]),
            (Person(label: "cadre, not paired", tier: "maojian", login: "张立新"),
                [.hidden, .hidden, .hidden, .hidden, .hidden, .forbidden]),
            (Person(label: "dispatcher, own tier", tier: "maojian", login: "茅箭区分办员"),
                [.allowed, .allowed, .allowed, .allowed, .forbidden, .refusedByRules]),
            (Person(label: "dispatcher, other tier", tier: "zhangwan", login: "张湾区分办员"),
                [.hidden, .hidden, .hidden, .hidden, .hidden, .forbidden]),
            // Intake follows the demand to the unit it went to: the unit reads its copy (and files) too.
            (Person(label: "unit admin, assigned unit", tier: "maojian", login: "茅箭区经信局管理员"),
                [.allowed, .allowed, .allowed, .allowed, .allowed, .forbidden]),
            (Person(label: "unit admin, other unit", tier: "maojian", login: "茅箭区商务局管理员"),
                [.hidden, .hidden, .hidden, .hidden, .hidden, .forbidden]),
            (Person(label: "unit admin, other tier", tier: "zhangwan", login: "张湾区经信局管理员"),
                [.hidden, .hidden, .hidden, .hidden, .hidden, .forbidden]),
            (Person(label: "county admin, own tier", tier: "maojian", login: "茅箭区管理员"),
                [.allowed, .allowed, .allowed, .allowed, .forbidden, .forbidden]),
            (Person(label: "county admin, other tier", tier: "zhangwan", login: "张湾区管理员"),
                [.hidden, .hidden, .hidden, .hidden, .hidden, .forbidden]),
            (Person(label: "office, own tier", tier: "maojian", login: "茅箭区双千办"),
                [.allowed, .allowed, .allowed, .allowed, .forbidden, .refusedByRules]),
            (Person(label: "office, sibling tier", tier: "zhangwan", login: "张湾区双千办"),
                [.hidden, .hidden, .hidden, .hidden, .hidden, .forbidden]),
            (Person(label: "office, parent tier", tier: "shiyan", login: "十堰市双千办"),
                [.allowed, .allowed, .allowed, .allowed, .forbidden, .forbidden]),
            (Person(label: "inspector, parent tier (read-only)", tier: "shiyan", login: "超级巡查员"),
                [.allowed, .allowed, .allowed, .allowed, .forbidden, .forbidden]),
        ]

        @Test("Every role sees and does exactly what its cell says", arguments: 0..<table.count)
        func cell(row: Int) async throws {
            let (person, expected) = Self.table[row]
            let stack = try await TestStack.shared.start()
            let client = PlatformClient(stack: stack)
            let demand = try await Self.sharedDemand()
            let session = try await client.login(tier: person.tier, login: person.login, password: Cast.demoPassword)
            let id = demand.uuidString
            let intake = stack.url(.intake, tier: "maojian")
            let dispatch = stack.url(.dispatch, tier: "maojian")
            let handling = stack.url(.handling)
            var actual: [Outcome] = []
            actual.append(Outcome(try await client.raw("intake", .GET, "\(intake)/demands/\(id)", token: session.token).0))
            actual.append(Outcome(try await client.raw("dispatch", .GET, "\(dispatch)/demands/\(id)", token: session.token).0))
            actual.append(Outcome(try await client.raw("handling", .GET, "\(handling)/demands/\(id)", token: session.token).0))
            let (ledgerStatus, ledger) = try await client.raw("ledger", .GET, "\(handling)/ledger?tenant=maojian&limit=500",
                token: session.token)
            actual.append(ledgerStatus == 200 && String(decoding: ledger, as: UTF8.self).contains(id) ? .allowed : .hidden)
            actual.append(Outcome(try await client.raw("note", .POST, "\(handling)/demands/\(id)/notes", token: session.token,
                body: ["text": "访问检查"]).0))
            actual.append(Outcome(try await client.raw("route", .POST, "\(dispatch)/demands/\(id)/dispatch", token: session.token,
                body: ["leadUnitID": "maojian-swj"]).0))
            #expect(actual == expected, "\(person.label): intake, dispatch, handling, ledger, note, route")
        }

        /// One demand for the whole table, in progress at 茅箭区经信局.
        static func sharedDemand() async throws -> UUID {
            try await AccessFixture.shared.demand()
        }
    }
}

actor AccessFixture {
    static let shared = AccessFixture()
    private var id: UUID?

    func demand() async throws -> UUID {
        if let id { return id }
        let runner = try await TestStack.shared.runner()
        let client = try await TestStack.shared.client()
        let cast = try await TestStack.shared.people()
        let demand = try await runner.submitAndApprove()
        _ = try await client.route(cast.countyDispatcher, demand.id, lead: "maojian-jxj")
        _ = try await runner.waitAtHandling(cast.countyUnit, demand.id, state: .awaitingSignature)
        _ = try await client.handle(cast.countyUnit, demand.id, .sign, ["note": "已签收"])
        _ = try await runner.waitAtDispatch(cast.countyDispatcher, tier: "maojian", demand.id, state: .awaitingSignature)
        _ = try await eventually("intake follows the demand to its unit") {
            try? await client.intakeDemand(cast.countyUnit, tier: "maojian", demand.id)
        }
        id = demand.id
        return demand.id
    }
}
