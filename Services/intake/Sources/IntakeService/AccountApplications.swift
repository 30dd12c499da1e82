import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// 账号申请 (002 §13, 000 Q29): an enterprise outside the pairing program applies online, without an
/// account, choosing the password it will log in with; the tier office approves it (the enterprise
/// and its account are created, its demands then go straight to dispatch) or refuses it with the
/// reason. Either way the applicant is told by SMS. The password is kept only as a hash, and never
/// sent anywhere.
extension IntakeWorkflow {
    struct AccountApplication: Codable, Sendable, ResponseEncodable {
        enum State: String, Codable, Sendable {
            case pending, approved, refused
        }

        var id: UUID
        var enterpriseName: String
        var creditCode: String
        var address: String
        var industryGroup: IndustryGroup
        var contactName: String
        var contactPhone: String
        var note: String?
        var state: State
        var appliedAt: Date
        var decidedBy: String?
        var decidedAt: Date?
        var reason: String?
        /// The enterprise an approval created.
        var enterpriseID: String?
    }

    struct ApplicationDecision: Decodable {
        var approve: Bool
        var reason: String?
    }

    /// Applications one client address may send in a day: enough for a few enterprises sharing an
    /// office, too few to flood the office's list.
    static let applicationsPerAddressPerDay = 5
    static let refusalReasonLimit = 200

    static let applicationsMigration = Migration(version: 26, name: "account applications", statements: [
        """
        CREATE TABLE account_applications (
            id uuid PRIMARY KEY,
            enterprise_name text NOT NULL,
            credit_code text NOT NULL,
            address text NOT NULL,
            industry_group text NOT NULL,
            contact_name text NOT NULL,
            contact_phone text NOT NULL,
            password_hash text NOT NULL,
            note text,
            state text NOT NULL DEFAULT 'pending',
            applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            applied_from text NOT NULL,
            decided_by text,
            decided_at timestamptz,
            reason text,
            enterprise_id text
        )
        """,
        // One open application per enterprise.
        "CREATE UNIQUE INDEX account_applications_pending ON account_applications (credit_code) WHERE state = 'pending'",
        "CREATE INDEX account_applications_by_address ON account_applications (applied_from, applied_at)",
    ])

    func apply(_ input: AccountApplicationInput, from address: String) async throws -> AccountApplication {
        let valid = try input.validated { password in
            PasswordPolicy.problem(with: password, current: "").map { $0.replacingOccurrences(of: "新密码", with: "密码") }
        }
        let hash = await hasher.hash(input.password)
        let id = UUID()
        try await runtime.transaction { connection in
            try await connection.lockForTransaction("account applications \(tier.id)", logger: logger)
            try await refuseKnownEnterprise(code: valid.creditCode, name: valid.enterpriseName, on: connection)
            let recent = try await connection.query(
                """
                SELECT count(*)::int FROM account_applications
                WHERE applied_from = \(address) AND applied_at > now() - interval '1 day'
                """, logger: logger)
            for try await count in recent.decode(Int.self) where count >= Self.applicationsPerAddressPerDay {
                throw APIError(.tooManyRequests, code: "TOO_MANY_APPLICATIONS", message: "今天从此处提交的申请已达上限，请明天再试或联系本级\(officeName)")
            }
            let pending = try await connection.query(
                "SELECT 1 FROM account_applications WHERE credit_code = \(valid.creditCode.rawValue) AND state = 'pending'",
                logger: logger)
            for try await _ in pending.decode(Int.self) {
                throw APIError.conflict(code: "APPLICATION_PENDING", message: "该企业的账号申请正在审核中，请耐心等待短信通知")
            }
            try await connection.execute(
                """
                INSERT INTO account_applications (id, enterprise_name, credit_code, address, industry_group, contact_name,
                    contact_phone, password_hash, note, applied_from)
                VALUES (\(id), \(valid.enterpriseName), \(valid.creditCode.rawValue), \(valid.address), \(valid.industryGroup.rawValue),
                    \(valid.contactName), \(valid.contactPhone.digits), \(hash), \(valid.note), \(address))
                """, logger: logger)
        }
        logger.notice("Account application received", metadata: ["application": "\(id)", "address": "\(address)"])
        return try await application(id)
    }

    /// The tier's applications, newest first: the office's list (`pending` only, or all).
    func applications(for principal: Principal, pendingOnly: Bool) async throws -> [AccountApplication] {
        try principal.require(tier: tier.id, roles: [.office])
        return try await runtime.database.withConnection { connection in
            try await applications(where: pendingOnly ? "state = 'pending'" : "true", on: connection)
        }
    }

