import DemandDomain
import Foundation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Testing

extension EndToEnd {
@Suite("Identity and tier scope")
struct IdentityTests {
    struct NamedDemand: Decodable {
        struct Content: Decodable {
            struct Enterprise: Decodable {
                var name: String
                var creditCode: String
            }
            var enterprise: Enterprise
        }
        var id: UUID
        var content: Content
    }

    @Test("An enterprise cannot name another enterprise in its form: the demand, its list line and its SMS name the submitter")
    func formCannotNameAnotherEnterprise() async throws {
        let stack = try await TestStack.shared.start()
        let client = PlatformClient(stack: stack)
        let cast = try await TestStack.shared.people()
        let intake = stack.url(.intake, tier: "maojian")
        let forged = JourneyRunner.sampleForm(enterprise: "十堰青山建材有限公司", creditCode: "91420302MA4A2D4E5T")
        struct Body: Encodable { var form: DemandForm }
        let submitted: NamedDemand = try await client.call("submit", .POST, intake, "/demands", token: cast.enterprise.token,
            body: Body(form: forged))
        #expect(submitted.content.enterprise.name == "十堰示范汽车零部件有限公司")
        #expect(submitted.content.enterprise.creditCode == "91420302MA4A1B2C31")
        let listed = try await client.intakeList(cast.cadre).first { $0.id == submitted.id }
        #expect(listed?.enterpriseName == "十堰示范汽车零部件有限公司")
        // The cadre's review request names the submitter.
        let messages = try await eventually("the cadre's SMS for \(submitted.id)", timeout: .seconds(30)) {
            let messages = try await client.messages(cast.countyOffice, demand: submitted.id)
            return messages.isEmpty ? nil : messages
        }
        #expect(messages.allSatisfy { !$0.text.contains("青山建材") }, "\(messages.map(\.text))")
        #expect(messages.contains { $0.text.contains("十堰示范汽车零部件有限公司") }, "\(messages.map(\.text))")
    }

    @Test("A tier's lists answer 403 to people of other tiers, as its units do; offices above still read them")
    func tierListsAreScoped() async throws {
        let stack = try await TestStack.shared.start()
        let client = PlatformClient(stack: stack)
        let dispatch = stack.url(.dispatch, tier: "maojian")
        let intake = stack.url(.intake, tier: "maojian")
        let siblingDispatcher = try await client.login(tier: "zhangwan", login: "张湾区分办员", password: Cast.demoPassword)
        let siblingEnterprise = try await client.login(tier: "zhangwan", login: "十堰张湾精密机械有限公司", password: Cast.demoPassword)
        let cityOffice = try await TestStack.shared.people().cityOffice
        for (name, url, session, expected) in [
            ("sibling dispatcher, queue", dispatch + "/queue", siblingDispatcher, UInt(403)),
            ("sibling dispatcher, units", dispatch + "/units", siblingDispatcher, 403),
            ("sibling dispatcher, demands", dispatch + "/demands", siblingDispatcher, 403),
            ("sibling enterprise, demands", intake + "/demands", siblingEnterprise, 403),
            ("sibling enterprise, enterprises", intake + "/directory/enterprises", siblingEnterprise, 403),
            ("city office, queue", dispatch + "/queue", cityOffice, 200),
            ("city office, units", dispatch + "/units", cityOffice, 200),
        ] {
            let (status, data) = try await client.raw(name, .GET, url, token: session.token)
            #expect(status == expected, "\(name): \(status) \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }
}
}

extension EndToEnd {
@Suite("Login lockout")
struct LoginLockoutTests {
    struct Attempt: Encodable, Sendable {
        var tier: String
        var login: String
        var password: String
    }

    func attempt(_ login: String, _ password: String, tier: String = "zhangwan", from address: String) async throws -> (UInt, String?) {
        let stack = try await TestStack.shared.start()
        let (status, data) = try await PlatformClient(stack: stack).raw(
            "login", .POST, stack.url(.intake, tier: TenantID(rawValue: tier)) + "/auth/login", token: nil,
            body: Attempt(tier: tier, login: login, password: password), headers: ["X-Forwarded-For": address])
        return (status, (try? JSONDecoder().decode(APIErrorBody.self, from: data))?.error.code)
    }

    @Test("A password its owner chose survives a re-import of the roster; the roster's own password does not come back")
    func reimportKeepsChosenPassword() async throws {
        let stack = try await TestStack.shared.start()
        let client = try await TestStack.shared.client()
        let login = "张湾区住建局管理员", chosen = "Zjj#2026-chosen"
        let person = try await client.login(tier: "zhangwan", login: login, password: Cast.demoPassword)
        try await client.changePassword(person, current: Cast.demoPassword, new: chosen)
        let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
        let roster = try Data(contentsOf: URL(fileURLWithPath: TestStack.repositoryRoot + "/deploy/local/directory/zhangwan.json"))
        let (status, answer) = try await client.raw("import", .PUT, stack.url(.intake, tier: "zhangwan") + "/admin/directory",
            token: office.token, rawBody: Array(roster))
        #expect(status == 200, "\(String(decoding: answer, as: UTF8.self))")
        let again = try await client.login(tier: "zhangwan", login: login, password: chosen, clientAddress: "198.51.100.31")
        let (old, code) = try await attempt(login, Cast.demoPassword, from: "198.51.100.31")
        #expect(old == 401 && code == "INVALID_CREDENTIALS")
        // Back to the demo password for whoever logs in next; the owner chose that too, so it stays.
        try await client.changePassword(again, current: chosen, new: Cast.demoPassword)
    }

    @Test("Five wrong passwords lock a login for 15 minutes, even against the right password and from another address")
    func accountLock() async throws {
        let login = "张湾区自然资源分局管理员"
        for round in 1...5 {
            let (status, code) = try await attempt(login, "wrong-\(round)", from: "203.0.113.7")
            #expect(status == 401 && code == "INVALID_CREDENTIALS", "attempt \(round): \(status) \(code ?? "")")
        }
        let (status, code) = try await attempt(login, Cast.demoPassword, from: "203.0.113.7")
        #expect(status == 429 && code == "LOGIN_LOCKED", "\(status) \(code ?? "")")
        let (elsewhere, _) = try await attempt(login, Cast.demoPassword, from: "198.51.100.20")
        #expect(elsewhere == 429)
        // Another login is not affected.
        let (other, _) = try await attempt("张湾区商务局管理员", Cast.demoPassword, from: "203.0.113.7")
        #expect(other == 200)
    }

    @Test("Twenty wrong passwords from one address lock that address, whatever the logins; other addresses log in")
    func addressLock() async throws {
        let address = "203.0.113.99"
        for round in 1...20 {
            let (status, _) = try await attempt("不存在的用户\(round)", "wrong", from: address)
            #expect(status == 401, "attempt \(round)")
        }
        let (locked, code) = try await attempt("十堰汉江物流有限公司", Cast.demoPassword, from: address)
        #expect(locked == 429 && code == "LOGIN_LOCKED")
        let (fine, _) = try await attempt("十堰汉江物流有限公司", Cast.demoPassword, from: "198.51.100.21")
        #expect(fine == 200)
    }
}
}
