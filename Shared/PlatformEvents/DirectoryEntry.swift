import DemandDomain
import Foundation
import InputValidation
import Tenancy

/// A person the platform knows: cadres, dispatchers, unit admins, office staff, enterprise
/// contacts. Login accounts (and password hashes) stay with the intake that owns them.
public struct DirectoryPerson: Codable, Sendable, Hashable {
    public var id: String
    public var tenant: TenantID
    public var name: String
    public var role: Role
    public var phone: MobileNumber?
    public var unitID: String?
    public var enterpriseID: String?
    public var active: Bool
    /// A dispatcher's industry groups, whose demands they are texted about; nil for all the tier's.
    public var industryGroups: [IndustryGroup]?

    /// The id of an enterprise's liaison, the person its account and its SMS belong to.
    public static func liaisonID(of enterpriseID: String) -> String { "\(enterpriseID)-contact" }

    public init(id: String, tenant: TenantID, name: String, role: Role, phone: MobileNumber?, unitID: String? = nil,
        enterpriseID: String? = nil, active: Bool = true, industryGroups: [IndustryGroup]? = nil)
    {
        self.industryGroups = industryGroups
        self.id = id
        self.tenant = tenant
        self.name = name
        self.role = role
        self.phone = phone
        self.unitID = unitID
        self.enterpriseID = enterpriseID
        self.active = active
    }

    /// Whether a dispatcher keeps the queue of a demand's industry group.
    public func keepsQueue(of group: IndustryGroup?) -> Bool {
        guard let group, let industryGroups, !industryGroups.isEmpty else { return true }
        return industryGroups.contains(group)
    }
}

/// A handling unit (承办单位). A county's office can be a unit of its city (002 §20).
public struct DirectoryUnit: Codable, Sendable, Hashable {
    public var id: String
    public var tenant: TenantID
    public var name: String
    /// For a county office acting as a unit of the city: the county.
    public var countyTenant: TenantID?
    public var industryGroups: [IndustryGroup]
    public var active: Bool

    public init(id: String, tenant: TenantID, name: String, countyTenant: TenantID? = nil, industryGroups: [IndustryGroup] = [],
        active: Bool = true)
    {
        self.id = id
        self.tenant = tenant
        self.name = name
        self.countyTenant = countyTenant
        self.industryGroups = industryGroups
        self.active = active
    }

    public var ref: UnitRef { UnitRef(id: id, name: name, tenant: tenant) }
}

/// An enterprise's profile (002 §3), kept current by its cadre.
public struct DirectoryEnterprise: Codable, Sendable, Hashable {
    public struct MonthlyStatus: Codable, Sendable, Hashable {
        /// `YYYY-MM`.
        public var month: String
        public var text: String

        public init(month: String, text: String) {
            self.month = month
            self.text = text
        }
    }

    public var id: String
    public var tenant: TenantID
    public var name: String
    public var creditCode: UnifiedSocialCreditCode
    public var address: String
    public var legalRepresentative: String?
    public var legalRepresentativePhone: MobileNumber?
    public var liaisonName: String?
    public var liaisonPhone: MobileNumber?
    /// The paired cadre; nil for small enterprises outside the pairing program (000 Q29).
    public var pairedCadreID: String?
    public var industryGroup: IndustryGroup
    public var profile: String?
    /// At least the last three months are kept (002 §3).
    public var businessStatus: [MonthlyStatus]
    public var active: Bool
    /// Registered by the office from a demand's form because the enterprise was not in the roster
    /// (003 art. 7–10); the roster's entry with the same credit code completes it (nil: from the roster).
    public var provisional: Bool?
    /// On the statistics bureau's 四上 list, from which enterprises are allocated to cadres (000 Q1);
    /// nil or false: not allocated (a small enterprise outside the programme, 000 Q29).
    public var onFourAboveList: Bool?

    public init(
        id: String, tenant: TenantID, name: String, creditCode: UnifiedSocialCreditCode, address: String,
        legalRepresentative: String?, legalRepresentativePhone: MobileNumber?, liaisonName: String?, liaisonPhone: MobileNumber?,
        pairedCadreID: String?, industryGroup: IndustryGroup, profile: String?, businessStatus: [MonthlyStatus], active: Bool,
        provisional: Bool? = nil, onFourAboveList: Bool? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.name = name
        self.creditCode = creditCode
        self.address = address
        self.legalRepresentative = legalRepresentative
        self.legalRepresentativePhone = legalRepresentativePhone
        self.liaisonName = liaisonName
        self.liaisonPhone = liaisonPhone
        self.pairedCadreID = pairedCadreID
        self.industryGroup = industryGroup
        self.profile = profile
        self.businessStatus = businessStatus
        self.active = active
        self.provisional = provisional
        self.onFourAboveList = onFourAboveList
    }

