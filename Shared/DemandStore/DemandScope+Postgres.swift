import DemandDomain
import Logging
import PostgresNIO
import PostgresStorage
import Tenancy

/// Row-level security on `demands`, in every service that stores them: a transaction sees and
/// changes only the rows its ``DemandScope`` admits, and one that entered none sees none. `FORCE`
/// binds the table's owner too (the service's own role), so a query the application forgot to
/// scope still cannot leak another tier's rows.
extension DemandScope {
    /// The session parameters of a service's own connections (`PlatformRuntime`'s `ownSession`):
    /// they work in the service's scope from the start, with no statement per transaction; people's
    /// reads take connections of another pool, which start in no scope.
    public static let serviceSession = ["app.scope": "system"]

    /// Tells Postgres, for the rest of the caller's transaction, whose eyes it reads with.
    public func enter(on connection: PostgresConnection, logger: Logger) async throws {
        switch self {
        case .system:
            // The services' own pools start in it (`serviceSession`); a connection of another pool enters it the same way.
            for (name, value) in Self.serviceSession {
                try await connection.execute("SELECT set_config(\(name), \(value), true)", logger: logger)
            }
        case .person(let tenants, let unitID, let enterpriseID, let cadreID):
            let tenantList = tenants.map(\.rawValue).sorted().joined(separator: ",")
            try await connection.execute(
                """
                SELECT set_config('app.scope', 'person', true), set_config('app.tenants', \(tenantList), true),
                    set_config('app.unit', \(unitID ?? ""), true), set_config('app.enterprise', \(enterpriseID ?? ""), true),
                    set_config('app.cadre', \(cadreID ?? ""), true)
                """, logger: logger)
        }
    }

    /// The same scope as a condition on `demands d`, for lists: row-level security alone would
    /// give the same rows, but a condition the planner sees can walk the tier's index.
    func condition(binding bind: (any PostgresEncodable & Sendable) throws -> String) rethrows -> String {
        guard case .person(let tenants, let unitID, let enterpriseID, let cadreID) = self else { return "true" }
        var alternatives: [String] = []
        if !tenants.isEmpty { alternatives.append("d.tenant = ANY(\(try bind(tenants.map(\.rawValue).sorted())))") }
        if let unitID {
            let unit = try bind(unitID)
            alternatives.append("\(unit) = ANY(d.unit_ids) OR \(unit) = ANY(d.followed_unit_ids)")
        }
        if let enterpriseID { alternatives.append("d.enterprise_id = \(try bind(enterpriseID))") }
        if let cadreID { alternatives.append("d.paired_cadre_id = \(try bind(cadreID))") }
        return alternatives.isEmpty ? "false" : "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// The policy, mirroring ``admits(_:)``; it replaces any earlier one (handling's first, which
    /// did not know the units a demand was handed on to).
    static func rowSecurityMigration(version: Int) -> Migration {
        Migration(version: version, name: "row-level security on demands", statements: [
            "ALTER TABLE demands ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE demands FORCE ROW LEVEL SECURITY",
            "DROP POLICY IF EXISTS demands_visible ON demands",
            """
            CREATE POLICY demands_visible ON demands FOR ALL USING (
                coalesce(current_setting('app.scope', true), '') = 'system'
                OR (coalesce(current_setting('app.scope', true), '') = 'person' AND (
                    tenant = ANY (string_to_array(coalesce(current_setting('app.tenants', true), ''), ','))
                    OR (coalesce(current_setting('app.unit', true), '') <> ''
                        AND (current_setting('app.unit', true) = ANY (unit_ids)
                            OR current_setting('app.unit', true) = ANY (followed_unit_ids)))
                    OR (coalesce(current_setting('app.enterprise', true), '') <> ''
                        AND enterprise_id = current_setting('app.enterprise', true))
                    OR (coalesce(current_setting('app.cadre', true), '') <> ''
                        AND paired_cadre_id = current_setting('app.cadre', true))))
            )
            """,
        ])
    }
}
