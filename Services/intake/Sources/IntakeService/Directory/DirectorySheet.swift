import DemandDomain
import DemandStore
import Foundation
import InputValidation
import Logging
import OfficeDocuments
import PlatformEvents
import PostgresStorage
import ServiceRuntime
import Tenancy

/// A part of the directory as offices keep it in Excel (000 Q1): the statistics bureau's 四上企业
/// list, or the roster of cadres. Each row is checked on its own against the tier's directory, so the
/// office sees every row that will be refused and why before anything is imported, and then the good
/// rows go in. A row naming an enterprise (by credit code) or a cadre (by unit and name) already in
/// the directory updates it and keeps what the sheet does not say (pairing, profile, statuses).
struct DirectorySheet {
    enum Kind: String, Codable, Sendable, CaseIterable {
        case enterprises
        case cadres

        var chineseName: String { self == .enterprises ? "四上企业名单" : "干部名册" }
    }

    /// A column as offices head it; the first header is the one the template uses.
    struct Column: Sendable {
        var key: String
        var headers: [String]
        var required: Bool = false

        var title: String { headers[0] }
    }

    static func columns(of kind: Kind) -> [Column] {
        switch kind {
        case .enterprises:
            [Column(key: "name", headers: ["企业名称", "单位名称", "名称"], required: true),
             Column(key: "creditCode", headers: ["统一社会信用代码", "信用代码"], required: true),
             Column(key: "address", headers: ["注册地址", "地址", "企业地址"]),
             Column(key: "industryGroup", headers: ["行业组", "所属行业组", "行业"]),
             Column(key: "legalRepresentative", headers: ["法定代表人", "法人代表", "法人"]),
             Column(key: "legalRepresentativePhone", headers: ["法定代表人电话", "法定代表人手机", "法人电话"]),
             Column(key: "liaisonName", headers: ["联系人"]),
             Column(key: "liaisonPhone", headers: ["联系人电话", "联系人手机", "联系电话"]),
             Column(key: "profile", headers: ["企业简介", "简介"]),
             Column(key: "password", headers: ["初始密码"])]
        case .cadres:
            [Column(key: "name", headers: ["姓名"], required: true),
             Column(key: "unit", headers: ["所在单位", "单位", "工作单位"], required: true),
             Column(key: "phone", headers: ["手机号码", "手机", "联系电话"]),
             Column(key: "password", headers: ["初始密码"])]
        }
    }

    /// The tier's directory as the sheet is checked against it.
    struct Existing: Sendable {
        var units: [DirectoryUnit]
        var cadres: [DirectoryPerson]
        var enterprises: [DirectoryEnterprise]
        var provisionalIDs: [String: String]
    }

    struct RefusedRow: Codable, Sendable {
        var line: Int
        var name: String
        var problems: [String]
    }

    /// What an import of the sheet does: the file of its good rows, and every refused row.
    struct Plan: Sendable {
        var file: DirectoryFile
        var known: DirectoryFile.Known
        var rows: Int
        var added: Int
        var updated: Int
        var refused: [RefusedRow]
        /// New accounts the sheet gives no initial password for; one is drawn for each at import.
        var loginsWithoutPassword: [(unitName: String, login: String, id: String)]
    }

    let kind: Kind
    let sheet: CSVSheet

    /// The sheet's header names the columns; an unreadable file or a missing column refuses it whole.
    static func read(_ kind: Kind, bytes: [UInt8]) throws(ValidationError) -> DirectorySheet {
        guard let sheet = CSVSheet(bytes: bytes) else {
            throw ValidationError([FieldIssue(code: "UNREADABLE_SHEET", field: "file",
                message: "无法读取文件：请在Excel或WPS中“另存为”CSV格式（UTF-8或GBK编码）后上传")])
        }
        guard sheet.rows.count > 1 else {
            throw ValidationError([FieldIssue(code: "EMPTY_SHEET", field: "file", message: "文件中没有表头以外的数据行")])
        }
        let header = sheet.rows[0].cells.map(Self.normalisedHeader)
        let missing = columns(of: kind).filter { column in column.required && !column.headers.contains(where: header.contains) }
        guard missing.isEmpty else {
            throw ValidationError(missing.map {
                FieldIssue(code: "MISSING_COLUMN", field: "file", message: "\(kind.chineseName)缺少“\($0.title)”列（第1行应为表头）")
            })
        }
        return DirectorySheet(kind: kind, sheet: sheet)
    }

