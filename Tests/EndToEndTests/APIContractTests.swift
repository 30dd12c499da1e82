import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// Bad input, access, idempotency: what a client gets for every mistake, and that nothing changes.
    @Suite("API contract")
    struct APIContractTests {
        func errorBody(_ data: Data) -> APIErrorBody.Detail? {
            try? JSONDecoder().decode(APIErrorBody.self, from: data).error
        }

        func isChinese(_ text: String) -> Bool {
            text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }
        }

        @Test("Bad input gets a 4xx with a stable code and a Chinese message, never a 500, and changes nothing")
        func badInput() async throws {
            let stack = try await TestStack.shared.start()
            let client = PlatformClient(stack: stack)
            let cast = try await TestStack.shared.people()
            let intake = stack.url(.intake, tier: "maojian")
            let handling = stack.url(.handling)
            let before = try await client.call("list", .GET, intake, "/demands?limit=500", token: cast.enterprise.token)
                as [PlatformClient.QueueItem]

            var invalidPhone = DemandFormBody(form: JourneyRunner.sampleForm())
            invalidPhone.form.contact.phone = "1380013800"
            var invalidCode = DemandFormBody(form: JourneyRunner.sampleForm())
            invalidCode.form.enterprise.creditCode = "91420302MA4A1B2C3X"
            var outOfScope = DemandFormBody(form: JourneyRunner.sampleForm())
            outOfScope.form.legalProceeding = .litigation
            let oversize = Array(("{\"form\":{\"difficulty\":\"" + String(repeating: "很", count: 200_000) + "\"}}").utf8)
            var zeroCode = DemandFormBody(form: JourneyRunner.sampleForm())
            zeroCode.form.enterprise.creditCode = "000000000000000000"
            var invisible = DemandFormBody(form: JourneyRunner.sampleForm())
            invisible.form.difficulty = "\u{200B}\u{200B}\u{200B}"
            var nulInText = DemandFormBody(form: JourneyRunner.sampleForm())
            nulInText.form.contact.name = "王\u{0}联络"

            let cases: [(String, String, String?, (any Encodable & Sendable)?, [UInt8]?, UInt, String)] = [
                ("malformed JSON", intake + "/demands", cast.enterprise.token, nil, Array("{\"form\": ".utf8), 400, "MALFORMED_JSON"),
                ("missing field", intake + "/demands", cast.enterprise.token, ["form": ["category": "powerSupply"]], nil, 422, "MISSING_FIELD"),
                ("invalid phone", intake + "/demands", cast.enterprise.token, invalidPhone, nil, 422, "INVALID_PHONE"),
                ("invalid credit code", intake + "/demands", cast.enterprise.token, invalidCode, nil, 422, "INVALID_CREDIT_CODE"),
                ("out of scope", intake + "/demands", cast.enterprise.token, outOfScope, nil, 422, "OUT_OF_SCOPE"),
                ("oversize body", intake + "/demands", cast.enterprise.token, nil, oversize, 413, "BODY_TOO_LARGE"),
                ("credit code of zeros", intake + "/demands", cast.enterprise.token, zeroCode, nil, 422, "INVALID_CREDIT_CODE"),
                ("only zero-width spaces", intake + "/demands", cast.enterprise.token, invisible, nil, 422, "MISSING_FIELD"),
                ("NUL in a form", intake + "/demands", cast.enterprise.token, nulInText, nil, 422, "CONTROL_CHARACTER"),
                ("NUL in a login", intake + "/auth/login", nil, ["tier": "maojian", "login": "李明远\u{0}", "password": "x"], nil, 422,
                    "CONTROL_CHARACTER"),
                ("NUL in a note", handling + "/demands/\(UUID())/notes", cast.countyUnit.token, ["text": "进展\u{0}"], nil, 422,
                    "CONTROL_CHARACTER"),
                ("no token", intake + "/demands", nil, DemandFormBody(form: JourneyRunner.sampleForm()), nil, 401, "UNAUTHENTICATED"),
                ("no token and a bad body", intake + "/demands/\(UUID())/resubmit", nil, ["form": ["category": "x"]], nil, 401,
                    "UNAUTHENTICATED"),
                ("bad token", intake + "/demands", "not.a.token", DemandFormBody(form: JourneyRunner.sampleForm()), nil, 401, "INVALID_TOKEN"),
                ("wrong role", intake + "/demands", cast.countyDispatcher.token, DemandFormBody(form: JourneyRunner.sampleForm()), nil, 403,
                    "ROLE_NOT_ALLOWED"),
                ("unknown tenant", intake + "/auth/login", nil, ["tier": "wudang", "login": "x", "password": "y"], nil, 404, "UNKNOWN_TENANT"),
                ("login at the wrong tier", intake + "/auth/login", nil, ["tier": "shiyan", "login": "x", "password": "y"], nil, 421,
                    "WRONG_TIER"),
                ("wrong password", intake + "/auth/login", nil, ["tier": "maojian", "login": "李明远", "password": "nope"], nil, 401,
                    "INVALID_CREDENTIALS"),
                ("unknown demand", handling + "/demands/\(UUID())/sign", cast.countyUnit.token, ["note": "x"], nil, 404, "DEMAND_NOT_FOUND"),
                ("not a demand id", handling + "/demands/abc", cast.countyUnit.token, nil, nil, 404, "DEMAND_NOT_FOUND"),
                ("bad query", handling + "/ledger?state=flying", cast.countyOffice.token, nil, nil, 400, "INVALID_QUERY"),
                // A NUL byte would reach Postgres, which refuses it: the unit id is checked first.
                ("NUL in a unit id", intake + "/accounts?unit=a%00b", cast.countyOffice.token, nil, nil, 400, "INVALID_QUERY"),
                ("no such path", handling + "/nowhere", cast.countyOffice.token, nil, nil, 404, "NOT_FOUND"),
            ]
            for (name, url, token, body, rawBody, status, code) in cases {
                let method: HTTPMethod = (body == nil && rawBody == nil) ? .GET : .POST
                let (answered, data) = try await client.raw(name, method, url, token: token, body: body, rawBody: rawBody)
                let error = errorBody(data)
                #expect(answered == status, "\(name): HTTP \(answered) \(String(decoding: data.prefix(200), as: UTF8.self))")
                #expect(error?.code == code, "\(name)")
                #expect(error.map { isChinese($0.message) } == true, "\(name): message should be Chinese")
            }
            // Headers far over the parser's limit get the platform's JSON error, not a bare 400, at every service.
            for service in [intake, handling, stack.url(.dispatch, tier: "maojian"), stack.url(.notifier), stack.url(.reporting)] {
                let (answered, data) = try await client.raw("1 MB header", .GET, service + "/healthz", token: nil,
                    headers: ["X-Filler": String(repeating: "a", count: 1 << 20)])
                #expect(answered == 431, "\(service): HTTP \(answered) \(String(decoding: data.prefix(200), as: UTF8.self))")
                #expect(errorBody(data)?.code == "HEADERS_TOO_LARGE")
                #expect(errorBody(data).map { isChinese($0.message) } == true)
            }
            let after = try await client.call("list", .GET, intake, "/demands?limit=500", token: cast.enterprise.token)
                as [PlatformClient.QueueItem]
            #expect(after.count == before.count, "refused submissions must not create demands")
        }

        @Test("A transition not allowed now is refused with 409 and the demand is unchanged")
        func transitionNotAllowed() async throws {
            let runner = try await TestStack.shared.runner()
            let client = try await TestStack.shared.client()
            let cast = try await TestStack.shared.people()
            let demand = try await runner.submitAndApprove()
            do {
                _ = try await client.approve(cast.cadre, demand.id)
                Issue.record("a second approval should be refused")
            } catch let error as APICallError {
                #expect(error.status == 409)
                #expect(error.code == "TRANSITION_NOT_ALLOWED")
            }
            #expect(try await client.intakeDemand(cast.cadre, demand.id).history.count == 2)
        }

        @Test("A retried submission with the same Idempotency-Key creates one demand")
        func idempotentSubmission() async throws {
            let stack = try await TestStack.shared.start()
            let client = PlatformClient(stack: stack)
            let cast = try await TestStack.shared.people()
            let key = "retry-\(UUID())"
            async let first = client.submit(cast.enterprise, form: JourneyRunner.sampleForm(), idempotencyKey: key)
            async let second = client.submit(cast.enterprise, form: JourneyRunner.sampleForm(), idempotencyKey: key)
            async let third = client.submit(cast.enterprise, form: JourneyRunner.sampleForm(), idempotencyKey: key)
            let ids = try await Set([first.id, second.id, third.id])
            #expect(ids.count == 1)
            let (status, data) = try await client.raw("replay", .POST, stack.url(.intake, tier: "maojian") + "/demands",
                token: cast.enterprise.token, body: DemandFormBody(form: JourneyRunner.sampleForm()), headers: ["Idempotency-Key": key])
            #expect(status == 200)
            #expect(String(decoding: data, as: UTF8.self).contains(ids.first!.uuidString))
            var different = JourneyRunner.sampleForm()
            different.helpWanted = "另一件事"
            let (reusedStatus, reusedData) = try await client.raw("reuse", .POST, stack.url(.intake, tier: "maojian") + "/demands",
                token: cast.enterprise.token, body: DemandFormBody(form: different), headers: ["Idempotency-Key": key])
            #expect(reusedStatus == 422)
            #expect(errorBody(reusedData)?.code == "IDEMPOTENCY_KEY_REUSED")
        }

        struct DemandFormBody: Encodable, Sendable {
            var form: DemandForm
        }
    }
}
