import Foundation
import Tenancy

/// The facts about a demand that decide who may read it.
public struct DemandVisibility: Sendable, Hashable {
    public var tenant: TenantID
    public var enterpriseID: String?
    public var pairedCadreID: String?
    public var unitIDs: Set<String>

    public init(tenant: TenantID, enterpriseID: String?, pairedCadreID: String?, unitIDs: Set<String>) {
        self.tenant = tenant
        self.enterpriseID = enterpriseID
        self.pairedCadreID = pairedCadreID
        self.unitIDs = unitIDs
    }

    public init(_ demand: Demand) {
        self.init(
            tenant: demand.tenant,
            enterpriseID: demand.status.enterprise?.id,
            pairedCadreID: demand.status.enterprise?.pairedCadreID,
            unitIDs: demand.status.currentUnitIDs
        )
    }
}

/// Who may read what, and where: ``scope(for:)`` says which demands a person may read (the rules are
/// listed there); the rest say whose tier-wide lists they may use.
public struct AccessPolicy: Sendable {
    public let tree: TenantTree

    public init(tree: TenantTree) {
        self.tree = tree
    }

    public func canRead(_ demand: DemandVisibility, as principal: Principal) -> Bool {
        scope(for: principal).admits(demand)
    }

    /// Tenants whose tier-wide lists (ledgers, queues, reports) the principal may read.
    public func readableTenants(for principal: Principal) -> [TenantID] {
        switch principal.role {
        case .office, .inspector, .system: tree.subtree(of: principal.tenant)
        case .dispatcher, .countyAdmin: [principal.tenant]
        case .enterprise, .cadre, .unitAdmin: []
        }
    }

    /// Whether a principal may use a tier's own lists (queue, demands, units, enterprises): its own
    /// people, and the offices and inspectors above it. Everyone else is refused with 403, the one
    /// answer for "not your tier"; a single demand one may not see is 404 instead.
    public func canUseTier(_ tier: TenantID, as principal: Principal) -> Bool {
        if principal.tenant == tier { return true }
        switch principal.role {
        case .office, .inspector, .system: return tree.isInSubtree(tier, of: principal.tenant)
        case .enterprise, .cadre, .dispatcher, .unitAdmin, .countyAdmin: return false
        }
    }

    /// Tiers whose office may supervise a demand of `tenant`: the tier itself and its ancestors.
    public func supervisingTenants(of tenant: TenantID) -> Set<TenantID> {
        var result: Set<TenantID> = []
        var current: TenantID? = tenant
        while let id = current {
            result.insert(id)
            current = tree[id]?.parent
        }
        return result
    }
}
