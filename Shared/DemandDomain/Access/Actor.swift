import Foundation
import Tenancy

/// Who performed a transition: role, tier and id, plus the unit or enterprise they act for.
public struct Actor: Codable, Sendable, Hashable {
    public var role: Role
    public var tenant: TenantID
    /// The person's (or system component's) id.
    public var id: String
    /// The handling unit a unit admin acts for.
    public var unitID: String?
    /// The enterprise an enterprise account acts for.
    public var enterpriseID: String?
    /// Display name, for ledgers and SMS.
    public var name: String?

    public init(
        role: Role,
        tenant: TenantID,
        id: String,
        unitID: String? = nil,
        enterpriseID: String? = nil,
        name: String? = nil
    ) {
        self.role = role
        self.tenant = tenant
        self.id = id
        self.unitID = unitID
        self.enterpriseID = enterpriseID
        self.name = name
    }

    /// The platform acting for a tier.
    public static func system(_ tenant: TenantID, component: String) -> Actor {
        Actor(role: .system, tenant: tenant, id: component, name: "平台")
    }
}

extension Principal {
    /// The principal as the actor of a transition.
    public var actor: Actor {
        Actor(role: role, tenant: tenant, id: subject, unitID: unitID, enterpriseID: enterpriseID, name: name)
    }
}
