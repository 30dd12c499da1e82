import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import PlatformEvents
import Tenancy
import Testing

extension EndToEnd {
    /// 账号管理 (002 §1–2, §7–8) on the running stack, in 临翔区, with a cadre of its own so that no
    /// other test's password changes.
    @Suite("Accounts")
    struct AccountTests {
        static let cadre = "账号测试干部", unit = "linxiang-nyj", password = "Account2026x"

        func call<Answer>(_ body: () async throws -> Answer) async -> (status: UInt, code: String)? {
            do {
                _ = try await body()
                return nil
            } catch let error as APICallError {
                return (error.status, error.code)
            } catch {
                return (0, "\(error)")
            }
        }

        @Test("A unit admin sees its unit's accounts, lifts a lock with a reset whose password must be changed; others may not")
        func unitAdminResetsPassword() async throws {
            let stack = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "linxiang", login: "临翔区服企办", password: Cast.demoPassword)
            let roster = #"{"tenant": "linxiang", "units": [{"id": "\#(Self.unit)", "name": "临翔区农业农村局", "industryGroups": ["agriculture"]}], "people": [{"id": "lx-account-cadre", "name": "\#(Self.cadre)", "role": "cadre", "unitID": "\#(Self.unit)", "phone": "19900050121", "password": "\#(Self.password)", "passwordChangeRequired": false}]}"#
            let (status, answer) = try await client.raw("import", .PUT, stack.url(.intake, tier: "linxiang") + "/admin/directory",
                token: office.token, rawBody: Array(roster.utf8))
            #expect(status == 200, "\(String(decoding: answer, as: UTF8.self))")
            _ = try await client.login(tier: "linxiang", unit: Self.unit, login: Self.cadre, password: Self.password)
            // Five wrong passwords lock the cadre out.
            for round in 1...5 {
                let refused = await call {
                    try await client.login(tier: "linxiang", unit: Self.unit, login: Self.cadre, password: "wrong-\(round)",
                        clientAddress: "203.0.113.61")
                }
                #expect(refused?.status == 401)
            }
            let locked = await call { try await client.login(tier: "linxiang", unit: Self.unit, login: Self.cadre, password: Self.password) }
            #expect(locked?.code == "LOGIN_LOCKED")

            let admin = try await client.login(tier: "linxiang", login: "临翔区农业农村局管理员", password: Cast.demoPassword)
            let accounts = try await client.accounts(admin)
            #expect(Set(accounts.compactMap(\.unitID)) == [Self.unit], "a unit admin sees only its unit's accounts")
            let before = try #require(accounts.first { $0.subject == "lx-account-cadre" })
            #expect(before.lockedUntil != nil && !before.mustChangePassword && before.role == .cadre && before.unitName == "临翔区农业农村局")

            let otherAdmin = try await client.login(tier: "linxiang", login: "临翔区工信局管理员", password: Cast.demoPassword)
            #expect(await call { try await client.resetPassword(otherAdmin, subject: "lx-account-cadre") }?.code == "NOT_FOUND")
            let cadreOfTier = try await client.login(tier: "linxiang", login: "杨文华", password: Cast.demoPassword)
            #expect(await call { try await client.accounts(cadreOfTier) }?.status == 403)
            #expect(await call { try await client.resetPassword(admin, subject: admin.subject) }?.code == "OWN_ACCOUNT")

            let reset = try await client.resetPassword(admin, subject: "lx-account-cadre")
            #expect(reset.name == Self.cadre && reset.unitName == "临翔区农业农村局" && reset.password.count == 10)
            let old = await call { try await client.login(tier: "linxiang", unit: Self.unit, login: Self.cadre, password: Self.password) }
            #expect(old?.code == "INVALID_CREDENTIALS", "the reset lifted the lock, and the old password is gone")
            let session = try await client.login(tier: "linxiang", unit: Self.unit, login: Self.cadre, password: reset.password)
            #expect(session.mustChangePassword)
            let after = try #require(try await client.accounts(admin).first { $0.subject == "lx-account-cadre" })
            #expect(after.mustChangePassword && after.lockedUntil == nil && after.lastResetBy == "临翔区农业农村局管理员")

