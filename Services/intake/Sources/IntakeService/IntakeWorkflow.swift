import Crypto
import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import InputValidation
import Logging
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// What intake does for its tier: logins, the directory, submissions and the cadre's review, and
/// escalations received from the tiers below. Every change is one transaction that also records the
/// events it owes (outbox).
public struct IntakeWorkflow: Sendable {
    let runtime: PlatformRuntime
    let tier: Tenant
    let rules: TierRules
    let recorder: DemandRecorder
    /// One demand, or a list, as a person may see them.
    let reader: DemandReader
    let directory: DirectoryStore
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    /// A real hash of nothing, checked when a login is unknown so that timing does not reveal
    /// which logins exist.
    let unknownLoginHash: String

    init(runtime: PlatformRuntime, rules: TierRules, unknownLoginHash: String) {
        self.rules = rules
        self.unknownLoginHash = unknownLoginHash
        self.runtime = runtime
        self.tier = runtime.settings.tenants[runtime.settings.tier!]!
        self.recorder = DemandRecorder(rules: rules, ownedSteps: [.review], source: runtime.eventSource,
            logger: runtime.logger)
        self.reader = DemandReader(database: runtime.readers, repository: recorder.repository, rules: rules, changes: runtime.changes)
        self.directory = DirectoryStore(logger: runtime.logger)
        self.hasher = PasswordHasher(cost: runtime.settings.auth.bcryptCost)
        self.throttle = LoginThrottle(database: runtime.database, settings: runtime.settings.auth.loginLock, logger: runtime.logger)
    }

    var logger: Logger { runtime.logger }

    // MARK: Login

    public struct LoginResult: Codable, Sendable {
        public var token: String
        public var expiresAt: Date
        public var principal: Principal
        /// The password is still the office's initial one: the person must choose their own.
        public var mustChangePassword: Bool
    }

    /// Checks a login's password; wrong passwords count towards a lock of the login and of the
    /// client's address (``LoginThrottle``). `unit` picks among people of one name in different
    /// units (002 §1: tier, unit, name); without it the name must be unique in the tier.
    func login(tier requested: String, unit: String?, login: String, password: String, from address: String) async throws
        -> LoginResult
    {
        guard let requestedTier = TenantID(validating: requested), rules.tree.contains(requestedTier) else {
            throw APIError.unknownTenant(requested)
        }
        guard requestedTier == tier.id else {
            throw APIError.wrongTier(message: "请在“\(rules.tree[requestedTier]!.name)”的平台入口登录")
        }
        let rows = try await runtime.database.query(
            """
            SELECT unit_id, principal::text, password_hash, password_changed_at IS NULL FROM accounts
            WHERE login = \(login) AND active AND (\(unit)::text IS NULL OR unit_id = \(unit))
            """)
        var accounts: [(unit: String, principal: Principal, hash: String, initial: Bool)] = []
        for (unit, principal, hash, initial) in try rows.decode((String, String, String, Bool).self) {
            accounts.append((unit, try JSONDecoder().decode(Principal.self, from: Data(principal.utf8)), hash, initial))
        }
        guard accounts.count <= 1 else { throw APIError.unitRequired }
        let keys = LoginThrottle.Keys(tier: tier.id.rawValue, unit: accounts.first?.unit ?? unit ?? "", login: login, address: address)
        try await throttle.checkNotLocked(keys)
        let found = accounts.first.map { ($0.principal, $0.hash, $0.initial) }
        let hash = found?.1 ?? unknownLoginHash
        let matches = await hasher.verify(password, hash: hash)
        guard let (principal, _, initial) = found, matches else {
            try await throttle.recordFailure(keys)
            throw APIError.invalidCredentials
        }
        try await throttle.recordSuccess(keys)
        let signed = try await runtime.tokens.sign(principal)
        return LoginResult(token: signed.token, expiresAt: signed.expiresAt, principal: principal, mustChangePassword: initial)
    }

