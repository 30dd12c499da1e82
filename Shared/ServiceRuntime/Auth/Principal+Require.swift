import DemandDomain

extension Principal {
    /// Throws unless the caller belongs to `tier` and, when `roles` is given, holds one of them. The
    /// tier is checked first, so a caller of another tier learns nothing of the roles used here.
    public func require(tier: TenantID, roles: Set<Role>? = nil) throws {
        guard tenant == tier else { throw APIError.forbiddenTenant }
        if let roles, !roles.contains(role) { throw APIError.forbiddenRole(role) }
    }
}
