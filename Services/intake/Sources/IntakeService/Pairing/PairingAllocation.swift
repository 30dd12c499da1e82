import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Messaging
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// Allocation of the tier's unpaired enterprises to its cadres (000 Q1–Q4, Q26), proposed and then
/// applied by the office with the same seed; every change of pairing is kept with who, when and why,
/// and the enterprise's liaison and the cadre are told by SMS.
extension PairingDesk {
    static let allocationMigration = Migration(version: 20, name: "pairing allocations", statements: [
        """
        CREATE TABLE pairing_exemptions (
            cadre_id text PRIMARY KEY,
            reason text NOT NULL,
            note text,
            recorded_by text NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        """
        CREATE TABLE pairing_allocations (
            id uuid PRIMARY KEY,
            seed text NOT NULL,
            per_cadre integer NOT NULL,
            assigned integer NOT NULL,
            applied_by text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        """
        CREATE TABLE pairing_changes (
            id bigserial PRIMARY KEY,
            enterprise_id text NOT NULL,
            from_cadre text,
            to_cadre text,
            basis text,
            allocation_id uuid,
            reason text NOT NULL,
            changed_by text NOT NULL,
            changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "CREATE INDEX pairing_changes_enterprise ON pairing_changes (enterprise_id, id)",
        // The parent's and the children's pairings, by credit code, from their directory topics (000 Q26).
        """
        CREATE TABLE related_pairings (
            enterprise_key text PRIMARY KEY,
            credit_code text NOT NULL,
            paired boolean NOT NULL
        )
        """,
        "CREATE INDEX related_pairings_code ON related_pairings (credit_code) WHERE paired",
    ])

    // MARK: Answers

    struct CadreEntry: Codable, ResponseEncodable {
        var cadreID: String
        var name: String
        var unitID: String?
        var unitName: String?
        var enterprises: Int
        var exemption: PairingExemption?
        var exemptionName: String?
        var note: String?
    }

    struct ExemptionRequest: Codable {
        /// nil: the cadre is no longer exempt.
        var reason: String?
        var note: String?
    }

    struct AllocationRequest: Codable {
        /// A decimal UInt64; absent: a new one, returned in the answer so the proposal can be applied.
        var seed: String?
        var perCadre: Int?
        var leaderContacts: [String: String]?
        var industryManaged: [String: String]?
        var apply: Bool?
    }

    struct ProposedAssignment: Codable {
        var enterpriseID: String
        var enterpriseName: String
        var cadreID: String
        var cadreName: String
        var unitName: String?
        var basis: AllocationBasis
        var basisName: String
    }

    struct Leftover: Codable {
        var enterpriseID: String
        var enterpriseName: String
        var reason: PairingAllocator.Leftover
        var reasonName: String
    }

    struct Allocation: Codable, ResponseEncodable {
        var seed: String
        var perCadre: Int
        /// The priority lists the draw served first (given, or the office's kept lists).
        var leaderContacts: [String: String]
        var industryManaged: [String: String]
        var applied: Bool
        var allocationID: UUID?
        var assignments: [ProposedAssignment]
        var unassigned: [Leftover]
    }

    // MARK: Cadres and exemptions

    func cadres(for principal: Principal) async throws -> [CadreEntry] {
        try principal.require(tier: tier, roles: [.office])
        return try await runtime.database.withConnection { connection in try await cadreEntries(on: connection) }
    }

    func setExemption(_ request: ExemptionRequest, cadreID: String, by principal: Principal) async throws -> CadreEntry {
        try principal.require(tier: tier, roles: [.office])
        let reason = try request.reason.map { text in
            guard let parsed = PairingExemption(rawValue: text) else {
                throw APIError.invalid(code: "INVALID_EXEMPTION", message: "请选择不安排包联企业的原因", field: "reason")
            }
            return parsed
        }
        let note = request.note.trimmedOrNil
        if let note, note.count > 200 {
            throw APIError.invalid(code: "TEXT_TOO_LONG", message: "说明不能超过200个字", field: "note")
        }
        return try await runtime.transaction { connection in
            guard let cadre = try await intake.directory.person(cadreID, on: connection), cadre.tenant == tier, cadre.role == .cadre else {
                throw APIError.notFound("干部")
            }
            if let reason {
                try await connection.execute(
                    """
                    INSERT INTO pairing_exemptions (cadre_id, reason, note, recorded_by) VALUES (\(cadre.id), \(reason.rawValue), \(note),
                        \(principal.subject))
                    ON CONFLICT (cadre_id) DO UPDATE SET reason = EXCLUDED.reason, note = EXCLUDED.note,
                        recorded_by = EXCLUDED.recorded_by, recorded_at = clock_timestamp()
                    """, logger: logger)
            } else {
                try await connection.execute("DELETE FROM pairing_exemptions WHERE cadre_id = \(cadre.id)", logger: logger)
            }
            guard let entry = try await cadreEntries(on: connection).first(where: { $0.cadreID == cadre.id }) else {
                throw APIError.notFound("干部")
            }
            return entry
        }
    }

    // MARK: Allocation

    func allocate(_ request: AllocationRequest, by principal: Principal) async throws -> Allocation {
        try principal.require(tier: tier, roles: [.office])
        let seed: UInt64
        if let text = request.seed {
            guard let parsed = UInt64(text) else {
                throw APIError.invalid(code: "INVALID_SEED", message: "随机种子应为非负整数", field: "seed")
            }
            seed = parsed
        } else {
            seed = UInt64.random(in: 0...UInt64.max)
        }
        let perCadre = request.perCadre ?? 1
        guard (1...10).contains(perCadre) else {
            throw APIError.invalid(code: "INVALID_SHARE", message: "每名干部包联企业数应为1到10", field: "perCadre")
        }
        let apply = request.apply ?? false
        let work: @Sendable (PostgresConnection) async throws -> Allocation = { connection in
            if apply {
                try await lockTier(Self.pairingChanges, on: connection)
            }
            let lists = try await priorityLists(for: request, on: connection)
            let enterprises = try await intake.directory.enterprises(tenant: tier, on: connection)
            let people = try await intake.directory.people(roles: [.cadre], tenant: tier, on: connection)
            let exemptions = try await self.exemptions(on: connection)
            let elsewhere = try await pairedElsewhere(enterprises, on: connection)
            let load = Dictionary(grouping: enterprises.filter { $0.active && $0.pairedCadreID != nil }, by: { $0.pairedCadreID! })
            let removed = try await removedEnterprises(on: connection)
            // The 四上 list (000 Q1) without a cadre; small enterprises outside the programme stay unpaired (Q29).
            let pool = enterprises.filter {
                $0.active && $0.onFourAboveList == true && $0.pairedCadreID == nil && !removed.contains($0.id)
            }
            let result = PairingAllocator.allocate(PairingAllocator.Request(
                pool: pool.map(\.id),
                cadres: people.map { PairingAllocator.Cadre(id: $0.id, unitID: $0.unitID, exemption: exemptions[$0.id]?.reason,
                    load: load[$0.id]?.count ?? 0) },
                leaderContacts: lists.leaderContacts, industryManaged: lists.industryManaged,
                pairedElsewhere: elsewhere, perCadre: perCadre, seed: seed))
            let allocation = try await describe(result, seed: seed, perCadre: perCadre, lists: lists, enterprises: enterprises,
                people: people, on: connection)
            guard apply else { return allocation }
            try await keepPriorityLists(lists, on: connection)
            return try await record(allocation, enterprises: enterprises, people: people, by: principal, on: connection)
        }
        let allocation = apply ? try await runtime.transaction(work) : try await runtime.database.withConnection(work)
        if apply {
            logger.info("Pairing allocation applied", metadata: ["seed": "\(seed)", "assigned": "\(allocation.assignments.count)"])
        }
        return allocation
    }

    /// Pairs each enterprise, publishes it, keeps the change, and tells the liaison and the cadre.
    private func record(
        _ allocation: Allocation, enterprises: [DirectoryEnterprise], people: [DirectoryPerson], by principal: Principal,
        on connection: PostgresConnection
    ) async throws -> Allocation {
        let id = UUID()
        let byID = Dictionary(uniqueKeysWithValues: enterprises.map { ($0.id, $0) })
        let cadres = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) })
        try await connection.execute(
            """
            INSERT INTO pairing_allocations (id, seed, per_cadre, assigned, applied_by, priorities)
            VALUES (\(id), \(allocation.seed), \(allocation.perCadre), \(allocation.assignments.count), \(principal.subject),
                \(String(decoding: try JSONEncoder().encode(PriorityLists(leaderContacts: allocation.leaderContacts,
                    industryManaged: allocation.industryManaged)), as: UTF8.self))::jsonb)
            """, logger: logger)
        for assignment in allocation.assignments {
            guard let enterprise = byID[assignment.enterpriseID], let cadre = cadres[assignment.cadreID] else { continue }
            try await changePairing(of: enterprise, to: cadre.id, reason: "分配：" + assignment.basisName, basis: assignment.basis.rawValue,
                allocationID: id, by: principal, on: connection)
            let event = PairingAssignedEvent(tenant: tier, enterpriseID: enterprise.id, enterpriseName: enterprise.name,
                cadreID: cadre.id, cadreName: cadre.name, unitName: assignment.unitName, cadrePhone: cadre.phone?.digits)
            try await publishPairingEvent(EventType.pairingAssigned, subject: enterprise.id, event, on: connection)
        }
        var applied = allocation
        applied.applied = true
        applied.allocationID = id
        return applied
    }

    private func describe(
        _ result: PairingAllocator.Result, seed: UInt64, perCadre: Int, lists: PriorityLists, enterprises: [DirectoryEnterprise],
        people: [DirectoryPerson], on connection: PostgresConnection
    ) async throws -> Allocation {
        let names = Dictionary(uniqueKeysWithValues: enterprises.map { ($0.id, $0.name) })
        let cadres = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) })
        let units = Dictionary(try await intake.directory.units(tenant: tier, on: connection).map { ($0.id, $0.name) }) { first, _ in first }
        return Allocation(
            seed: String(seed), perCadre: perCadre, leaderContacts: lists.leaderContacts, industryManaged: lists.industryManaged,
            applied: false, allocationID: nil,
            assignments: result.assignments.sorted { $0.enterpriseID < $1.enterpriseID }.map { assignment in
                let cadre = cadres[assignment.cadreID]
                return ProposedAssignment(enterpriseID: assignment.enterpriseID, enterpriseName: names[assignment.enterpriseID] ?? "",
                    cadreID: assignment.cadreID, cadreName: cadre?.name ?? assignment.cadreID,
                    unitName: cadre?.unitID.flatMap { units[$0] }, basis: assignment.basis, basisName: assignment.basis.chineseName)
            },
            unassigned: result.unassigned.sorted { $0.key < $1.key }.map { id, reason in
                Leftover(enterpriseID: id, enterpriseName: names[id] ?? "", reason: reason, reasonName: reason.chineseName)
            })
    }

    // MARK: The related tiers' pairings

    /// The tiers whose pairings must not overlap this tier's (000 Q26): the parent and the children.
    static func relatedTiers(of tier: TenantID, in tree: TenantTree) -> [TenantID] {
        (tree[tier]?.parent.map { [$0] } ?? []) + tree.tenants.filter { $0.parent == tier }.map(\.id)
    }

    /// Keeps a related tier's enterprise: its credit code and whether a cadre there pairs it.
    func recordRelated(_ entry: DirectoryEntry, on connection: PostgresConnection) async throws {
        guard case .enterprise(let enterprise) = entry, enterprise.tenant != tier else { return }
        let paired = enterprise.active && enterprise.pairedCadreID != nil
        try await connection.execute(
            """
            INSERT INTO related_pairings (enterprise_key, credit_code, paired)
            VALUES (\("\(enterprise.tenant):\(enterprise.id)"), \(enterprise.creditCode.rawValue), \(paired))
            ON CONFLICT (enterprise_key) DO UPDATE SET credit_code = EXCLUDED.credit_code, paired = EXCLUDED.paired
            """, logger: logger)
    }

    private func pairedElsewhere(_ enterprises: [DirectoryEnterprise], on connection: PostgresConnection) async throws -> Set<String> {
        var codes = Set<String>()
        for try await code in try await connection.query("SELECT DISTINCT credit_code FROM related_pairings WHERE paired", logger: logger)
            .decode(String.self)
        {
            codes.insert(code)
        }
        return Set(enterprises.filter { codes.contains($0.creditCode.rawValue) }.map(\.id))
    }

    // MARK: Pieces

    private func exemptions(on connection: PostgresConnection) async throws -> [String: (reason: PairingExemption, note: String?)] {
        var result: [String: (reason: PairingExemption, note: String?)] = [:]
        for try await (cadre, reason, note) in try await connection.query(
            "SELECT cadre_id, reason, note FROM pairing_exemptions", logger: logger
        ).decode((String, String, String?).self) {
            if let reason = PairingExemption(rawValue: reason) { result[cadre] = (reason, note) }
        }
        return result
    }

    private func cadreEntries(on connection: PostgresConnection) async throws -> [CadreEntry] {
        let exemptions = try await exemptions(on: connection)
        let units = Dictionary(try await intake.directory.units(tenant: tier, on: connection).map { ($0.id, $0.name) }) { first, _ in first }
        let load = Dictionary(grouping: try await intake.directory.enterprises(tenant: tier, on: connection).filter {
            $0.active && $0.pairedCadreID != nil
        }, by: { $0.pairedCadreID! })
        return try await intake.directory.people(roles: [.cadre], tenant: tier, on: connection).map { cadre in
            let exemption = exemptions[cadre.id]
            return CadreEntry(cadreID: cadre.id, name: cadre.name, unitID: cadre.unitID, unitName: cadre.unitID.flatMap { units[$0] },
                enterprises: load[cadre.id]?.count ?? 0, exemption: exemption?.reason, exemptionName: exemption?.reason.chineseName,
                note: exemption?.note)
        }
    }
}
