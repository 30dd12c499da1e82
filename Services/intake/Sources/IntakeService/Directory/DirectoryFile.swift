import DemandDomain
import Foundation
import InputValidation
import PlatformEvents
import Tenancy

/// A tier's directory as an office loads it from a file (see `deploy/local/directory/*.json`):
/// handling units, people with their roles and logins, enterprises with their paired cadres.
///
/// Plain text everywhere so that ``validated(tier:)`` can report every problem at once, with its
/// path (`people[3].phone`), a stable code and a Chinese message.
public struct DirectoryFile: Codable, Sendable {
    public struct Unit: Codable, Sendable {
        public var id: String
        public var name: String
        /// For a county office that acts as a unit of the city (002 §20).
        public var countyTenant: String?
        public var industryGroups: [IndustryGroup]?
    }

    public struct Person: Codable, Sendable {
        public var id: String
        public var name: String
        public var role: Role
        public var phone: String?
        public var unitID: String?
        /// Login name; defaults to the person's name (002 §1: cadres log in with their name).
        public var login: String?
        /// Initial password; stored only as a bcrypt hash.
        public var password: String?
        /// Whether the person must choose a new password at first login (002 §1); default true.
        public var passwordChangeRequired: Bool?
        /// A dispatcher's industry groups, whose queue they keep (Shiyan city); none for the whole tier's.
        public var industryGroups: [IndustryGroup]?
    }

    public struct Enterprise: Codable, Sendable {
        public var id: String
        public var name: String
        public var creditCode: String
        public var address: String
        public var legalRepresentative: String?
        public var legalRepresentativePhone: String?
        public var liaisonName: String?
        public var liaisonPhone: String?
        public var pairedCadreID: String?
        public var industryGroup: IndustryGroup
        public var profile: String?
        /// On the statistics bureau's 四上 list (000 Q1): allocations pair only these.
        public var onFourAboveList: Bool?
        /// The enterprise account logs in with the enterprise's full name (002 §13).
        public var password: String?
        /// Whether the enterprise must choose a new password at first login; default true.
        public var passwordChangeRequired: Bool?
    }

    public var tenant: String
    public var units: [Unit]?
    public var people: [Person]?
    public var enterprises: [Enterprise]?

    /// A login that intake stores (the password only as a hash). People log in with their tier,
    /// their unit and their name (002 §1), so two people of one name in different units both can.
    public struct Login: Sendable {
        /// The unit the person logs in under: one of the directory's units, or ``tierLevel`` for the
        /// tier's own office, dispatchers, inspectors and for enterprises.
        public var unit: String
        public var login: String
        public var password: String
        public var principal: Principal
        /// The initial password is to be replaced at first login.
        public var changeRequired: Bool

        public static let tierLevel = ""
    }

    public struct Validated: Sendable {
        public var entries: [DirectoryEntry]
        public var logins: [Login]
    }

    /// Units and cadres already in the tier's directory, which a partial file (one sheet) may name.
    public struct Known: Sendable {
        public var unitIDs: Set<String> = []
        public var cadreIDs: Set<String> = []

        public init(unitIDs: Set<String> = [], cadreIDs: Set<String> = []) {
            self.unitIDs = unitIDs
            self.cadreIDs = cadreIDs
        }
    }