    /// Headers as templates write them: `*企业名称` marks a required column, `（必填）` a note.
    private static func normalisedHeader(_ text: String) -> String {
        var header = text.filter { !$0.isWhitespace && $0 != "*" && $0 != "＊" }
        for note in ["（必填）", "(必填)", "（选填）", "(选填)"] { header = header.replacingOccurrences(of: note, with: "") }
        return header
    }

    /// Every data row as column key → cell.
    private var records: [(line: Int, cells: [String: String])] {
        let header = sheet.rows[0].cells.map(Self.normalisedHeader)
        let positions = Self.columns(of: kind).compactMap { column -> (String, Int)? in
            column.headers.lazy.compactMap { header.firstIndex(of: $0) }.first.map { (column.key, $0) }
        }
        return sheet.rows.dropFirst().map { row in
            var cells: [String: String] = [:]
            for (key, position) in positions where position < row.cells.count && !row.cells[position].isEmpty {
                cells[key] = row.cells[position]
            }
            return (row.line, cells)
        }
    }

    func plan(tier: TenantID, tree: TenantTree, existing: Existing) -> Plan {
        let known = DirectoryFile.Known(unitIDs: Set(existing.units.map(\.id)), cadreIDs: Set(existing.cadres.map(\.id)))
        var plan = Plan(file: DirectoryFile(tenant: tier.rawValue), known: known, rows: 0, added: 0, updated: 0, refused: [],
            loginsWithoutPassword: [])
        var seen: [String: Int] = [:]
        for (line, cells) in records {
            plan.rows += 1
            let name = cells["name"] ?? ""
            var problems: [String] = []
            var row: DirectoryFile
            var isNew: Bool
            var identity: String
            switch kind {
            case .enterprises:
                (row, isNew, problems) = enterpriseRow(cells, tier: tier, existing: existing)
                identity = cells["creditCode"].map { $0.uppercased() } ?? ""
            case .cadres:
                (row, isNew, problems) = cadreRow(cells, tier: tier, existing: existing)
                identity = "\(cells["unit"] ?? "")/\(name)"
            }
            if !identity.isEmpty, let first = seen[identity] {
                problems.append("与第\(first)行重复")
            }
            if problems.isEmpty {
                do {
                    _ = try row.validated(tier: tier, tree: tree, provisionalIDs: existing.provisionalIDs, known: known)
                } catch {
                    problems += error.issues.map(\.message)
                }
            }
            guard problems.isEmpty else {
                plan.refused.append(RefusedRow(line: line, name: name, problems: problems))
                continue
            }
            seen[identity] = line
            if isNew { plan.added += 1 } else { plan.updated += 1 }
            plan.file.people = (plan.file.people ?? []) + (row.people ?? [])
            plan.file.enterprises = (plan.file.enterprises ?? []) + (row.enterprises ?? [])
            if isNew, let person = row.people?.first, person.password == nil {
                let unitName = existing.units.first { $0.id == person.unitID }?.name ?? ""
                plan.loginsWithoutPassword.append((unitName, person.name, person.id))
            }
            if isNew, let enterprise = row.enterprises?.first, enterprise.password == nil {
                plan.loginsWithoutPassword.append(("", enterprise.name, enterprise.id))
            }
        }
        return plan
    }

    private func enterpriseRow(_ cells: [String: String], tier: TenantID, existing: Existing)
        -> (DirectoryFile, isNew: Bool, problems: [String])
    {
        var problems: [String] = []
        let code = cells["creditCode"]?.uppercased() ?? ""
        if cells["name"] == nil { problems.append("请填写企业名称") }
        if code.isEmpty { problems.append("请填写统一社会信用代码") }
        let current = existing.enterprises.first { $0.creditCode.rawValue == code }
        var group = current?.industryGroup
        if let text = cells["industryGroup"] {
            group = IndustryGroup.allCases.first { text.hasPrefix($0.chineseName) }
            if group == nil {
                problems.append("行业组“\(text)”应为\(IndustryGroup.allCases.map(\.chineseName).joined(separator: "、"))之一")
            }
        } else if group == nil {
            problems.append("请填写行业组（\(IndustryGroup.allCases.map(\.chineseName).joined(separator: "、"))）")
        }
        let address = cells["address"] ?? current?.address
        if address == nil { problems.append("请填写注册地址") }
        let enterprise = DirectoryFile.Enterprise(
            id: current?.id ?? "ent-\(code)", name: cells["name"] ?? "", creditCode: code, address: address ?? "",
            legalRepresentative: cells["legalRepresentative"] ?? current?.legalRepresentative,
            legalRepresentativePhone: cells["legalRepresentativePhone"] ?? current?.legalRepresentativePhone?.digits,
            liaisonName: cells["liaisonName"] ?? current?.liaisonName,
            liaisonPhone: cells["liaisonPhone"] ?? current?.liaisonPhone?.digits,
            pairedCadreID: current?.pairedCadreID, industryGroup: group ?? .economyAndIT,
            profile: cells["profile"] ?? current?.profile, onFourAboveList: true, password: cells["password"],
            passwordChangeRequired: true)
        return (DirectoryFile(tenant: tier.rawValue, enterprises: [enterprise]), current == nil, problems)
    }

