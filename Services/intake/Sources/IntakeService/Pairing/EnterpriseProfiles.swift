import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Logging
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// The enterprise's profile (002 §3, §15): the enterprise changes its own basics, its paired cadre
/// and the office keep them current; every change is kept with who made it, when, and the value
/// before and after. A later import of the roster keeps what was changed here, as it keeps the
/// statuses cadres report and the mobile numbers people give.
extension PairingDesk {
    static let profileMigration = Migration(version: 22, name: "enterprise profile changes", statements: [
        """
        CREATE TABLE enterprise_profile_changes (
            id bigserial PRIMARY KEY,
            enterprise_id text NOT NULL,
            field text NOT NULL,
            old_value text NOT NULL,
            new_value text NOT NULL,
            changed_by text NOT NULL,
            changed_by_name text NOT NULL,
            changed_by_role text NOT NULL,
            changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "CREATE INDEX enterprise_profile_changes_by_enterprise ON enterprise_profile_changes (enterprise_id, id)",
    ])

    struct ProfileChange: Codable {
        var field: EnterpriseProfileField
        var fieldName: String
        var from: String
        var to: String
        var changedBy: String
        var changedByRole: String
        var changedAt: Date
    }

    struct EnterpriseProfile: Codable, ResponseEncodable {
        var enterprise: DirectoryEnterprise
        var pairedCadreName: String?
        /// Whether the caller may change the basics.
        var editable: Bool
        /// Newest first.
        var changes: [ProfileChange]
    }

    func profile(of enterpriseID: String, for principal: Principal) async throws -> EnterpriseProfile {
        try principal.require(tier: tier)
        return try await runtime.database.withConnection { connection in
            let enterprise = try await readableEnterprise(enterpriseID, for: principal, on: connection)
            return try await profile(enterprise, for: principal, on: connection)
        }
    }

    /// Changes the basics; fields whose value is the same are not recorded as changes.
    func changeProfile(_ input: EnterpriseProfileInput, enterpriseID: String, by principal: Principal) async throws -> EnterpriseProfile {
        try principal.require(tier: tier)
        let wanted = try input.validated()
        return try await runtime.transaction { connection in
            var enterprise = try await readableEnterprise(enterpriseID, for: principal, on: connection)
            guard Self.mayEdit(enterprise, principal) else { throw APIError.forbiddenRole(principal.role) }
            var changed: [EnterpriseProfileField] = []
            for field in EnterpriseProfileField.allCases {
                let old = enterprise.profileValue(field)
                guard let new = wanted[field], new != old else { continue }
                enterprise.setProfileValue(field, to: new)
                changed.append(field)
                try await connection.execute(
                    """
                    INSERT INTO enterprise_profile_changes (enterprise_id, field, old_value, new_value, changed_by, changed_by_name,
                        changed_by_role)
                    VALUES (\(enterprise.id), \(field.rawValue), \(old), \(new), \(principal.subject),
                        \(principal.name ?? principal.subject), \(principal.role.rawValue))
                    """, logger: logger)
            }
            if !changed.isEmpty {
                try await intake.publish(.enterprise(enterprise), on: connection)
                if changed.contains(.liaisonName) || changed.contains(.liaisonPhone) {
                    try await publishLiaison(of: enterprise, on: connection)
                }
                logger.info("Enterprise profile changed", metadata: [
                    "enterprise": "\(enterprise.id)", "fields": "\(changed.map(\.rawValue))", "by": "\(principal.subject)",
                ])
            }
            return try await profile(enterprise, for: principal, on: connection)
        }
    }

    /// The liaison receives the enterprise's SMS: their directory entry follows the profile, and the
    /// number given here is the one a re-import keeps, as if they had given it at login.
    private func publishLiaison(of enterprise: DirectoryEnterprise, on connection: PostgresConnection) async throws {
        var liaison = enterprise.liaison
        if case .person(let current)? = try await intake.directory.entry("person:\(liaison.id)", on: connection) {
            liaison.active = current.active
        }
        try await intake.publish(.person(liaison), on: connection)
        try await connection.execute(
            "UPDATE accounts SET chosen_phone = \(liaison.phone?.digits) WHERE principal->>'subject' = \(liaison.id)", logger: logger)
    }

    private func readableEnterprise(_ id: String, for principal: Principal, on connection: PostgresConnection) async throws
        -> DirectoryEnterprise
    {
        guard let enterprise = try await intake.directory.enterprise(id, on: connection), enterprise.tenant == tier, enterprise.active,
            try canRead(enterprise, as: principal)
        else { throw APIError.notFound("企业") }
        return enterprise
    }

    static func mayEdit(_ enterprise: DirectoryEnterprise, _ principal: Principal) -> Bool {
        switch principal.role {
        case .enterprise: enterprise.id == principal.enterpriseID
        case .cadre: enterprise.pairedCadreID == principal.subject
        case .office: true
        default: false
        }
    }

    private func profile(_ enterprise: DirectoryEnterprise, for principal: Principal, on connection: PostgresConnection) async throws
        -> EnterpriseProfile
    {
        let cadre = try await enterprise.pairedCadreID.asyncFlatMap { try await intake.directory.person($0, on: connection) }
        let rows = try await connection.query(
            """
            SELECT field, old_value, new_value, changed_by_name, changed_by_role, changed_at FROM enterprise_profile_changes
            WHERE enterprise_id = \(enterprise.id) ORDER BY id DESC
            """, logger: logger)
        var changes: [ProfileChange] = []
        let procedure = intake.rules.procedure(for: tier)
        for try await (field, old, new, name, role, at) in rows.decode((String, String, String, String, String, Date).self) {
            guard let field = EnterpriseProfileField(rawValue: field) else { continue }
            changes.append(ProfileChange(field: field, fieldName: field.chineseName, from: old, to: new, changedBy: name,
                changedByRole: Role(rawValue: role)?.chineseName(in: procedure) ?? role, changedAt: at))
        }
        return EnterpriseProfile(enterprise: enterprise, pairedCadreName: cadre?.name, editable: Self.mayEdit(enterprise, principal),
            changes: changes)
    }

    /// The last value changed on the platform of each field, by enterprise: what an import keeps.
    static func profileEdits(on connection: PostgresConnection, logger: Logger) async throws -> [String: [EnterpriseProfileField: String]] {
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (enterprise_id, field) enterprise_id, field, new_value FROM enterprise_profile_changes
            ORDER BY enterprise_id, field, id DESC
            """, logger: logger)
        var edits: [String: [EnterpriseProfileField: String]] = [:]
        for try await (enterprise, field, value) in rows.decode((String, String, String).self) {
            if let field = EnterpriseProfileField(rawValue: field) { edits[enterprise, default: [:]][field] = value }
        }
        return edits
    }
}
