import Tenancy

/// The demands a transaction may see, as one value. The in-process check (``admits(_:)``) and
/// Postgres's row-level security on the demand tables (DemandStore's `enter(on:logger:)` and the
/// list's condition) all read it, so what a person is shown and what they may open cannot disagree.
public enum DemandScope: Sendable, Hashable {
    /// The service's own work (consumers, scans, start-up work, a write after the person's check):
    /// every demand.
    case system
    /// A person's: the demands of these tiers, those assigned (or later handed on) to this unit,
    /// those this enterprise raised, and those of the enterprises paired with this cadre.
    case person(tenants: Set<TenantID>, unitID: String?, enterpriseID: String?, cadreID: String?)

    public func admits(_ demand: DemandVisibility) -> Bool {
        guard case .person(let tenants, let unitID, let enterpriseID, let cadreID) = self else { return true }
        return tenants.contains(demand.tenant)
            || unitID.map(demand.unitIDs.contains) == true
            || (enterpriseID != nil && enterpriseID == demand.enterpriseID)
            || (cadreID != nil && cadreID == demand.pairedCadreID)
    }
}

extension AccessPolicy {
    /// What the principal may read (ARCHITECTURE "Tenancy and access"):
    ///
    /// - an enterprise its own demands, at any tier they travelled to;
    /// - a cadre its paired enterprises' demands;
    /// - a unit admin what was ever assigned to its unit;
    /// - a dispatcher and a county admin their own tier (a county admin also what was assigned to
    ///   the county as a unit);
    /// - an office, an inspector and the platform's own principals their tier and every tier below.
    public func scope(for principal: Principal) -> DemandScope {
        let role = principal.role
        return .person(
            tenants: Set(readableTenants(for: principal)),
            unitID: role.actsForUnit ? principal.unitID : nil,
            enterpriseID: role == .enterprise ? principal.enterpriseID : nil,
            cadreID: role == .cadre ? principal.subject : nil)
    }
}