    func decide(_ id: UUID, _ decision: ApplicationDecision, by principal: Principal) async throws -> AccountApplication {
        try principal.require(tier: tier.id, roles: [.office])
        let reason = decision.reason?.trimmingWhitespace ?? ""
        if !decision.approve {
            guard !reason.isEmpty, reason.count <= Self.refusalReasonLimit else {
                throw APIError.invalid(code: reason.isEmpty ? "MISSING_FIELD" : "TEXT_TOO_LONG",
                    message: reason.isEmpty ? "请填写不予通过的原因" : "原因不能超过\(Self.refusalReasonLimit)个字", field: "reason")
            }
        }
        try await runtime.transaction { connection in
            try await connection.lockForTransaction("account applications \(tier.id)", logger: logger)
            guard let application = try await applications(where: "id = '\(id.uuidString)'", on: connection).first else {
                throw APIError.notFound("账号申请")
            }
            guard application.state == .pending else {
                throw APIError.conflict(code: "ALREADY_DECIDED", message: "该申请已处理")
            }
            var enterpriseID: String?
            if decision.approve { enterpriseID = try await createEnterprise(for: application, on: connection) }
            try await connection.execute(
                """
                UPDATE account_applications SET state = \(decision.approve ? "approved" : "refused"), decided_by = \(principal.name ?? principal.subject),
                    decided_at = clock_timestamp(), reason = \(decision.approve ? nil : reason), enterprise_id = \(enterpriseID)
                WHERE id = \(id)
                """, logger: logger)
            guard let phone = MobileNumber(application.contactPhone) else { return }
            let event = AccountApplicationDecidedEvent(tenant: tier.id, applicationID: id, enterpriseName: application.enterpriseName,
                contactName: application.contactName, contactPhone: phone, approved: decision.approve,
                reason: decision.approve ? nil : reason)
            try await Outbox.enqueue([
                try .event(EventType.accountApplicationDecided, topic: Topics.pairing(tier.id), source: runtime.eventSource, tenant: tier.id,
                    subject: id.uuidString, time: Date(), data: event)
            ], on: connection, logger: logger)
        }
        logger.notice("Account application decided", metadata: ["application": "\(id)", "approved": "\(decision.approve)"])
        return try await application(id)
    }

    // MARK: Pieces

    private var officeName: String { rules.procedure(for: tier.id).officeName }

    /// An enterprise already in the directory (other than one the office registered provisionally from
    /// a demand, which an approval completes) logs in, or has its password reset; it does not apply.
    private func refuseKnownEnterprise(code: UnifiedSocialCreditCode, name: String, on connection: PostgresConnection) async throws {
        let provisional = Set(try await directory.provisionalEnterpriseIDs(tenant: tier.id, on: connection).values)
        let known = try await directory.enterprises(tenant: tier.id, on: connection).filter { !provisional.contains($0.id) }
        if known.contains(where: { $0.creditCode == code || $0.name == name }) {
            throw APIError.conflict(code: "ENTERPRISE_EXISTS",
                message: "该企业已在平台名录中，请以企业全称直接登录；忘记密码请联系本级\(officeName)重置")
        }
    }

    /// The enterprise and its account, shaped as a roster's entry would be, with the password the
    /// applicant chose; not in the pairing program, so its demands skip cadre review.
    private func createEnterprise(for application: AccountApplication, on connection: PostgresConnection) async throws -> String {
        guard let code = try? UnifiedSocialCreditCode(validating: application.creditCode) else { throw APIError.internalError }
        try await refuseKnownEnterprise(code: code, name: application.enterpriseName, on: connection)
        let provisionalIDs = try await directory.provisionalEnterpriseIDs(tenant: tier.id, on: connection)
        let file = DirectoryFile(tenant: tier.id.rawValue, enterprises: [DirectoryFile.Enterprise(
            id: "ent-\(code.rawValue)", name: application.enterpriseName, creditCode: code.rawValue, address: application.address,
            liaisonName: application.contactName, liaisonPhone: application.contactPhone, pairedCadreID: nil,
            industryGroup: application.industryGroup, profile: application.note, onFourAboveList: false,
            password: "set-from-the-application", passwordChangeRequired: false)])
        let validated = try file.validated(tier: tier.id, tree: rules.tree, provisionalIDs: provisionalIDs)
        for entry in validated.entries { try await publish(entry, on: connection) }
        guard let login = validated.logins.first else { throw APIError.internalError }
        let principal = String(decoding: try JSONEncoder().encode(login.principal), as: UTF8.self)
        try await connection.execute(
            """
            INSERT INTO accounts (unit_id, login, principal, password_hash, password_changed_at, chosen_by_owner)
            SELECT \(login.unit), \(login.login), \(principal)::jsonb, password_hash, clock_timestamp(), true
            FROM account_applications WHERE id = \(application.id)
            """, logger: logger)
        return login.principal.enterpriseID ?? file.enterprises![0].id
    }

    private func application(_ id: UUID) async throws -> AccountApplication {
        try await runtime.database.withConnection { connection in
            guard let found = try await applications(where: "id = '\(id.uuidString)'", on: connection).first else {
                throw APIError.notFound("账号申请")
            }
            return found
        }
    }

    /// `condition` is SQL written here, never a caller's text.
    private func applications(where condition: String, on connection: PostgresConnection) async throws -> [AccountApplication] {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT id, enterprise_name, credit_code, address, industry_group, contact_name, contact_phone, note, state, applied_at,
                decided_by, decided_at, reason, enterprise_id
            FROM account_applications WHERE \(condition) ORDER BY applied_at DESC LIMIT 500
            """), logger: logger)
        var result: [AccountApplication] = []
        for try await (id, name, code, address, group, contact, phone, note, state, appliedAt, decidedBy, decidedAt, reason, enterprise)
            in rows.decode((UUID, String, String, String, String, String, String, String?, String, Date, String?, Date?, String?, String?).self)
        {
            guard let group = IndustryGroup(rawValue: group), let state = AccountApplication.State(rawValue: state) else { continue }
            result.append(AccountApplication(id: id, enterpriseName: name, creditCode: code, address: address, industryGroup: group,
                contactName: contact, contactPhone: phone, note: note, state: state, appliedAt: appliedAt, decidedBy: decidedBy,
                decidedAt: decidedAt, reason: reason, enterpriseID: enterprise))
        }
        return result
    }
}
