import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// 账号管理 (002 §1–2, §7–8): a unit admin sees its unit's accounts and resets a forgotten password;
/// the tier office does so for every account of the tier. A reset draws a new initial password,
/// answered once to whoever reset it (to hand over in person or by phone); its owner must choose
/// their own at the next login, and a lock from failed logins is lifted. Every reset is kept with
/// who did it and when.
extension IntakeWorkflow {
    struct Account: Codable, Sendable, ResponseEncodable {
        var subject: String
        var name: String
        var role: Role
        /// The unit the person logs in under; nil for the tier's own organs and its enterprises.
        var unitID: String?
        var unitName: String?
        var active: Bool
        /// Still on an initial (or reset) password: must choose their own at the next login.
        var mustChangePassword: Bool
        /// Locked after failed logins until then.
        var lockedUntil: Date?
        var lastResetAt: Date?
        var lastResetBy: String?
    }

    struct PasswordReset: Codable, Sendable, ResponseEncodable {
        var subject: String
        var name: String
        var unitName: String?
        /// The new initial password, shown this once.
        var password: String
    }

    static let accountsMigration = Migration(version: 24, name: "password resets", statements: [
        """
        CREATE TABLE password_resets (
            subject text NOT NULL,
            reset_by text NOT NULL,
            reset_by_name text,
            reset_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "CREATE INDEX password_resets_subject ON password_resets (subject, reset_at)",
    ])

    /// The accounts the caller manages: a unit admin its unit's, the office every one of the tier
    /// (`unit` narrows it to one unit; "" to the tier's own organs and enterprises), whose name holds
    /// `search`, the first `limit` of them.
    func accounts(for principal: Principal, unit requested: String?, search: String? = nil, limit: Int? = nil) async throws
        -> [Account]
    {
        let unit = try managedUnit(of: principal, requested: requested)
        let rows = try await runtime.database.query(
            """
            SELECT a.principal->>'subject', a.login, a.principal->>'role', a.unit_id, u.body->'unit'->>'name', a.active,
                a.password_changed_at IS NULL, r.reset_at, r.reset_by_name
            FROM accounts a
            LEFT JOIN directory u ON u.kind = 'unit' AND u.entity_id = a.unit_id AND a.unit_id <> ''
            LEFT JOIN LATERAL (
                SELECT reset_at, reset_by_name FROM password_resets WHERE subject = a.principal->>'subject'
                ORDER BY reset_at DESC LIMIT 1
            ) r ON true
            WHERE (\(unit)::text IS NULL OR a.unit_id = \(unit)) AND (\(search)::text IS NULL OR strpos(a.login, \(search)) > 0)
            ORDER BY a.unit_id, a.principal->>'role', a.login
            LIMIT \(limit)
            """)
        let locks = try await throttle.accountLocks()
        return try rows.decode((String, String, String, String, String?, Bool, Bool, Date?, String?).self).compactMap {
            subject, login, role, unitID, unitName, active, initial, resetAt, resetBy in
            guard let role = Role(rawValue: role) else { return nil }
            let lock = locks[LoginThrottle.Keys(tier: tier.id.rawValue, unit: unitID, login: login, address: "").account]
            return Account(subject: subject, name: login, role: role, unitID: unitID.isEmpty ? nil : unitID,
                unitName: unitName, active: active, mustChangePassword: initial, lockedUntil: lock, lastResetAt: resetAt,
                lastResetBy: resetBy)
        }
    }

    /// Draws a new initial password for an account the caller manages (not their own: that is
    /// changed at 我的资料 with the current one).
    func resetPassword(of subject: String, by principal: Principal) async throws -> PasswordReset {
        let unit = try managedUnit(of: principal, requested: nil)
        guard subject != principal.subject else {
            throw APIError.conflict(code: "OWN_ACCOUNT", message: "请在“我的资料”中修改自己的密码")
        }
        let password = PasswordPolicy.drawInitialPassword()
        let hash = await hasher.hash(password)
        let reset = try await runtime.transaction { connection -> PasswordReset? in
            let rows = try await connection.query(
                """
                UPDATE accounts SET password_hash = \(hash), password_changed_at = NULL, chosen_by_owner = false,
                    updated_at = clock_timestamp()
                WHERE principal->>'subject' = \(subject) AND active AND (\(unit)::text IS NULL OR unit_id = \(unit))
                RETURNING unit_id, login
                """, logger: logger)
            var account: (unit: String, login: String)?
            for try await (unitID, login) in rows.decode((String, String).self) { account = (unitID, login) }
            guard let (unitID, login) = account else { return nil }
            try await throttle.unlock(LoginThrottle.Keys(tier: tier.id.rawValue, unit: unitID, login: login, address: ""), on: connection)
            try await connection.execute(
                "INSERT INTO password_resets (subject, reset_by, reset_by_name) VALUES (\(subject), \(principal.subject), \(principal.name))",
                logger: logger)
            let unitName = unitID.isEmpty ? nil : try await directory.unit(unitID, on: connection)?.name
            return PasswordReset(subject: subject, name: login, unitName: unitName, password: password)
        }
        guard let reset else { throw APIError.notFound("可管理的在用账号") }
        logger.notice("Password reset", metadata: ["subject": "\(subject)", "reset.by": "\(principal.subject)"])
        return reset
    }

    /// The unit whose accounts the caller manages, or nil for the whole tier (the office).
    private func managedUnit(of principal: Principal, requested: String?) throws -> String? {
        try principal.require(tier: tier.id, roles: [.office, .unitAdmin])
        switch principal.role {
        case .office:
            return requested
        case .unitAdmin:
            return try principal.ownUnit()
        default:
            throw APIError.forbiddenRole(principal.role)
        }
    }
}
