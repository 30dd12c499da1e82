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
    /// The office loads the statistics bureau's 四上 list and its cadre roster as CSV (000 Q1), on the
    /// running stack, in 临翔区 (no test allocates there, so the new unpaired enterprises change no
    /// other test's allocation).
    @Suite("Directory sheets")
    struct DirectorySheetImportTests {
        @Test("A 四上 list previews its refused rows and changes nothing; the import adds, updates keeping the pairing, and draws first passwords")
        func enterprises() async throws {
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "linxiang", login: "临翔区服企办", password: Cast.demoPassword)
            let paired = try #require(try await client.enterprises(office).first { $0.id == "lx-ent-2" })
            let newCode = PairingTests.creditCode("DK", 1)
            let sheet = Array("""
                \u{FEFF}企业名称,统一社会信用代码,注册地址,行业组,联系人,联系人电话
                临翔名录测试有限公司,\(newCode),临翔区测试路1号,农业,名录联络,19900050081
                临翔坏代码有限公司,91530902MA000000X,临翔区,农业,,
                \(paired.name),\(paired.creditCode.rawValue),,,新联络,19900050082
                """.utf8)

            let preview = try await client.importDirectorySheet(office, kind: "enterprises", csv: sheet, preview: true)
            #expect(!preview.imported && preview.rows == 3 && preview.added == 1 && preview.updated == 1 && preview.newLogins == 1)
            #expect(preview.refused.map(\.line) == [3] && preview.refused.first?.name == "临翔坏代码有限公司")
            #expect(preview.initialPasswords.isEmpty)
            #expect(try await !client.enterprises(office).contains { $0.creditCode.rawValue == newCode }, "a preview imports nothing")

            let done = try await client.importDirectorySheet(office, kind: "enterprises", csv: sheet, preview: false)
            #expect(done.imported && done.added == 1 && done.updated == 1 && done.refused.count == 1)
            let password = try #require(done.initialPasswords.first)
            #expect(done.initialPasswords.count == 1 && password.login == "临翔名录测试有限公司")
            let enterprises = try await client.enterprises(office)
            let added = try #require(enterprises.first { $0.creditCode.rawValue == newCode })
            #expect(added.onFourAboveList == true && added.pairedCadreID == nil && added.industryGroup == .agriculture)
            let updated = try #require(enterprises.first { $0.id == "lx-ent-2" })
            #expect(updated.pairedCadreID == paired.pairedCadreID && updated.address == paired.address)
            #expect(updated.liaisonName == "新联络" && updated.liaisonPhone?.digits == "19900050082")
            let session = try await client.login(tier: "linxiang", login: "临翔名录测试有限公司", password: password.password)
            #expect(session.role == .enterprise && session.enterpriseID == added.id && session.mustChangePassword)
        }

        @Test("A roster names units by name; a new cadre logs in under their unit with the drawn password")
        func cadres() async throws {
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "linxiang", login: "临翔区服企办", password: Cast.demoPassword)
            let sheet = Array("姓名,所在单位,手机号码\n名册测试甲,临翔区农业农村局,19900050091\n名册测试乙,临翔区不存在局,19900050092\n".utf8)
            let done = try await client.importDirectorySheet(office, kind: "cadres", csv: sheet, preview: false)
            #expect(done.added == 1 && done.refused.map(\.line) == [3])
            #expect(done.refused.first?.problems == ["本级没有名为“临翔区不存在局”的单位（单位名称须与平台中的一致）"])
            let password = try #require(done.initialPasswords.first)
            #expect(password.unitName == "临翔区农业农村局" && password.login == "名册测试甲")
            let cadre = try await client.login(tier: "linxiang", unit: "linxiang-nyj", login: "名册测试甲", password: password.password)
            #expect(cadre.role == .cadre && cadre.unitID == "linxiang-nyj" && cadre.mustChangePassword)
            let again = try await client.importDirectorySheet(office, kind: "cadres", csv: sheet, preview: true)
            #expect(again.added == 0 && again.updated == 1, "the same roster again updates the cadre it added")
        }

        @Test("The enterprise and its cadre change the profile's basics, each change kept; others cannot; a re-import keeps the change")
        func profile() async throws {
            let stack = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "linxiang", login: "临翔区服企办", password: Cast.demoPassword)
            let code = PairingTests.creditCode("DP", 1)
            let roster = #"{"tenant": "linxiang", "people": [{"id": "lx-profile-cadre", "name": "资料测试干部", "role": "cadre", "phone": "19900050111", "password": "Profile2026x", "passwordChangeRequired": false}], "enterprises": [{"id": "lx-profile-e", "name": "临翔资料测试有限公司", "creditCode": "\#(code)", "address": "临翔区旧地址1号", "industryGroup": "agriculture", "liaisonName": "旧联络", "liaisonPhone": "19900050112", "pairedCadreID": "lx-profile-cadre", "onFourAboveList": true, "password": "Profile2026x", "passwordChangeRequired": false}]}"#
            func load() async throws {
                let (status, answer) = try await client.raw("import", .PUT, stack.url(.intake, tier: "linxiang") + "/admin/directory",
                    token: office.token, rawBody: Array(roster.utf8))
                #expect(status == 200, "\(String(decoding: answer, as: UTF8.self))")
            }
            try await load()
            let enterprise = try await client.login(tier: "linxiang", login: "临翔资料测试有限公司", password: "Profile2026x")
            let cadre = try await client.login(tier: "linxiang", login: "资料测试干部", password: "Profile2026x")
            let before = try await client.enterpriseProfile(enterprise, enterpriseID: "lx-profile-e")
            #expect(before.editable && before.changes.isEmpty && before.pairedCadreName == "资料测试干部")

            var input = EnterpriseProfileInput(address: "临翔区新地址8号", liaisonName: "旧联络", liaisonPhone: "19900050112",
                profile: "茶叶种植、加工<b>")
            let changed = try await client.changeEnterpriseProfile(enterprise, enterpriseID: "lx-profile-e", input)
            #expect(changed.enterprise.address == "临翔区新地址8号" && changed.enterprise.profile == "茶叶种植、加工<b>")
            #expect(Set(changed.changes.map(\.field)) == [.address, .profile], "unchanged fields are not recorded")
            let addressChange = try #require(changed.changes.first { $0.field == .address })
            #expect(addressChange.from == "临翔区旧地址1号" && addressChange.changedBy == "临翔资料测试有限公司" && addressChange.changedByRole == "企业")

            input.liaisonName = "新联络"
            input.liaisonPhone = "19900050113"
            let byCadre = try await client.changeEnterpriseProfile(cadre, enterpriseID: "lx-profile-e", input)
            #expect(byCadre.changes.count == 4 && byCadre.changes.first?.changedByRole == "包联干部")
            #expect(byCadre.enterprise.liaisonPhone?.digits == "19900050113")

            func refusal(_ session: Session, _ input: EnterpriseProfileInput) async -> APICallError? {
                do {
                    _ = try await client.changeEnterpriseProfile(session, enterpriseID: "lx-profile-e", input)
                    return nil
                } catch {
                    return error as? APICallError
                }
            }
            var bad = input
            bad.legalRepresentativePhone = "0883-1234"
            bad.address = " "
            let invalid = await refusal(enterprise, bad)
            #expect(invalid?.status == 422 && Set(invalid?.issues.map(\.code) ?? []) == ["INVALID_MOBILE", "MISSING_FIELD"])
            let other = try await client.login(tier: "linxiang", login: "杨文华", password: Cast.demoPassword)
            #expect(await refusal(other, input)?.status == 404, "another enterprise's cadre does not see it")
            let dispatcher = try await client.login(tier: "linxiang", login: "临翔区分办员", password: Cast.demoPassword)
            #expect(await refusal(dispatcher, input)?.status == 403)
            let officeView = try await client.enterpriseProfile(office, enterpriseID: "lx-profile-e")
            #expect(officeView.changes.count == 4 && officeView.editable)

            try await load()
            let reloaded = try #require(try await client.enterprises(office).first { $0.id == "lx-profile-e" })
            #expect(reloaded.address == "临翔区新地址8号" && reloaded.liaisonName == "新联络" && reloaded.liaisonPhone?.digits == "19900050113",
                "a re-import of the roster keeps what was changed on the platform")
        }

        @Test("Sheets refused whole: another role, a missing column, a file that is not text, an unknown kind")
        func refusals() async throws {
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "linxiang", login: "临翔区服企办", password: Cast.demoPassword)
            let dispatcher = try await client.login(tier: "linxiang", login: "临翔区分办员", password: Cast.demoPassword)
            func refusal(_ session: Session, _ kind: String, _ bytes: [UInt8]) async -> APICallError? {
                do {
                    _ = try await client.importDirectorySheet(session, kind: kind, csv: bytes, preview: true)
                    return nil
                } catch {
                    return error as? APICallError
                }
            }
            let good = Array("姓名,所在单位\n甲,临翔区农业农村局\n".utf8)
            #expect(await refusal(dispatcher, "cadres", good)?.status == 403)
            let missing = await refusal(office, "cadres", Array("姓名,手机号码\n甲,19900050093\n".utf8))
            #expect(missing?.code == "MISSING_COLUMN" && missing?.problems.contains("所在单位") == true)
            #expect(await refusal(office, "cadres", [0x50, 0x4B, 0x03, 0x04, 0xFF, 0xFE, 0x00, 0x81])?.code == "UNREADABLE_SHEET")
            #expect(await refusal(office, "cadres", Array("姓名,所在单位\n".utf8))?.code == "EMPTY_SHEET")
            #expect(await refusal(office, "units", good)?.status == 404)
        }
    }
}

extension APICallError {
    fileprivate var problems: String { issues.map(\.message).joined() }
}
