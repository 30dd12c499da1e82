import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Tenancy
import Testing
import Workload

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
        var unit: String?
        var login: String
        var password: String
    }

    func attempt(
        _ login: String, _ password: String, tier: String = "zhangwan", unit: String? = nil, from address: String
    ) async throws -> (UInt, String?) {
        let (status, data) = try await answer(login, password, tier: tier, unit: unit, from: address)
        return (status, (try? JSONDecoder().decode(APIErrorBody.self, from: data))?.error.code)
    }

    func answer(_ login: String, _ password: String, tier: String, unit: String?, from address: String) async throws -> (UInt, Data) {
        let stack = try await TestStack.shared.start()
        return try await PlatformClient(stack: stack).raw(
            "login", .POST, stack.url(.intake, tier: TenantID(rawValue: tier)) + "/auth/login", token: nil,
            body: Attempt(tier: tier, unit: unit, login: login, password: password), headers: ["X-Forwarded-For": address])
    }

    @Test("Two cadres named 王建国 in different units each log in with their unit (002 §1); the name alone asks for the unit")
    func sameNameInTwoUnits() async throws {
        let stack = try await TestStack.shared.start()
        let client = try await TestStack.shared.client()
        let address = "198.51.100.40"
        let (ambiguous, code) = try await attempt("王建国", Cast.demoPassword, tier: "maojian", from: address)
        #expect(ambiguous == 422 && code == "UNIT_REQUIRED", "\(ambiguous) \(code ?? "")")
        for (unit, subject) in [("maojian-swj", "mj-cadre-3"), ("maojian-zrzy", "mj-cadre-4")] {
            let session = try await client.login(tier: "maojian", unit: unit, login: "王建国", password: Cast.demoPassword, clientAddress: address)
            #expect(session.subject == subject && session.role == .cadre && session.unitID == unit)
        }
        // Another unit's 王建国 does not exist; the tier level ("") holds the office, not unit people.
        let (wrongUnit, wrongCode) = try await attempt("王建国", Cast.demoPassword, tier: "maojian", unit: "maojian-jxj", from: address)
        #expect(wrongUnit == 401 && wrongCode == "INVALID_CREDENTIALS")
        let (unitPersonAtTier, _) = try await attempt("李明远", Cast.demoPassword, tier: "maojian", unit: "", from: address)
        #expect(unitPersonAtTier == 401)
        let (officeAtTier, _) = try await attempt("茅箭区双千办", Cast.demoPassword, tier: "maojian", unit: "", from: address)
        #expect(officeAtTier == 200)
        // Five wrong passwords lock one 王建国, not the other.
        for round in 1...5 {
            let (status, _) = try await attempt("王建国", "wrong-\(round)", tier: "maojian", unit: "maojian-zrzy", from: "203.0.113.40")
            #expect(status == 401)
        }
        let (locked, lockedCode) = try await attempt("王建国", Cast.demoPassword, tier: "maojian", unit: "maojian-zrzy", from: address)
        #expect(locked == 429 && lockedCode == "LOGIN_LOCKED")
        let (other, _) = try await attempt("王建国", Cast.demoPassword, tier: "maojian", unit: "maojian-swj", from: address)
        #expect(other == 200)
        // The login page's unit list: the tier's units whose people log in.
        let units = try await client.loginUnits(tier: "maojian")
        #expect(Set(units.map(\.id)) == ["maojian-jxj", "maojian-zjj", "maojian-swj", "maojian-zrzy"])
        #expect(units.first { $0.id == "maojian-swj" }?.name == "茅箭区商务局")
        // A roster naming one person twice in one unit is refused whole.
        let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
        let twice = """
            {"tenant": "zhangwan", "units": [{"id": "zw-test-unit", "name": "张湾区测试局"}],
             "people": [{"id": "zw-twin-1", "name": "刘同名", "role": "cadre", "unitID": "zw-test-unit", "password": "Demo@2026"},
                        {"id": "zw-twin-2", "name": "刘同名", "role": "cadre", "unitID": "zw-test-unit", "password": "Demo@2026"}]}
            """
        let (refused, body) = try await client.raw("import", .PUT, stack.url(.intake, tier: "zhangwan") + "/admin/directory",
            token: office.token, rawBody: Array(twice.utf8))
        #expect(refused == 422 && String(decoding: body, as: UTF8.self).contains("DUPLICATE_LOGIN"))
        let (stored, _) = try await attempt("刘同名", "Demo@2026", tier: "zhangwan", from: address)
        #expect(stored == 401)
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

    @Test("A person gives their own mobile number; every service's directory copy follows, and a re-import of the roster keeps it")
    func ownMobileNumber() async throws {
        let stack = try await TestStack.shared.start()
        let client = try await TestStack.shared.client()
        let person = try await client.login(tier: "zhangwan", login: "张湾区经信局管理员", password: Cast.demoPassword)
        #expect(try await client.phone(person) == "19900030011")
        for bad in ["0719-8888888", "1234567890", ""] {
            let (status, body) = try await client.raw("phone", .PUT, stack.url(.intake, tier: "zhangwan") + "/me/phone", token: person.token,
                body: ["phone": bad])
            #expect(status == 422 && String(decoding: body, as: UTF8.self).contains("INVALID_MOBILE"), "\(bad): \(status)")
        }
        #expect(try await client.changePhone(person, to: "+86 199-0003-0091") == "19900030091")
        #expect(try await client.phone(person) == "19900030091")
        let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
        let roster = try Data(contentsOf: URL(fileURLWithPath: TestStack.repositoryRoot + "/deploy/local/directory/zhangwan.json"))
        let (status, _) = try await client.raw("import", .PUT, stack.url(.intake, tier: "zhangwan") + "/admin/directory",
            token: office.token, rawBody: Array(roster))
        #expect(status == 200)
        #expect(try await client.phone(person) == "19900030091")
        // The notifier, which texts the unit, has the new number from the directory topic.
        let copied = try await StackDatabase.with(stack) { database in
            let schema = try #require(database.schemas["notifier"])
            return try await eventually("the notifier's copy of the new number") { () -> String? in
                let phones = try await database.values(
                    "SELECT body->'person'->>'phone' FROM \"\(schema)\".directory WHERE key = 'person:zhangwan-jxj-admin'", as: String.self)
                return phones == ["19900030091"] ? phones[0] : nil
            }
        }
        #expect(copied == "19900030091")
        _ = try await client.changePhone(person, to: "19900030011")
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