    /// Ids of enterprises registered provisionally keep this prefix after the roster completes them,
    /// so that every later import of the roster finds them again by credit code.
    public static let provisionalIDPrefix = "provisional-"

    /// A provisional enterprise from the particulars a demand's form gives; its liaison is the
    /// form's contact, when that is a mobile.
    public static func provisional(from content: DemandContent, tenant: TenantID) -> DirectoryEnterprise {
        DirectoryEnterprise(
            id: provisionalIDPrefix + content.enterprise.creditCode.rawValue, tenant: tenant, name: content.enterprise.name,
            creditCode: content.enterprise.creditCode, address: content.enterprise.address, legalRepresentative: nil,
            legalRepresentativePhone: nil, liaisonName: content.contact.name, liaisonPhone: content.contact.phone.mobile,
            pairedCadreID: nil, industryGroup: content.industryGroup, profile: nil, businessStatus: [], active: true, provisional: true)
    }

    /// The person its SMS and its account belong to.
    public var liaison: DirectoryPerson {
        DirectoryPerson(id: DirectoryPerson.liaisonID(of: id), tenant: tenant, name: liaisonName ?? name, role: .enterprise,
            phone: liaisonPhone, enterpriseID: id)
    }

    public var party: EnterpriseParty { EnterpriseParty(id: id, tenant: tenant, pairedCadreID: pairedCadreID) }

    /// The enterprise's registered details, as the directory holds them.
    public var details: EnterpriseDetails { EnterpriseDetails(name: name, creditCode: creditCode, address: address) }
}

extension DemandContent {
    /// The content with the enterprise's details from the directory: who raises a demand comes
    /// from the login (or the directory, for a cadre or office submitting on its behalf), never from
    /// what the form says.
    public func naming(_ enterprise: DirectoryEnterprise) -> DemandContent {
        var content = self
        content.enterprise = enterprise.details
        return content
    }
}

/// One directory fact, keyed so that a compacted topic keeps the latest of each.
public enum DirectoryEntry: Codable, Sendable, Hashable {
    case person(DirectoryPerson)
    case unit(DirectoryUnit)
    case enterprise(DirectoryEnterprise)

    public var key: String {
        switch self {
        case .person(let person): "person:\(person.id)"
        case .unit(let unit): "unit:\(unit.id)"
        case .enterprise(let enterprise): "enterprise:\(enterprise.id)"
        }
    }

    public var tenant: TenantID {
        switch self {
        case .person(let person): person.tenant
        case .unit(let unit): unit.tenant
        case .enterprise(let enterprise): enterprise.tenant
        }
    }

    private enum CodingKeys: String, CodingKey {
        case kind
        case person
        case unit
        case enterprise
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "person": self = .person(try container.decode(DirectoryPerson.self, forKey: .person))
        case "unit": self = .unit(try container.decode(DirectoryUnit.self, forKey: .unit))
        case "enterprise": self = .enterprise(try container.decode(DirectoryEnterprise.self, forKey: .enterprise))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown directory kind \(other)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .person(let person):
            try container.encode("person", forKey: .kind)
            try container.encode(person, forKey: .person)
        case .unit(let unit):
            try container.encode("unit", forKey: .kind)
            try container.encode(unit, forKey: .unit)
        case .enterprise(let enterprise):
            try container.encode("enterprise", forKey: .kind)
            try container.encode(enterprise, forKey: .enterprise)
        }
    }
}

extension DirectoryEnterprise {
    /// A profile field as text: "" for blank, phones as digits.
    public func profileValue(_ field: EnterpriseProfileField) -> String {
        switch field {
        case .address: address
        case .legalRepresentative: legalRepresentative ?? ""
        case .legalRepresentativePhone: legalRepresentativePhone?.digits ?? ""
        case .liaisonName: liaisonName ?? ""
        case .liaisonPhone: liaisonPhone?.digits ?? ""
        case .profile: profile ?? ""
        }
    }

    public mutating func setProfileValue(_ field: EnterpriseProfileField, to text: String) {
        let value = text.isEmpty ? nil : text
        switch field {
        case .address: address = text
        case .legalRepresentative: legalRepresentative = value
        case .legalRepresentativePhone: legalRepresentativePhone = value.flatMap(MobileNumber.init)
        case .liaisonName: liaisonName = value
        case .liaisonPhone: liaisonPhone = value.flatMap(MobileNumber.init)
        case .profile: profile = value
        }
    }
}