            // The office manages every account of the tier, and resets too.
            let all = try await client.accounts(office)
            #expect(all.count > accounts.count && all.contains { $0.role == .enterprise } && all.contains { $0.unitID == "linxiang-gxj" })
            let found = try await client.accounts(office, search: String(Self.cadre.prefix(2)))
            #expect(!found.isEmpty && found.allSatisfy { $0.name.contains(String(Self.cadre.prefix(2))) } && found.count < all.count,
                "a name search is answered by intake")
            #expect(try await client.accounts(office, limit: 2).map(\.subject) == all.prefix(2).map(\.subject))
            #expect(await call { try await client.accounts(office, limit: 0) }?.code == "INVALID_QUERY")
            #expect(await call { try await client.accounts(office, search: "a\u{7}b") }?.code == "INVALID_QUERY")
            let again = try await client.resetPassword(office, subject: "lx-account-cadre")
            #expect(again.password != reset.password)
            try await client.changePassword(
                try await client.login(tier: "linxiang", unit: Self.unit, login: Self.cadre, password: again.password),
                current: again.password, new: Self.password)
            let chosen = try #require(try await client.accounts(office, unit: Self.unit).first { $0.subject == "lx-account-cadre" })
            #expect(!chosen.mustChangePassword)
        }

        static func application(_ name: String, _ code: String, phone: String, password: String = "Apply2026ok")
            -> AccountApplicationInput
        {
            AccountApplicationInput(enterpriseName: name, creditCode: code, address: "临翔区申请路1号", industryGroup: "agriculture",
                contactName: "申请联络", contactPhone: phone, password: password, note: "种植茶叶，员工30人")
        }

        @Test("An enterprise outside the program applies online; the office refuses one with the reason and approves another, each texted; the approved one logs in with its own password and skips cadre review")
        func onlineApplication() async throws {
            let client = try await TestStack.shared.client()
            let log = FakeSMSCLog(path: StackEnvironment.current.fakeSMSCLog!)
            let start = log.lineCount()
            let address = "198.51.100.77"
            let bad = await call {
                try await client.applyForAccount(tier: "linxiang", AccountApplicationInput(enterpriseName: " ", creditCode: "123",
                    address: "", industryGroup: "mining", contactName: "x", contactPhone: "0883-2123456", password: "short"),
                    clientAddress: address)
            }
            #expect(bad?.status == 422)
            do {
                _ = try await client.applyForAccount(tier: "linxiang", AccountApplicationInput(enterpriseName: " ", creditCode: "123",
                    address: "", industryGroup: "mining", contactName: "x", contactPhone: "0883-2123456", password: "short"))
                Issue.record("a bad application was accepted")
            } catch let error as APICallError {
                #expect(Set(error.fieldMessages.keys) == ["enterpriseName", "creditCode", "address", "industryGroup", "contactPhone", "password"])
                #expect(error.fieldMessages["password"] == "密码须为8至64位")
            }
            let known = try #require(try await client.enterprises(try await client.login(tier: "linxiang", login: "临翔区服企办",
                password: Cast.demoPassword)).first)
            let exists = await call {
                try await client.applyForAccount(tier: "linxiang", Self.application("另一个名字", known.creditCode.rawValue, phone: "19900050131"))
            }
            #expect(exists?.code == "ENTERPRISE_EXISTS")

            let refusedName = "临翔申请测试甲茶厂", approvedName = "临翔申请测试乙茶厂"
            let first = try await client.applyForAccount(tier: "linxiang",
                Self.application(refusedName, PairingTests.creditCode("DA", 1), phone: "19900050132"), clientAddress: address)
            #expect(first.state == "pending" && first.industryGroup == .agriculture)
            let twice = await call {
                try await client.applyForAccount(tier: "linxiang",
                    Self.application(refusedName, PairingTests.creditCode("DA", 1), phone: "19900050132"), clientAddress: address)
            }
            #expect(twice?.code == "APPLICATION_PENDING")
            let second = try await client.applyForAccount(tier: "linxiang",
                Self.application(approvedName, PairingTests.creditCode("DA", 2), phone: "19900050133", password: "Chosen2026tea"),
                clientAddress: address)

            // Five applications from one address a day; the sixth is refused.
            for number in 3...5 {
                _ = try await client.applyForAccount(tier: "linxiang",
                    Self.application("临翔申请限额\(number)茶厂", PairingTests.creditCode("DA", number), phone: "1990005014\(number)"),
                    clientAddress: address)
            }
            let sixth = await call {
                try await client.applyForAccount(tier: "linxiang",
                    Self.application("临翔申请限额6茶厂", PairingTests.creditCode("DA", 6), phone: "19900050146"), clientAddress: address)
            }
            #expect(sixth?.status == 429 && sixth?.code == "TOO_MANY_APPLICATIONS")
            let office = try await client.login(tier: "linxiang", login: "临翔区服企办", password: Cast.demoPassword)
            let pending = try await client.accountApplications(office)
            #expect(Set(pending.map(\.id)).isSuperset(of: [first.id, second.id]))
            let dispatcher = try await client.login(tier: "linxiang", login: "临翔区分办员", password: Cast.demoPassword)
            #expect(await call { try await client.accountApplications(dispatcher) }?.status == 403)
            #expect(await call { try await client.decideAccountApplication(office, id: first.id, approve: false) }?.code == "MISSING_FIELD")
            let refused = try await client.decideAccountApplication(office, id: first.id, approve: false, reason: "请先完成工商登记信息变更")
            #expect(refused.state == "refused" && refused.reason == "请先完成工商登记信息变更" && refused.decidedBy == "临翔区服企办")
            #expect(await call { try await client.decideAccountApplication(office, id: first.id, approve: true) }?.code == "ALREADY_DECIDED")
            let approved = try await client.decideAccountApplication(office, id: second.id, approve: true)
            #expect(approved.state == "approved" && approved.enterpriseID != nil)
            #expect(try await !client.accountApplications(office).contains { $0.id == second.id }, "decided ones leave the pending list")
            #expect(try await client.accountApplications(office, all: true).contains { $0.id == second.id })

            let refusalText = try await eventually("the refusal SMS") { log.messages(after: start).first { $0.to == "19900050132" }?.text }
            #expect(refusalText.hasSuffix("\(refusedName)的账号申请未通过：请先完成工商登记信息变更"))
            let approvalText = try await eventually("the approval SMS") { log.messages(after: start).first { $0.to == "19900050133" }?.text }
            #expect(approvalText.hasSuffix("\(approvedName)的账号申请已通过，请以企业全称和申请时设置的密码登录平台"))

            let enterprise = try await client.login(tier: "linxiang", login: approvedName, password: "Chosen2026tea")
            #expect(enterprise.role == .enterprise && !enterprise.mustChangePassword && enterprise.enterpriseID == approved.enterpriseID)
            #expect(await call { try await client.login(tier: "linxiang", login: refusedName, password: "Apply2026ok") }?.status == 401)
            // Outside the pairing program: its demand goes straight to the dispatcher.
            let demand = try await client.submit(enterprise, form: JourneyRunner.sampleForm(enterprise: approvedName,
                creditCode: PairingTests.creditCode("DA", 2), contactPhone: "19900050133"))
            #expect(demand.state == .awaitingDispatch)
        }
    }
}