    /// Checks the whole file against the tier and returns the entries to store and publish.
    /// `provisionalIDs` (credit code → id) are enterprises the office registered from a demand's
    /// form: the roster's entry with that credit code completes them under their id, so that their
    /// demands stay theirs.
    public func validated(tier: TenantID, tree: TenantTree, provisionalIDs: [String: String] = [:], known: Known = Known())
        throws(ValidationError) -> Validated
    {
        var issues: [FieldIssue] = []
        func issue(_ code: String, _ field: String, _ message: String) {
            issues.append(FieldIssue(code: code, field: field, message: message))
        }
        if tenant != tier.rawValue {
            issue("WRONG_TIER", "tenant", "目录文件属于“\(tenant)”，不能导入本级（\(tier.rawValue)）")
        }
        var entries: [DirectoryEntry] = []
        var logins: [Login] = []
        var unitIDs = known.unitIDs
        var ids: Set<String> = []
        func checkID(_ id: String, _ field: String) {
            if id.isEmpty || id.count > 64 || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                issue("INVALID_ID", field, "编号只能包含字母、数字、-和_，长度1至64")
            } else if !ids.insert(id).inserted {
                issue("DUPLICATE_ID", field, "编号\(id)重复")
            }
        }
        for (index, unit) in (units ?? []).enumerated() {
            let field = "units[\(index)]"
            checkID(unit.id, "\(field).id")
            if unit.name.trimmingWhitespace.isEmpty { issue("MISSING_FIELD", "\(field).name", "请填写单位名称") }
            var county: TenantID?
            if let text = unit.countyTenant {
                county = TenantID(validating: text)
                if county == nil || tree[county!]?.parent != tier {
                    issue("INVALID_COUNTY", "\(field).countyTenant", "“\(text)”不是本级的下级地区")
                }
            }
            unitIDs.insert(unit.id)
            entries.append(.unit(DirectoryUnit(id: unit.id, tenant: tier, name: unit.name.trimmingWhitespace,
                countyTenant: county, industryGroups: unit.industryGroups ?? [])))
        }
        var cadres = known.cadreIDs
        for (index, person) in (people ?? []).enumerated() {
            let field = "people[\(index)]"
            checkID(person.id, "\(field).id")
            if person.name.trimmingWhitespace.isEmpty { issue("MISSING_FIELD", "\(field).name", "请填写姓名") }
            var phone: MobileNumber?
            if let text = person.phone {
                phone = MobileNumber(text)
                if phone == nil { issues.append(.invalidMobile("\(field).phone")) }
            }
            switch person.role {
            case .unitAdmin:
                if person.unitID.map({ !unitIDs.contains($0) }) ?? true {
                    issue("UNKNOWN_UNIT", "\(field).unitID", "单位管理员须属于本目录中的单位")
                }
            case .countyAdmin:
                // The county's office is a unit of the city, declared in the city's directory (002 §20).
                if person.unitID?.isEmpty ?? true {
                    issue("MISSING_FIELD", "\(field).unitID", "县市区管理员须指明其作为承办单位的编号")
                }
            case .enterprise, .system:
                issue("INVALID_ROLE", "\(field).role", "企业账号随企业导入；平台角色不能导入")
            case .cadre:
                cadres.insert(person.id)
                if let unit = person.unitID, !unitIDs.contains(unit) {
                    issue("UNKNOWN_UNIT", "\(field).unitID", "干部所在单位须是本目录中的单位")
                }
            case .dispatcher, .office, .inspector:
                break
            }
            let groups = person.industryGroups.flatMap { $0.isEmpty ? nil : $0 }
            if groups != nil, person.role != .dispatcher {
                issue("INDUSTRY_GROUPS_FOR_DISPATCHERS", "\(field).industryGroups", "只有分办员可以负责行业组")
            }
            entries.append(.person(DirectoryPerson(id: person.id, tenant: tier, name: person.name.trimmingWhitespace,
                role: person.role, phone: phone, unitID: person.unitID, industryGroups: groups)))
            if let password = person.password {
                let unit = person.unitID.flatMap { unitIDs.contains($0) ? $0 : nil } ?? Login.tierLevel
                logins.append(Login(unit: unit, login: (person.login ?? person.name).trimmingWhitespace, password: password,
                    principal: Principal(subject: person.id, role: person.role, tenant: tier, unitID: person.unitID,
                        name: person.name.trimmingWhitespace, industryGroups: groups), changeRequired: person.passwordChangeRequired ?? true))
            }
        }
        for (index, enterprise) in (enterprises ?? []).enumerated() {
            let field = "enterprises[\(index)]"
            checkID(enterprise.id, "\(field).id")
            if enterprise.name.trimmingWhitespace.isEmpty { issue("MISSING_FIELD", "\(field).name", "请填写企业名称") }
            var code: UnifiedSocialCreditCode?
            do {
                code = try UnifiedSocialCreditCode(validating: enterprise.creditCode)
            } catch {
                issue("INVALID_CREDIT_CODE", "\(field).creditCode", error.message)
            }
            func mobile(_ text: String?, _ name: String) -> MobileNumber? {
                guard let text else { return nil }
                guard let number = MobileNumber(text) else {
                    issues.append(.invalidMobile("\(field).\(name)"))
                    return nil
                }
                return number
            }
            let legalPhone = mobile(enterprise.legalRepresentativePhone, "legalRepresentativePhone")
            let liaisonPhone = mobile(enterprise.liaisonPhone, "liaisonPhone")
            if let cadre = enterprise.pairedCadreID, !cadres.contains(cadre) {
                issue("UNKNOWN_CADRE", "\(field).pairedCadreID", "包联干部\(cadre)不在本目录中")
            }
            guard let code else { continue }
            let id = provisionalIDs[code.rawValue] ?? enterprise.id
            let record = DirectoryEnterprise(
                id: id, tenant: tier, name: enterprise.name.trimmingWhitespace, creditCode: code,
                address: enterprise.address, legalRepresentative: enterprise.legalRepresentative,
                legalRepresentativePhone: legalPhone, liaisonName: enterprise.liaisonName, liaisonPhone: liaisonPhone,
                pairedCadreID: enterprise.pairedCadreID, industryGroup: enterprise.industryGroup, profile: enterprise.profile,
                businessStatus: [], active: true, onFourAboveList: enterprise.onFourAboveList)
            entries.append(.enterprise(record))
            // The enterprise's liaison is the person who receives its SMS.
            let liaison = record.liaison
            entries.append(.person(liaison))
            if let password = enterprise.password {
                logins.append(Login(unit: Login.tierLevel, login: enterprise.name.trimmingWhitespace, password: password,
                    principal: Principal(subject: liaison.id, role: .enterprise, tenant: tier, enterpriseID: id,
                        name: enterprise.name.trimmingWhitespace), changeRequired: enterprise.passwordChangeRequired ?? true))
            }
        }
        var loginNames: Set<[String]> = []
        for login in logins where !loginNames.insert([login.unit, login.login]).inserted {
            issue("DUPLICATE_LOGIN", "login", "同一单位内登录名“\(login.login)”重复")
        }
        for login in logins where login.password.count < 8 {
            issue("WEAK_PASSWORD", "password", "“\(login.login)”的初始密码至少8位")
        }
        guard issues.isEmpty else { throw ValidationError(issues) }
        return Validated(entries: entries, logins: logins)
    }
}
