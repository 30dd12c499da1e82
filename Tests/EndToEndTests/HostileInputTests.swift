import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// Hostile text in every field of every endpoint that takes text: control characters, text
    /// made only of invisible characters, very long Chinese, a number where text belongs, an
    /// oversize body. Each gets a 4xx with a stable code and a Chinese message, never a 5xx.
    @Suite("Hostile input")
    struct HostileInputTests {
        enum Variant: String, CaseIterable {
            case nul, bell, escape, rawDelete, rawC1, zeroWidth, longChinese, number, oversize

            var value: Any {
                switch self {
                case .nul: "甲\u{0}乙"
                case .bell: "提醒\u{7}"
                case .escape: "\u{1B}[31m红字"
                case .rawDelete: "删除\u{7F}"
                case .rawC1: "下一行\u{85}"
                case .zeroWidth: "\u{200B}\u{200D}\u{FEFF}"
                case .longChinese: String(repeating: "很", count: 30_000)
                case .number: 12345
                case .oversize: String(repeating: "很", count: 100_000)
                }
            }

            /// The status and code it must get wherever it lands; nil: any 4xx with a code.
            var expected: (UInt, String)? {
                switch self {
                case .nul, .bell, .escape, .rawDelete, .rawC1: (422, "CONTROL_CHARACTER")
                case .number: (422, "INVALID_FIELD")
                case .oversize: (413, "BODY_TOO_LARGE")
                case .zeroWidth, .longChinese: nil
                }
            }
        }

        struct Endpoint {
            var name: String
            var method: HTTPMethod = .POST
            var url: String
            var token: String?
            var body: [String: Any]
            var fields: [String]
        }

        /// `body` with `value` at the dotted `path`.
        static func setting(_ path: String, to value: Any, in body: [String: Any]) -> [String: Any] {
            var body = body
            let keys = path.split(separator: ".").map(String.init)
            if keys.count == 1 {
                body[keys[0]] = value
            } else {
                body[keys[0]] = setting(keys.dropFirst().joined(separator: "."), to: value, in: body[keys[0]] as? [String: Any] ?? [:])
            }
            return body
        }

        static func endpoints(_ stack: PlatformStack, _ cast: Cast) throws -> [Endpoint] {
            let intake = stack.url(.intake, tier: "maojian"), dispatch = stack.url(.dispatch, tier: "maojian")
            let handling = stack.url(.handling)
            let form = try JSONSerialization.jsonObject(with: JSONEncoder().encode(JourneyRunner.sampleForm())) as! [String: Any]
            let someone = "\(UUID())"
            return [
                Endpoint(name: "login", url: intake + "/auth/login", body: ["tier": "maojian", "login": "李明远", "password": "x"],
                    fields: ["login", "password"]),
                Endpoint(name: "password", url: intake + "/me/password", token: cast.enterprise.token,
                    body: ["currentPassword": Cast.demoPassword, "newPassword": "x"], fields: ["newPassword"]),
                Endpoint(name: "phone", method: .PUT, url: intake + "/me/phone", token: cast.enterprise.token,
                    body: ["phone": "x"], fields: ["phone"]),
                Endpoint(name: "submit", url: intake + "/demands", token: cast.enterprise.token, body: ["form": form],
                    fields: ["form.difficulty", "form.helpWanted", "form.contact.name", "form.contact.title", "form.enterprise.address"]),
                Endpoint(name: "edit", method: .PUT, url: intake + "/demands/\(someone)", token: cast.cadre.token,
                    body: ["form": form, "note": "修改"], fields: ["note", "form.difficulty"]),
                Endpoint(name: "approve", url: intake + "/demands/\(someone)/approve", token: cast.cadre.token, body: [:],
                    fields: ["comment"]),
                Endpoint(name: "send back", url: intake + "/demands/\(someone)/send-back", token: cast.cadre.token, body: [:],
                    fields: ["reason"]),
                Endpoint(name: "resubmit", url: intake + "/demands/\(someone)/resubmit", token: cast.enterprise.token,
                    body: ["form": form], fields: ["note", "form.helpWanted"]),
                Endpoint(name: "dispatch", url: dispatch + "/demands/\(someone)/dispatch", token: cast.countyDispatcher.token,
                    body: ["leadUnitID": "x"], fields: ["leadUnitID", "instructions"]),
                Endpoint(name: "escalate", url: dispatch + "/demands/\(someone)/escalate", token: cast.countyDispatcher.token,
                    body: [:], fields: ["suggestion"]),
                Endpoint(name: "sign", url: handling + "/demands/\(someone)/sign", token: cast.countyUnit.token, body: [:],
                    fields: ["note"]),
                Endpoint(name: "note", url: handling + "/demands/\(someone)/notes", token: cast.countyUnit.token, body: [:],
                    fields: ["text"]),
                Endpoint(name: "pause", url: handling + "/demands/\(someone)/pause", token: cast.countyUnit.token, body: [:],
                    fields: ["reason"]),
                Endpoint(name: "resume", url: handling + "/demands/\(someone)/resume", token: cast.countyUnit.token, body: [:],
                    fields: ["note"]),
                Endpoint(name: "extension", url: handling + "/demands/\(someone)/extension", token: cast.countyUnit.token,
                    body: ["days": 3], fields: ["reason"]),
                Endpoint(name: "extension decision", url: handling + "/demands/\(someone)/extension/decision",
                    token: cast.countyOffice.token, body: ["granted": false], fields: ["comment"]),
                Endpoint(name: "result", url: handling + "/demands/\(someone)/result", token: cast.countyUnit.token,
                    body: ["resultClass": "B", "answer": "办理中", "plan": "分步", "plannedCompletion": "2099-01-01"],
                    fields: ["answer", "plan", "explanation"]),
                Endpoint(name: "return", url: handling + "/demands/\(someone)/return", token: cast.countyUnit.token,
                    body: ["reason": "非本单位", "suggestion": "商务局"], fields: ["reason", "suggestion"]),
                Endpoint(name: "rating", url: handling + "/demands/\(someone)/rating", token: cast.enterprise.token,
                    body: ["satisfied": false], fields: ["comment"]),
                Endpoint(name: "urge", url: handling + "/demands/\(someone)/urge", token: cast.countyOffice.token, body: [:],
                    fields: ["note"]),
            ]
        }

        @Test("Every text field of every endpoint: a 4xx with a stable code and a Chinese message, never a 5xx")
        func everyTextField() async throws {
            let stack = try await TestStack.shared.start()
            let client = PlatformClient(stack: stack)
            let cast = try await TestStack.shared.people()
            let before = try await client.call("list", .GET, stack.url(.intake, tier: "maojian"), "/demands?limit=500",
                token: cast.enterprise.token) as [PlatformClient.QueueItem]
            var tried = 0
            for endpoint in try Self.endpoints(stack, cast) {
                for field in endpoint.fields {
                    for variant in Variant.allCases {
                        let body = Self.setting(field, to: variant.value, in: endpoint.body)
                        let bytes = Array(try JSONSerialization.data(withJSONObject: body))
                        // Its own client address, so that refused logins lock no address the suite uses.
                        let (status, data) = try await client.raw(endpoint.name, endpoint.method, endpoint.url, token: endpoint.token,
                            rawBody: bytes, headers: ["X-Forwarded-For": "198.51.100.23"])
                        let error = try? JSONDecoder().decode(APIErrorBody.self, from: data).error
                        let what = "\(endpoint.name) \(field) \(variant.rawValue): HTTP \(status) \(String(decoding: data.prefix(160), as: UTF8.self))"
                        tried += 1
                        if let (expectedStatus, expectedCode) = variant.expected {
                            #expect(status == expectedStatus && error?.code == expectedCode, "\(what)")
                        } else {
                            #expect((400..<500).contains(status), "\(what)")
                        }
                        #expect(error.map { !$0.code.isEmpty && $0.message.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }
                            == true, "\(what): no stable code or Chinese message")
                    }
                }
            }
            #expect(tried > 250)
            let after = try await client.call("list", .GET, stack.url(.intake, tier: "maojian"), "/demands?limit=500",
                token: cast.enterprise.token) as [PlatformClient.QueueItem]
            #expect(after.count == before.count, "hostile submissions must not create demands")
        }
    }
}