    private func cadreRow(_ cells: [String: String], tier: TenantID, existing: Existing)
        -> (DirectoryFile, isNew: Bool, problems: [String])
    {
        var problems: [String] = []
        let name = cells["name"] ?? ""
        if name.isEmpty { problems.append("请填写姓名") }
        let unitName = cells["unit"] ?? ""
        let unit = existing.units.first { $0.active && $0.name == unitName }
        if unitName.isEmpty {
            problems.append("请填写所在单位")
        } else if unit == nil {
            problems.append("本级没有名为“\(unitName)”的单位（单位名称须与平台中的一致）")
        }
        let current = existing.cadres.first { $0.name == name && $0.unitID == unit?.id }
        let person = DirectoryFile.Person(
            id: current?.id ?? "cadre-\(UUID().uuidString.prefix(13).lowercased())", name: name, role: .cadre,
            phone: cells["phone"] ?? current?.phone?.digits, unitID: unit?.id, login: nil, password: cells["password"],
            passwordChangeRequired: true)
        return (DirectoryFile(tenant: tier.rawValue, people: [person]), current == nil, problems)
    }
}

extension IntakeWorkflow {
    /// What a sheet import answers: the rows it took and refused, and the first passwords it drew.
    struct SheetImport: Codable, Sendable {
        public struct InitialPassword: Codable, Sendable {
            public var unitName: String
            public var login: String
            public var password: String
        }

        public var kind: String
        public var imported: Bool
        public var rows: Int
        public var added: Int
        public var updated: Int
        public var refused: [DirectorySheet.RefusedRow]
        /// New accounts without an initial password in the sheet (on a preview: how many will get one).
        public var newLogins: Int
        public var initialPasswords: [InitialPassword]
    }

    /// Checks a sheet and, unless it is a preview, imports its good rows.
    func importSheet(_ kind: DirectorySheet.Kind, bytes: [UInt8], preview: Bool) async throws -> SheetImport {
        let sheet = try DirectorySheet.read(kind, bytes: bytes)
        let existing = try await runtime.database.withConnection { connection in
            DirectorySheet.Existing(
                units: try await directory.units(tenant: tier.id, on: connection),
                cadres: try await directory.people(roles: [.cadre], tenant: tier.id, on: connection),
                enterprises: try await directory.enterprises(tenant: tier.id, on: connection),
                provisionalIDs: try await directory.provisionalEnterpriseIDs(tenant: tier.id, on: connection))
        }
        var plan = sheet.plan(tier: tier.id, tree: rules.tree, existing: existing)
        var answer = SheetImport(kind: kind.rawValue, imported: false, rows: plan.rows, added: plan.added, updated: plan.updated,
            refused: plan.refused, newLogins: plan.loginsWithoutPassword.count, initialPasswords: [])
        guard !preview, plan.added + plan.updated > 0 else { return answer }
        for login in plan.loginsWithoutPassword {
            let password = PasswordPolicy.drawInitialPassword()
            if let index = plan.file.people?.firstIndex(where: { $0.id == login.id }) { plan.file.people?[index].password = password }
            if let index = plan.file.enterprises?.firstIndex(where: { $0.id == login.id }) { plan.file.enterprises?[index].password = password }
            answer.initialPasswords.append(.init(unitName: login.unitName, login: login.login, password: password))
        }
        _ = try await importDirectory(plan.file, known: plan.known)
        answer.imported = true
        logger.info("Directory sheet imported", metadata: [
            "kind": "\(kind.rawValue)", "added": "\(plan.added)", "updated": "\(plan.updated)", "refused": "\(plan.refused.count)",
        ])
        return answer
    }
}
