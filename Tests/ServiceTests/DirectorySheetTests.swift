import Foundation
import DemandDomain
@testable import IntakeService
import OfficeDocuments
import PlatformEvents
import Testing
import Tenancy
import InputValidation

/// Sheets offices save from Excel or WPS (000 Q1): read in UTF-8 or GBK, and checked row by row so
/// that the office sees every refused row, with its line and reason, before anything is imported.
@Suite("Directory sheets")
struct DirectorySheetTests {
    @Test("A sheet reads back what the platform's own CSV writes: quotes, commas and line breaks in cells")
    func roundTrip() throws {
        let table = ReportTable(title: "t", header: ["企业名称", "简介"], rows: [["十堰“鑫源”, 机械", "第一行\n第二行"], ["a\"b", " 空格 "]])
        let sheet = try #require(CSVSheet(bytes: Array(CSVText.of(table).utf8)))
        #expect(sheet.rows.map(\.cells) == [["企业名称", "简介"], ["十堰“鑫源”, 机械", "第一行\n第二行"], ["a\"b", "空格"]])
        #expect(sheet.rows.map(\.line) == [1, 2, 4])
    }

    @Test("A sheet saved as plain CSV on Chinese Windows (GBK) reads as the same text")
    func gbk() throws {
        // "企业名称,统一社会信用代码,注册地址,行业组\r\n"十堰市鑫源机械有限公司",91420300MA4F0XYZ12,茅箭区东岳路1号,经信\r\n" in GBK.
        let bytes: [UInt8] = [
            0xC6, 0xF3, 0xD2, 0xB5, 0xC3, 0xFB, 0xB3, 0xC6, 0x2C, 0xCD, 0xB3, 0xD2, 0xBB, 0xC9, 0xE7, 0xBB, 0xE1, 0xD0, 0xC5, 0xD3, 0xC3,
            0xB4, 0xFA, 0xC2, 0xEB, 0x2C, 0xD7, 0xA2, 0xB2, 0xE1, 0xB5, 0xD8, 0xD6, 0xB7, 0x2C, 0xD0, 0xD0, 0xD2, 0xB5, 0xD7, 0xE9, 0x0D,
            0x0A, 0x22, 0xCA, 0xAE, 0xD1, 0xDF, 0xCA, 0xD0, 0xF6, 0xCE, 0xD4, 0xB4, 0xBB, 0xFA, 0xD0, 0xB5, 0xD3, 0xD0, 0xCF, 0xDE, 0xB9,
            0xAB, 0xCB, 0xBE, 0x22, 0x2C, 0x39, 0x31, 0x34, 0x32, 0x30, 0x33, 0x30, 0x30, 0x4D, 0x41, 0x34, 0x46, 0x30, 0x58, 0x59, 0x5A,
            0x31, 0x32, 0x2C, 0xC3, 0xA9, 0xBC, 0xFD, 0xC7, 0xF8, 0xB6, 0xAB, 0xD4, 0xC0, 0xC2, 0xB7, 0x31, 0xBA, 0xC5, 0x2C, 0xBE, 0xAD,
            0xD0, 0xC5, 0x0D, 0x0A,
        ]
        let sheet = try #require(CSVSheet(bytes: bytes))
        #expect(sheet.rows.map(\.cells) == [
            ["企业名称", "统一社会信用代码", "注册地址", "行业组"],
            ["十堰市鑫源机械有限公司", "91420300MA4F0XYZ12", "茅箭区东岳路1号", "经信"],
        ])
    }

    @Test("Bytes that are neither UTF-8 nor GB 18030 (an .xlsx, a picture) are refused whole")
    func unreadable() {
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0xFF, 0xFF, 0x80, 0x00]
        #expect(CSVSheet(bytes: zip) == nil)
        #expect(throws: ValidationError.self) { try DirectorySheet.read(.enterprises, bytes: zip) }
    }

    @Test("A sheet without a required column is refused whole, naming the column")
    func missingColumn() throws {
        let bytes = Array("姓名,手机号码\n李明,13800000000\n".utf8)
        let error = try #require(throws: ValidationError.self) { try DirectorySheet.read(.cadres, bytes: bytes) }
        #expect(error.issues.map(\.code) == ["MISSING_COLUMN"])
        #expect(error.issues[0].message.contains("所在单位"))
    }

    static let tier: TenantID = "maojian"
    static let tree = try! TenantTree([
        Tenant(id: "shiyan", name: "十堰市", shortName: "十堰", level: .city, parent: nil, procedure: "shiyan",
            smsSignature: "【十堰市双千办】", platformName: "十堰亲清企业服务信息平台"),
        Tenant(id: "maojian", name: "茅箭区", shortName: "茅箭", level: .county, parent: "shiyan", procedure: "shiyan",
            smsSignature: "【茅箭区双千办】", platformName: "十堰亲清企业服务信息平台")
    ])

    static func code(_ number: Int) -> String {
        let prefix = "91420303MA4DT" + String(number).leftPadded(to: 4)
        return prefix + String(UnifiedSocialCreditCode.checkCharacter(forPrefix: prefix)!)
    }

    static let existing = DirectorySheet.Existing(
        units: [DirectoryUnit(id: "mj-commerce", tenant: tier, name: "商务局")],
        cadres: [DirectoryPerson(id: "mj-cadre-9", tenant: tier, name: "李明", role: .cadre, phone: MobileNumber("13800000009"),
            unitID: "mj-commerce")],
        enterprises: [DirectoryEnterprise(id: "mj-ent-9", tenant: tier, name: "旧名称有限公司", creditCode: try! UnifiedSocialCreditCode(
            validating: code(9)), address: "旧地址", legalRepresentative: "王五", legalRepresentativePhone: nil, liaisonName: nil,
            liaisonPhone: nil, pairedCadreID: "mj-cadre-9", industryGroup: .commerce, profile: "老简介", businessStatus: [], active: true)],
        provisionalIDs: [:])

    @Test("Every bad row of the 四上 list is refused with its line and reason; good rows add or update, keeping the pairing")
    func enterpriseRows() throws {
        let text = """
            *企业名称,统一社会信用代码（必填）,注册地址,行业组,联系人,联系电话
            十堰新企业有限公司,\(Self.code(1)),茅箭区一路1号,经信组,张三,13900000001
            新名称有限公司,\(Self.code(9)),,,,
            坏代码有限公司,91420303MA4DT00010,茅箭区,住建,,
            无行业有限公司,\(Self.code(2)),茅箭区,,,
            错号码有限公司,\(Self.code(3)),茅箭区,商务,李四,12345
            十堰新企业有限公司二,\(Self.code(1)),茅箭区,经信,,
            ,\(Self.code(4)),茅箭区,文旅,,
            """
        let sheet = try DirectorySheet.read(.enterprises, bytes: Array(text.utf8))
        let plan = sheet.plan(tier: Self.tier, tree: Self.tree, existing: Self.existing)
        #expect(plan.rows == 7)
        #expect(plan.added == 1)
        #expect(plan.updated == 1)
        #expect(plan.refused.map(\.line) == [4, 5, 6, 7, 8])
        #expect(plan.refused[0].problems.joined().contains("校验码") || plan.refused[0].problems.joined().contains("信用代码"))
        #expect(plan.refused[1].problems.joined().contains("请填写行业组"))
        #expect(plan.refused[2].problems.joined().contains("手机号码"))
        #expect(plan.refused[3].problems == ["与第2行重复"])
        #expect(plan.refused[4].problems == ["请填写企业名称"])
        let updated = try #require(plan.file.enterprises?.first { $0.id == "mj-ent-9" })
        #expect(updated.name == "新名称有限公司")
        #expect(updated.address == "旧地址")
        #expect(updated.pairedCadreID == "mj-cadre-9")
        #expect(updated.profile == "老简介")
        #expect(updated.industryGroup == .commerce)
        let added = try #require(plan.file.enterprises?.first { $0.creditCode == Self.code(1) })
        #expect(added.industryGroup == .economyAndIT)
        #expect(added.onFourAboveList == true)
        #expect(plan.loginsWithoutPassword.map(\.login) == ["十堰新企业有限公司"])
        _ = try plan.file.validated(tier: Self.tier, tree: Self.tree, known: plan.known)
    }

    @Test("Roster rows name their unit by name; a cadre already there keeps their id, an unknown unit is refused")
    func cadreRows() throws {
        let text = "姓名\t所在单位\t手机号码\t初始密码\n李明\t商务局\t13800000019\t\n赵六\t商务局\t\tabc12345xyz\n钱七\t不存在局\t13800000007\t\n孙八\t商务局\t138\t\n"
        let plan = try DirectorySheet.read(.cadres, bytes: Array(text.utf8)).plan(tier: Self.tier, tree: Self.tree,
            existing: Self.existing)
        #expect(plan.updated == 1)
        #expect(plan.added == 1)
        #expect(plan.refused.map(\.line) == [4, 5])
        #expect(plan.refused[0].problems == ["本级没有名为“不存在局”的单位（单位名称须与平台中的一致）"])
        let kept = try #require(plan.file.people?.first { $0.name == "李明" })
        #expect(kept.id == "mj-cadre-9")
        #expect(kept.phone == "13800000019")
        #expect(plan.loginsWithoutPassword.isEmpty)
        _ = try plan.file.validated(tier: Self.tier, tree: Self.tree, known: plan.known)
    }

    @Test("A dispatcher may keep industry groups' queues, carried to the directory and the login; no one else may")
    func dispatcherIndustryGroups() throws {
        let json = """
            {"tenant": "maojian", "people": [
              {"id": "d1", "name": "住建组分办员", "role": "dispatcher", "industryGroups": ["housingAndConstruction"], "password": "abc12345xyz"},
              {"id": "o1", "name": "双千办", "role": "office", "industryGroups": ["commerce"]}]}
            """
        let file = try JSONDecoder().decode(DirectoryFile.self, from: Data(json.utf8))
        #expect(throws: ValidationError([FieldIssue(code: "INDUSTRY_GROUPS_FOR_DISPATCHERS", field: "people[1].industryGroups",
            message: "只有分办员可以负责行业组")])) {
            _ = try file.validated(tier: Self.tier, tree: Self.tree)
        }
        var dispatcherOnly = file
        dispatcherOnly.people = Array(file.people!.prefix(1))
        let validated = try dispatcherOnly.validated(tier: Self.tier, tree: Self.tree)
        guard case .person(let person)? = validated.entries.first else { Issue.record("no person entry"); return }
        #expect(person.industryGroups == [.housingAndConstruction])
        #expect(person.keepsQueue(of: .housingAndConstruction) && !person.keepsQueue(of: .commerce) && person.keepsQueue(of: nil))
        #expect(validated.logins.first?.principal.industryGroups == [.housingAndConstruction])
    }

    @Test("Drawn first passwords are ten letters and digits that cannot be misread")
    func initialPasswords() {
        let passwords = (0..<50).map { _ in PasswordPolicy.drawInitialPassword() }
        #expect(Set(passwords).count == 50)
        for password in passwords {
            #expect(password.count == 10)
            #expect(password.contains(where: \.isNumber) && password.contains(where: \.isLetter))
            #expect(!password.contains(where: { "01ilo".contains($0) }))
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