    public struct LoginUnit: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
    }

    /// The units whose people log in here, for the login page's 单位 list (002 §1). The tier's own
    /// organs and its enterprises log in without a unit.
    func loginUnits() async throws -> [LoginUnit] {
        try await runtime.database.query(
            """
            SELECT entity_id, body->'unit'->>'name' FROM directory
            WHERE kind = 'unit' AND tenant = \(tier.id.rawValue) AND entity_id IN (SELECT unit_id FROM accounts WHERE active)
            ORDER BY key
            """
        ).decode((String, String).self).map { LoginUnit(id: $0, name: $1) }
    }

    /// Replaces the caller's password after checking the current one (a wrong one counts towards
    /// the login's lock, as at login).
    func changePassword(for principal: Principal, current: String, new: String, from address: String) async throws {
        let rows = try await runtime.database.query(
            "SELECT unit_id, login, password_hash FROM accounts WHERE principal->>'subject' = \(principal.subject) AND active")
        guard let (unit, login, hash) = try rows.decode((String, String, String).self).first else { throw APIError.unauthenticated }
        let keys = LoginThrottle.Keys(tier: tier.id.rawValue, unit: unit, login: login, address: address)
        try await throttle.checkNotLocked(keys)
        guard await hasher.verify(current, hash: hash) else {
            try await throttle.recordFailure(keys)
            throw APIError.wrongPassword
        }
        if let problem = PasswordPolicy.problem(with: new, current: current) {
            throw APIError.weakPassword(problem)
        }
        let newHash = await hasher.hash(new)
        try await runtime.database.query(
            """
            UPDATE accounts SET password_hash = \(newHash), password_changed_at = clock_timestamp(), chosen_by_owner = true,
                updated_at = clock_timestamp()
            WHERE unit_id = \(unit) AND login = \(login)
            """)
        logger.info("Password changed", metadata: ["subject": "\(principal.subject)"])
    }

    // MARK: Directory

    public struct ImportSummary: Codable, Sendable {
        public var units: Int
        public var people: Int
        public var enterprises: Int
        public var logins: Int
    }

    /// Loads a directory file: validates all of it, stores entries and logins, publishes every entry
    /// to the tier's compacted directory topic. Entries not in the file stay as they were.
    public func importDirectory(_ file: DirectoryFile, known: DirectoryFile.Known = .init()) async throws -> ImportSummary {
        let provisionalIDs = try await runtime.database.withConnection { connection in
            try await directory.provisionalEnterpriseIDs(tenant: tier.id, on: connection)
        }
        let validated = try file.validated(tier: tier.id, tree: rules.tree, provisionalIDs: provisionalIDs, known: known)
        var hashes: [String] = []
        for login in validated.logins { hashes.append(await hasher.hash(login.password)) }
        let passwordHashes = hashes
        // A mobile number its owner gave (at first login, or on 我的资料) survives a re-import of the roster.
        let chosenPhones = Dictionary(
            try await runtime.database.query("SELECT principal->>'subject', chosen_phone FROM accounts WHERE chosen_phone IS NOT NULL")
                .decode((String, String).self),
            uniquingKeysWith: { first, _ in first })
        // So do the business statuses cadres reported (the roster has none).
        let (statuses, profileEdits) = try await runtime.database.withConnection { connection in
            (try await PairingDesk.profileStatuses(on: connection, logger: logger),
             try await PairingDesk.profileEdits(on: connection, logger: logger))
        }
        let entries = validated.entries.map { entry -> DirectoryEntry in
            switch entry {
            case .person(var person):
                // An enterprise's liaison is named in its profile, which may have been changed here.
                if let enterpriseID = person.enterpriseID, let edits = profileEdits[enterpriseID] {
                    if let name = edits[.liaisonName], !name.isEmpty { person.name = name }
                    if let phone = edits[.liaisonPhone] { person.phone = MobileNumber(phone) }
                }
                guard let chosen = chosenPhones[person.id].flatMap(MobileNumber.init) else { return .person(person) }
                person.phone = chosen
                return .person(person)
            case .enterprise(var enterprise):
                for (field, value) in profileEdits[enterprise.id] ?? [:] { enterprise.setProfileValue(field, to: value) }
                if let reported = statuses[enterprise.id] { enterprise.businessStatus = reported }
                return .enterprise(enterprise)
            case .unit:
                return entry
            }
        }
        try await runtime.transaction { connection in
            for entry in entries { try await publish(entry, on: connection) }
            for (login, hash) in zip(validated.logins, passwordHashes) {
                let principal = String(decoding: try JSONEncoder().encode(login.principal), as: UTF8.self)
                let initialIsFinal = !login.changeRequired
                let subject = login.principal.subject
                // A person moved to another unit or name keeps their account (and a password they chose).
                try await connection.execute(
                    """
                    UPDATE accounts SET unit_id = \(login.unit), login = \(login.login), updated_at = clock_timestamp()
                    WHERE principal->>'subject' = \(subject) AND active
                        AND NOT EXISTS (SELECT 1 FROM accounts WHERE unit_id = \(login.unit) AND login = \(login.login))
                    """, logger: logger)
                // A password its owner chose survives a re-import of the roster; the file's replaces any other.
                try await connection.execute(
                    """
                    INSERT INTO accounts (unit_id, login, principal, password_hash, password_changed_at)
                    VALUES (\(login.unit), \(login.login), \(principal)::jsonb, \(hash),
                        CASE WHEN \(initialIsFinal) THEN clock_timestamp() END)
                    ON CONFLICT (unit_id, login) DO UPDATE SET principal = EXCLUDED.principal,
                        password_hash = CASE WHEN accounts.chosen_by_owner THEN accounts.password_hash ELSE EXCLUDED.password_hash END,
                        password_changed_at = CASE WHEN accounts.chosen_by_owner THEN accounts.password_changed_at
                            ELSE EXCLUDED.password_changed_at END,
                        active = true, updated_at = clock_timestamp()
                    """, logger: logger)
                try await connection.execute(
                    """
                    UPDATE accounts SET active = false, updated_at = clock_timestamp()
                    WHERE principal->>'subject' = \(subject) AND NOT (unit_id = \(login.unit) AND login = \(login.login))
                    """, logger: logger)
            }
        }
        func count(_ predicate: (DirectoryEntry) -> Bool) -> Int { validated.entries.filter(predicate).count }
        return ImportSummary(
            units: count { if case .unit = $0 { true } else { false } },
            people: count { if case .person(let person) = $0 { person.role != .enterprise } else { false } },
            enterprises: count { if case .enterprise = $0 { true } else { false } },
            logins: validated.logins.count)
    }

    /// Stores a directory entry and hands it to the tier's compacted directory topic, where the
    /// other services keep their copies.
    func publish(_ entry: DirectoryEntry, on connection: PostgresConnection) async throws {
        try await directory.upsert(entry, on: connection)
        try await Outbox.enqueue([
            try .event(EventType.directoryEntry, topic: Topics.directory(tier.id), source: runtime.eventSource, tenant: tier.id,
                subject: entry.key, time: Date(), data: entry)
        ], on: connection, logger: logger)
    }

    /// The caller's mobile number, where their SMS go.
    func phone(of principal: Principal) async throws -> MobileNumber? {
        let entry = try await runtime.database.withConnection { connection in
            try await directory.entry("person:\(principal.subject)", on: connection)
        }
        guard case .person(let person)? = entry else { return nil }
        return person.phone
    }

    /// The caller gives their own mobile number (002 §1: at first login); the directory entry and
    /// every service's copy of it change, and a re-import of the roster keeps it.
    func changePhone(of principal: Principal, to text: String) async throws -> MobileNumber {
        guard let phone = MobileNumber(text) else {
            throw ValidationError([.invalidMobile("phone")])
        }
        try await runtime.transaction { connection in
            guard case .person(var person)? = try await directory.entry("person:\(principal.subject)", on: connection) else {
                throw APIError.unauthenticated
            }
            person.phone = phone
            try await publish(.person(person), on: connection)
            try await connection.execute(
                "UPDATE accounts SET chosen_phone = \(phone.digits) WHERE principal->>'subject' = \(principal.subject)", logger: logger)
        }
        logger.info("Mobile number changed", metadata: ["subject": "\(principal.subject)"])
        return phone
    }

    func enterprises(for principal: Principal) async throws -> [DirectoryEnterprise] {
        guard rules.policy.canUseTier(tier.id, as: principal) else { throw APIError.forbiddenTenant }
        let enterprises = try await runtime.database.withConnection { connection in
            try await directory.enterprises(tenant: tier.id, on: connection)
        }
        switch principal.role {
        case .cadre: return enterprises.filter { $0.pairedCadreID == principal.subject }
        case .enterprise: return enterprises.filter { $0.id == principal.enterpriseID }
        case .office, .inspector, .dispatcher, .countyAdmin: return enterprises
        case .unitAdmin, .system: throw APIError.forbiddenRole(principal.role)
        }
    }

    // MARK: Submission and review

    public struct Submitted: Sendable {
        public var demand: Demand
        /// The answer repeats an earlier request with the same Idempotency-Key.
        public var replayed: Bool
    }

    /// A new demand from an enterprise, from its cadre on its behalf, or registered by the office.
    func submit(
        _ form: DemandForm,
        enterpriseID requestedEnterprise: String?,
        provisionalEnterprise: Bool = false,
        idempotencyKey: String?,
        canonicalRequest: [UInt8],
        by principal: Principal
    ) async throws -> Submitted {
        try principal.require(tier: tier.id, roles: [.enterprise, .cadre, .office])
        let content = try form.validated()
        let enterpriseID: String
        if provisionalEnterprise {
            // Only the office registers an enterprise that is not in the roster (003 art. 7–10).
            guard principal.role == .office else { throw APIError.forbiddenRole(principal.role) }
            guard requestedEnterprise == nil else {
                throw APIError.invalid(code: "INVALID_FIELD", message: "临时建档时不能同时选择名录内企业", field: "enterpriseID")
            }
            enterpriseID = ""
        } else if principal.role == .enterprise {
            enterpriseID = principal.enterpriseID ?? ""
        } else {
            guard let requestedEnterprise else {
                throw APIError.invalid(code: "MISSING_FIELD", message: "请选择代为提交诉求的企业", field: "enterpriseID")
            }
            enterpriseID = requestedEnterprise
        }
        if let key = idempotencyKey, key.isEmpty || key.count > 200 {
            throw APIError.badRequest(code: "INVALID_IDEMPOTENCY_KEY", message: "Idempotency-Key须为1至200个字符")
        }
        let requestHash = SHA256.hash(data: canonicalRequest).map { String(format: "%02x", $0) }.joined()
        let newID = UUID()
        let recorder = self.recorder
        let tier = self.tier
        return try await runtime.transaction { connection -> Submitted in
            if let key = idempotencyKey {
                if let earlier = try await claimIdempotencyKey(key, principal: principal, hash: requestHash, demandID: newID,
                    on: connection)
                {
                    guard let demand = try await recorder.repository.load(earlier, on: connection) else { throw APIError.demandNotFound }
                    return Submitted(demand: demand, replayed: true)
                }
            }
            let enterprise: DirectoryEnterprise
            if provisionalEnterprise {
                enterprise = try await registerProvisionally(content, on: connection)
            } else {
                guard let known = try await directory.enterprise(enterpriseID, on: connection) else {
                    throw APIError.invalid(code: "UNKNOWN_ENTERPRISE", message: "企业不在本级名录中", field: "enterpriseID")
                }
                enterprise = known
            }
            let number = try await DocumentNumbers.next(.registration, for: tier, at: Date(), on: connection, logger: logger)
            let submission = Submission(content: content.naming(enterprise), enterprise: enterprise.party, registrationNumber: number)
            let recorded = try await recorder.apply(.submit(submission), to: Demand(id: newID, tenant: tier.id),
                by: principal.actor, on: connection)
            try await handOffIfReady(recorded.demand, on: connection)
            return Submitted(demand: recorded.demand, replayed: false)
        }
    }

    /// The enterprise a demand the office registers names when it is not in the roster: the
    /// directory's enterprise with its credit code if there is one, else a provisional entry made
    /// from the form, which the roster completes later.
    private func registerProvisionally(_ content: DemandContent, on connection: PostgresConnection) async throws -> DirectoryEnterprise {
        if let known = try await directory.enterprise(creditCode: content.enterprise.creditCode, tenant: tier.id, on: connection) {
            return known
        }
        let enterprise = DirectoryEnterprise.provisional(from: content, tenant: tier.id)
        try await publish(.enterprise(enterprise), on: connection)
        try await publish(.person(enterprise.liaison), on: connection)
        logger.info("Enterprise registered provisionally", metadata: ["enterprise": "\(enterprise.id)"])
        return enterprise
    }

    /// Records the key, or returns the demand an earlier request with the same key created.
    private func claimIdempotencyKey(_ key: String, principal: Principal, hash: String, demandID: UUID, on connection: PostgresConnection)
        async throws -> UUID?
    {
        let owner = "\(principal.tenant):\(principal.subject)"
        let inserted = try await connection.query(
            """
            INSERT INTO idempotency_keys (principal, key, request_hash, demand_id) VALUES (\(owner), \(key), \(hash), \(demandID))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in inserted { return nil }
        let rows = try await connection.query(
            "SELECT request_hash, demand_id FROM idempotency_keys WHERE principal = \(owner) AND key = \(key)", logger: logger)
        for try await (earlierHash, earlierID) in rows.decode((String, UUID).self) {
            guard earlierHash == hash else {
                throw APIError.invalid(code: "IDEMPOTENCY_KEY_REUSED", message: "该Idempotency-Key已用于另一份不同的诉求")
            }
            return earlierID
        }
        return nil
    }

    /// Applies a review action (edit, approve, send back, resubmit) to a demand held here.
    func review(_ action: DemandAction, on id: UUID, by principal: Principal) async throws -> Demand {
        let recorder = self.recorder
        return try await runtime.transaction { connection in
            let demand = try await reader.lockReadable(id, by: principal, on: connection)
            // Intake holds a demand only while it is reviewed or back with the enterprise; once
            // handed to dispatch, every step (a refusal too) is dispatch's to record.
            guard demand.state == .awaitingReview || demand.state == .returnedToEnterprise else {
                throw TransitionError.notAllowedInState(action.kind, demand.state)
            }
            if principal.role == .office, [.edit, .approve, .sendBack].contains(action.kind) {
                try await requireReviewerGone(of: demand, on: connection)
            }
            let recorded = try await recorder.apply(Self.keepingEnterprise(action, of: demand), to: demand, by: principal.actor,
                on: connection)
            try await handOffIfReady(recorded.demand, on: connection)
            return recorded.demand
        }
    }

    /// The office reviews a demand only when the cadre who should has been deactivated (000 Q8): a
    /// review waiting for them would otherwise wait for ever.
    private func requireReviewerGone(of demand: Demand, on connection: PostgresConnection) async throws {
        guard let cadreID = demand.status.enterprise?.pairedCadreID,
            let cadre = try await directory.person(cadreID, on: connection), cadre.active
        else { return }
        throw APIError.conflict(code: "REVIEWED_BY_CADRE", message: "该诉求由包联干部\(cadre.name)审核；干部停用后才由\(rules.procedure(for: tier.id).officeName)审核")
    }

    /// An edit changes what the demand asks, never whose it is: the enterprise's details stay those
    /// the submission took from the directory.
    static func keepingEnterprise(_ action: DemandAction, of demand: Demand) -> DemandAction {
        guard let registered = demand.status.content?.enterprise else { return action }
        switch action {
        case .edit(var edit):
            edit.content.enterprise = registered
            return .edit(edit)
        case .resubmit(var edit):
            edit.content.enterprise = registered
            return .resubmit(edit)
        default:
            return action
        }
    }

    /// Hands a demand that is ready for routing to the tier's dispatch.
    private func handOffIfReady(_ demand: Demand, on connection: PostgresConnection) async throws {
        guard demand.state == .awaitingDispatch else { return }
        try await recorder.handOff(demand, as: EventType.demandReadyForDispatch, to: Topics.dispatchInbox(demand.tenant), on: connection)
    }

    // MARK: Escalations from the tiers below

    /// A child tier's escalation becomes a new demand here that keeps its origin, registered with
    /// this tier's number, and goes to this tier's dispatcher.
    func receiveEscalation(_ event: IncomingEvent, on connection: PostgresConnection) async throws {
        guard event.header.type == EventType.demandEscalated else {
            throw EventRejection(code: "UNKNOWN_EVENT_TYPE", reason: "intake inbox does not take \(event.header.type)")
        }
        let record = try event.decode(DemandRecord.self).data
        let county: Demand
        do {
            county = try record.demand()
        } catch {
            throw EventRejection(code: "HISTORY_DOES_NOT_REPLAY", reason: "\(error)")
        }
        guard county.state == .escalated, let slip = county.status.escalation, slip.parent == tier.id,
            rules.tree[county.tenant]?.parent == tier.id, let content = county.status.content,
            let enterprise = county.status.enterprise
        else {
            throw EventRejection(code: "NOT_AN_ESCALATION_HERE", reason: "demand \(record.id) is not escalated to \(tier.id)")
        }
        let number = try await DocumentNumbers.next(.registration, for: tier, at: Date(), on: connection, logger: logger)
        let receipt = EscalationReceipt(
            content: content, enterprise: enterprise,
            origin: EscalationOrigin(tenant: county.tenant, demandID: county.id, registrationNumber: county.status.registrationNumber,
                escalationNumber: slip.number),
            suggestion: slip.suggestion, registrationNumber: number)
        let recorded = try await recorder.apply(.receiveEscalation(receipt), to: Demand(id: UUID(), tenant: tier.id),
            by: .system(tier.id, component: "intake"), on: connection)
        try await handOffIfReady(recorded.demand, on: connection)
    }
}
