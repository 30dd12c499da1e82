import DemandDomain
import Foundation
import LocalStack
import NIOHTTP1
import PlatformAPI
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
            let again = try await client.resetPassword(office, subject: "lx-account-cadre")
            #expect(again.password != reset.password)
            try await client.changePassword(
                try await client.login(tier: "linxiang", unit: Self.unit, login: Self.cadre, password: again.password),
                current: again.password, new: Self.password)
            let chosen = try #require(try await client.accounts(office, query: "?unit=\(Self.unit)").first { $0.subject == "lx-account-cadre" })
            #expect(!chosen.mustChangePassword)
        }
    }
}
