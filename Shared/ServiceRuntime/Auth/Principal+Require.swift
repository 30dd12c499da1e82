import Tenancy

extension Principal {
    /// Throws unless the caller belongs to `tier` and, when `roles` is given, holds one of them. The
    /// tier is checked first, so a caller of another tier learns nothing of the roles used here.
    public func require(tier: TenantID, roles: Set<Role>? = nil) throws {
        guard tenant == tier else { throw APIError.forbiddenTenant }
        if let roles, !roles.contains(role) { throw APIError.forbiddenRole(role) }
    }
}

extension Principal {
    /// The caller's own unit; a unit role without one is refused rather than read as the whole tier.
    public func ownUnit() throws -> String {
        guard let unitID else { throw APIError.forbiddenRole(role) }
        return unitID
    }

    /// The unit whose records the caller reads: a unit's administrators their own unit's, every
    /// other role (the office, the inspector) the whole tier's, as nil.
    public func readableUnit() throws -> String? {
        role == .unitAdmin || role == .countyAdmin ? try ownUnit() : nil
    }
}
