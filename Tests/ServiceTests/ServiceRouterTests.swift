import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceRuntime
import Tenancy
import Testing

@testable import DispatchService
@testable import HandlingService
@testable import IntakeService
import Kafka

/// Intake's, dispatch's and handling's routes in process, built from their dependencies with Kafka
/// and Postgres both unreachable (port 9 is closed here): what each refuses before it would touch
/// either, with the stable code and a Chinese message.
@Suite("Service routers without Kafka or Postgres", .timeLimit(.minutes(2)))
struct ServiceRouterTests {
    static var tenantsFile: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/local/tenants.json").path
    }

    /// A runtime whose Kafka and Postgres are down; it does not take over the test process's logging.
    func runtime(_ service: ServiceKind, tier: TenantID?) async throws -> (PlatformRuntime, TierRules) {
        var environment = [
            "TENANTS_FILE": Self.tenantsFile, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "POSTGRES_PORT": "9",
            "LOG_LEVEL": "critical", "OFFICE_CONVERTER": "off",
        ]
        if let tier { environment["TIER"] = tier.rawValue }
        let settings = try await RuntimeSettings.load(service: service, perTier: tier != nil, defaultPort: 0, environment: environment)
        let runtime = try await PlatformRuntime(settings: settings, migrations: [], ownsProcess: false)
        return (runtime, try TierRules.load(settings))
    }

    func token(_ runtime: PlatformRuntime, _ role: Role, tenant: TenantID = "maojian", unitID: String? = nil) async throws -> String {
        try await runtime.tokens.sign(Principal(subject: "tester-\(role.rawValue)", role: role, tenant: tenant, unitID: unitID,
            enterpriseID: role == .enterprise ? "e-1" : nil, name: "测试员")).token
    }

    struct Refusal: Equatable, CustomStringConvertible {
        var status: Int
        var code: String
        var description: String { "\(status) \(code)" }
    }

    struct ErrorAnswer: Decodable {
        struct Detail: Decodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    /// Sends a request and reads the refusal; the message must be Chinese.
    func refusal(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: String? = nil
    ) async throws -> Refusal {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let answer = try JSONDecoder().decode(ErrorAnswer.self, from: Data(response.body.readableBytesView))
            #expect(answer.error.message.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(uri): \(answer.error.message)")
            return Refusal(status: Int(response.status.code), code: answer.error.code)
        }
    }

    /// The router every service starts from, with `routes` on it.
    func router(_ runtime: PlatformRuntime, _ routes: (Router<AppRequestContext>) -> Void) -> Router<AppRequestContext> {
        let router = runtime.router()
        routes(router)
        return router
    }

    @Test("Intake: sign-in first, the right role and tier, a valid form, a demand id")
    func intake() async throws {
        let (runtime, rules) = try await runtime(.intake, tier: "maojian")
        let workflow = IntakeWorkflow(runtime: runtime, rules: rules, unknownLoginHash: "")
        let enterprise = try await token(runtime, .enterprise)
        let dispatcher = try await token(runtime, .dispatcher)
        let otherTier = try await token(runtime, .enterprise, tenant: "zhangwan")
        let valid = try Self.submission()
        let badPhone = try Self.submission(phone: "123")
        try await Application(router: router(runtime, IntakeRoutes(intake: workflow).register(on:))).test(.router) { client async throws in
            #expect(try await refusal(client, .post, "/demands", body: valid) == Refusal(status: 401, code: "UNAUTHENTICATED"))
            #expect(try await refusal(client, .post, "/demands", token: "not-a-token", body: valid) == Refusal(status: 401, code: "INVALID_TOKEN"))
            #expect(try await refusal(client, .post, "/demands", token: enterprise, body: #"{"form": "#) == Refusal(status: 400, code: "MALFORMED_JSON"))
            #expect(try await refusal(client, .post, "/demands", token: enterprise, body: #"{}"#) == Refusal(status: 422, code: "MISSING_FIELD"))
            let submittedByDispatcher = try await refusal(client, .post, "/demands", token: dispatcher, body: valid)
            #expect(submittedByDispatcher == Refusal(status: 403, code: "ROLE_NOT_ALLOWED"))
            #expect(try await refusal(client, .post, "/demands", token: otherTier, body: valid).status == 403)
            let invalid = try await refusal(client, .post, "/demands", token: enterprise, body: badPhone)
            #expect(invalid.status == 422)
            #expect(try await refusal(client, .get, "/demands/not-a-demand", token: enterprise) == Refusal(status: 404, code: "DEMAND_NOT_FOUND"))
            #expect(try await refusal(client, .get, "/demands?state=nonsense", token: enterprise) == Refusal(status: 400, code: "INVALID_QUERY"))
            let oversize = String(repeating: "诉", count: 400_000)
            #expect(try await refusal(client, .post, "/demands", token: enterprise, body: #"{"form": "\#(oversize)"}"#)
                == Refusal(status: 413, code: "BODY_TOO_LARGE"))
        }
        await runtime.producer.shutdown(timeout: .seconds(2))
    }

    @Test("Dispatch: the queue is the dispatchers' and offices', its filter is checked, a dispatch body must be JSON")
    func dispatch() async throws {
        let (runtime, rules) = try await runtime(.dispatch, tier: "maojian")
        let workflow = DispatchWorkflow(runtime: runtime, rules: rules)
        let enterprise = try await token(runtime, .enterprise)
        let dispatcher = try await token(runtime, .dispatcher)
        try await Application(router: router(runtime, DispatchRoutes(dispatch: workflow).register(on:))).test(.router) { client async throws in
            #expect(try await refusal(client, .get, "/queue") == Refusal(status: 401, code: "UNAUTHENTICATED"))
            #expect(try await refusal(client, .get, "/queue", token: enterprise) == Refusal(status: 403, code: "ROLE_NOT_ALLOWED"))
            #expect(try await refusal(client, .get, "/queue?limit=0", token: dispatcher) == Refusal(status: 400, code: "INVALID_QUERY"))
            #expect(try await refusal(client, .get, "/queue?from=2026-13-01", token: dispatcher) == Refusal(status: 400, code: "INVALID_QUERY"))
            let id = UUID().uuidString
            #expect(try await refusal(client, .post, "/demands/\(id)/dispatch", token: dispatcher, body: #"{"leadUnitID": "#)
                == Refusal(status: 400, code: "MALFORMED_JSON"))
            #expect(try await refusal(client, .post, "/demands/\(id)/dispatch", token: dispatcher, body: #"{"cooperatingUnitIDs": []}"#)
                == Refusal(status: 422, code: "MISSING_FIELD"))
            #expect(try await refusal(client, .get, "/demands/12345", token: dispatcher) == Refusal(status: 404, code: "DEMAND_NOT_FOUND"))
        }
        await runtime.producer.shutdown(timeout: .seconds(2))
    }

    @Test("Handling: a demand id, a ledger filter, JSON bodies")
    func handling() async throws {
        let (runtime, rules) = try await runtime(.handling, tier: nil)
        let workflow = HandlingWorkflow(runtime: runtime, rules: rules)
        let unit = try await token(runtime, .unitAdmin, unitID: "maojian-jxj")
        try await Application(router: router(runtime, HandlingRoutes(handling: workflow).register(on:))).test(.router) { client async throws in
            #expect(try await refusal(client, .get, "/demands/\(UUID())") == Refusal(status: 401, code: "UNAUTHENTICATED"))
            #expect(try await refusal(client, .get, "/demands/not-a-demand", token: unit) == Refusal(status: 404, code: "DEMAND_NOT_FOUND"))
            #expect(try await refusal(client, .get, "/ledger?overdue=perhaps", token: unit) == Refusal(status: 400, code: "INVALID_QUERY"))
            #expect(try await refusal(client, .post, "/demands/\(UUID())/urge", token: unit, body: "[") == Refusal(status: 400, code: "MALFORMED_JSON"))
        }
        await runtime.producer.shutdown(timeout: .seconds(2))
    }

    @Test("A demand answered with Prefer: return=minimal carries no content and only its latest step, and says so; without it, all of it")
    func minimalDemandAnswers() async throws {
        let history = ReportingHistory()
        let county = history.countyA
        let enterprise = EnterpriseParty(id: "ent-a", tenant: county, pairedCadreID: "cadre-a")
        let (demand, _) = try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: enterprise, registrationNumber: history.number(county, .registration, 1))),
                Actor(role: .enterprise, tenant: county, id: "e1", enterpriseID: "ent-a"), ReportingHistory.at("2024-03-11", 9)),
            (.approve(Approval(comment: "同意")), Actor(role: .cadre, tenant: county, id: "cadre-a"), ReportingHistory.at("2024-03-11", 10)),
        ])
        struct Answer: Decodable {
            struct Entry: Decodable { var sequence: Int; var kind: String }
            struct Content: Decodable { var difficulty: String }
            var state: String
            var content: Content?
            var history: [Entry]
        }
        let router = Router(context: AppRequestContext.self)
        router.get("demand") { _, _ in DemandView(demand, rules: history.rules) }
        try await Application(router: router).test(.router) { client async throws in
            for (prefer, sequences) in [(nil, [1, 2]), ("return=minimal", [2]), ("respond-async, return=minimal; x=1", [2]), ("return=representation", [1, 2])] {
                var headers: HTTPFields = [:]
                if let prefer { headers[HTTPField.Name("Prefer")!] = prefer }
                try await client.execute(uri: "/demand", method: .get, headers: headers) { response in
                    let answer = try JSONDecoder().decode(Answer.self, from: Data(response.body.readableBytesView))
                    #expect(answer.state == "awaitingDispatch")
                    #expect(answer.history.map(\.sequence) == sequences, "Prefer: \(prefer ?? "none")")
                    #expect((answer.content == nil) == (sequences.count == 1), "Prefer: \(prefer ?? "none")")
                    #expect(response.headers[HTTPField.Name("Preference-Applied")!] == (sequences.count == 1 ? "return=minimal" : nil))
                }
            }
        }
    }

    /// A submission every check accepts, with `phone` as the contact's number.
    static func submission(phone: String = "19900009001") throws -> String {
        let form = DemandForm(
            enterprise: .init(name: "测试企业有限公司", creditCode: "91350100M000100Y43", address: "测试路1号"),
            contact: .init(name: "联系人", title: "经理", phone: phone), category: .financing, industryGroup: .commerce,
            difficulty: "融资难", helpWanted: "协调贷款")
        return String(decoding: try JSONEncoder().encode(["form": form]), as: UTF8.self)
    }
}
