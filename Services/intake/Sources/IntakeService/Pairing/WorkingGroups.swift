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

/// 常态化工作小组 (Jinzai, 004 二（二） and its attachment): where the tier works this way, the office
/// forms groups of its units, each led by a lead unit's leader, and gives each group the enterprises
/// it visits (20–30 by the plan; an enterprise belongs to one group at most). The office and the
/// inspector read every group and the enterprises no group has yet; a unit's administrators read the
/// groups their unit leads or sits in.
extension PairingDesk {
    static let workingGroupsMigration = Migration(version: 33, name: "working groups", statements: [
        """
        CREATE TABLE working_groups (
            id uuid PRIMARY KEY,
            name text NOT NULL UNIQUE,
            lead_unit_id text NOT NULL,
            leader text NOT NULL,
            members jsonb NOT NULL,
            updated_by_name text,
            updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "CREATE INDEX working_groups_members ON working_groups USING gin (members jsonb_path_ops)",
        """
        CREATE TABLE working_group_enterprises (
            enterprise_id text PRIMARY KEY,
            group_id uuid NOT NULL REFERENCES working_groups ON DELETE CASCADE
        )
        """,
    ])

    struct WorkingGroup: Codable, Sendable, ResponseEncodable {
        struct Member: Codable, Sendable {
            var name: String
            var unitID: String
            var unitName: String
        }

        struct Enterprise: Codable, Sendable {
            var id: String
            var name: String
            var industryGroup: IndustryGroup
            var pairedCadre: String?
        }

        var id: UUID
        var name: String
        var leadUnitID: String
        var leadUnitName: String
        var leader: String
        var members: [Member]
        var enterprises: [Enterprise]
        /// Set when the group serves fewer or more enterprises than the plan's 20–30.
        var sizeNote: String?
        var updatedBy: String?
        var updatedAt: Date
    }

    struct WorkingGroupList: Codable, Sendable, ResponseEncodable {
        var groups: [WorkingGroup]
        /// The office's and the inspector's: active enterprises of the tier in no group yet.
        var ungrouped: [WorkingGroup.Enterprise]
    }

    /// What a stored row holds; names are filled in from the directory when read.
    struct StoredGroup {
        var id: UUID
        var name: String
        var leadUnitID: String
        var leader: String
        var members: [WorkingGroupInput.Member]
        var enterpriseIDs: [String]
        var updatedBy: String?
        var updatedAt: Date
    }

    func workingGroups(for principal: Principal) async throws -> WorkingGroupList {
        try principal.require(tier: tier, roles: [.office, .inspector, .unitAdmin, .countyAdmin])
        try requireWorkingGroups()
        let unit = try principal.readableUnit()
        return try await runtime.database.withConnection { connection in
            let stored = try await storedGroups(on: connection).filter { group in
                unit.map { group.leadUnitID == $0 || group.members.contains(where: { $0.unitID == unit }) } ?? true
            }
            let names = try await DirectoryNames(directory: intake.directory, tier: tier, on: connection)
            let grouped = Set(stored.flatMap(\.enterpriseIDs))
            let ungrouped = unit != nil ? [] : names.enterprises.values.filter { $0.active && !grouped.contains($0.id) }
                .sorted { $0.name < $1.name }.map(names.enterprise)
            return WorkingGroupList(groups: stored.map(names.group), ungrouped: ungrouped)
        }
    }

    /// Forms a group (`id` nil) or replaces one; the office only.
    func saveWorkingGroup(_ id: UUID?, _ input: WorkingGroupInput, by principal: Principal) async throws -> WorkingGroup {
        try principal.require(tier: tier, roles: [.office])
        try requireWorkingGroups()
        let group = try input.validated()
        let groupID = id ?? UUID()
        let saved = try await runtime.transaction { connection in
            // One office at a time, so that two groups never both take an enterprise.
            try await connection.execute("SELECT pg_advisory_xact_lock(hashtext('working_groups'))", logger: logger)
            let names = try await DirectoryNames(directory: intake.directory, tier: tier, on: connection)
            try checkReferences(group, names: names)
            try await checkUnclaimed(group, by: groupID, on: connection)
            let members = String(decoding: try JSONEncoder().encode(group.members), as: UTF8.self)
            let rows = try await connection.query(
                id == nil
                    ? """
                    INSERT INTO working_groups (id, name, lead_unit_id, leader, members, updated_by_name)
                    VALUES (\(groupID), \(group.name), \(group.leadUnitID), \(group.leader), \(members)::jsonb, \(principal.name))
                    ON CONFLICT (name) DO NOTHING RETURNING id
                    """
                    : """
                    UPDATE working_groups SET name = \(group.name), lead_unit_id = \(group.leadUnitID), leader = \(group.leader),
                        members = \(members)::jsonb, updated_by_name = \(principal.name), updated_at = clock_timestamp()
                    WHERE id = \(groupID) AND NOT EXISTS (SELECT 1 FROM working_groups WHERE name = \(group.name) AND id <> \(groupID))
                    RETURNING id
                    """, logger: logger)
            guard try await rows.collect().count == 1 else {
                if id != nil, try await storedGroups(on: connection).allSatisfy({ $0.id != groupID }) {
                    throw APIError.notFound("工作小组")
                }
                throw APIError.conflict(code: "GROUP_NAME_TAKEN", message: "已有名为“\(group.name)”的工作小组")
            }
            try await connection.execute("DELETE FROM working_group_enterprises WHERE group_id = \(groupID)", logger: logger)
            try await connection.execute(
                """
                INSERT INTO working_group_enterprises (enterprise_id, group_id)
                SELECT unnest(\(group.enterpriseIDs)::text[]), \(groupID)
                """, logger: logger)
            return try await storedGroups(on: connection).first { $0.id == groupID }.map(names.group)
        }
        guard let saved else { throw APIError.notFound("工作小组") }
        logger.info("Working group saved", metadata: ["group": "\(saved.name)", "enterprises": "\(saved.enterprises.count)"])
        return saved
    }

    func deleteWorkingGroup(_ id: UUID, by principal: Principal) async throws {
        try principal.require(tier: tier, roles: [.office])
        try requireWorkingGroups()
        let deleted = try await runtime.database.withConnection { connection in
            try await connection.query("DELETE FROM working_groups WHERE id = \(id) RETURNING id", logger: logger).collect().count
        }
        guard deleted == 1 else { throw APIError.notFound("工作小组") }
        logger.info("Working group removed", metadata: ["group": "\(id)"])
    }

    private func requireWorkingGroups() throws {
        guard intake.rules.tree[tier]?.pairingWorkingGroups == true else {
            throw APIError.conflict(code: "WORKING_GROUPS_NOT_USED", message: "本级未实行常态化工作小组制度")
        }
    }

    /// Every unit and enterprise the group names is the tier's and active.
    private func checkReferences(_ group: WorkingGroupInput, names: DirectoryNames) throws {
        guard names.units[group.leadUnitID]?.active == true else {
            throw APIError.invalid(code: "UNKNOWN_UNIT", message: "本级没有这个单位", field: "leadUnitID")
        }
        for (index, member) in group.members.enumerated() where names.units[member.unitID]?.active != true {
            throw APIError.invalid(code: "UNKNOWN_UNIT", message: "本级没有第\(index + 1)位成员的单位", field: "members[\(index)].unitID")
        }
        if let unknown = group.enterpriseIDs.first(where: { names.enterprises[$0]?.active != true }) {
            throw APIError.invalid(code: "UNKNOWN_ENTERPRISE", message: "本级名录中没有企业“\(unknown)”", field: "enterpriseIDs")
        }
    }

    /// An enterprise belongs to one group at most.
    private func checkUnclaimed(_ group: WorkingGroupInput, by groupID: UUID, on connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            """
            SELECT coalesce(d.body->'enterprise'->>'name', e.enterprise_id), g.name
            FROM working_group_enterprises e JOIN working_groups g ON g.id = e.group_id
                LEFT JOIN directory d ON d.key = 'enterprise:' || e.enterprise_id
            WHERE e.enterprise_id = ANY(\(group.enterpriseIDs)::text[]) AND e.group_id <> \(groupID)
            ORDER BY e.enterprise_id LIMIT 1
            """, logger: logger)
        // Read to the end before refusing, so that the connection is left with no rows pending.
        var claimed: (enterprise: String, groupName: String)?
        for try await row in rows.decode((String, String).self) { claimed = row }
        if let claimed {
            throw APIError.conflict(code: "ENTERPRISE_IN_OTHER_GROUP", message: "\(claimed.enterprise)已由\(claimed.groupName)负责")
        }
    }

    private func storedGroups(on connection: PostgresConnection) async throws -> [StoredGroup] {
        let rows = try await connection.query(
            """
            SELECT g.id, g.name, g.lead_unit_id, g.leader, g.members::text,
                coalesce(array_agg(e.enterprise_id ORDER BY e.enterprise_id) FILTER (WHERE e.enterprise_id IS NOT NULL), '{}'),
                g.updated_by_name, g.updated_at
            FROM working_groups g LEFT JOIN working_group_enterprises e ON e.group_id = g.id
            GROUP BY g.id ORDER BY g.name
            """, logger: logger)
        var groups: [StoredGroup] = []
        let decoder = JSONDecoder()
        for try await (id, name, leadUnitID, leader, members, enterpriseIDs, updatedBy, updatedAt)
            in rows.decode((UUID, String, String, String, String, [String], String?, Date).self)
        {
            groups.append(StoredGroup(id: id, name: name, leadUnitID: leadUnitID, leader: leader,
                members: try decoder.decode([WorkingGroupInput.Member].self, from: Data(members.utf8)), enterpriseIDs: enterpriseIDs,
                updatedBy: updatedBy, updatedAt: updatedAt))
        }
        return groups
    }

    /// The tier's units, enterprises and cadres by id: to check the ids a working group or a priority
    /// list names, and to show names beside them.
    struct DirectoryNames {
        var units: [String: DirectoryUnit] = [:]
        var enterprises: [String: DirectoryEnterprise] = [:]
        var cadres: [String: String] = [:]

        init(directory: DirectoryStore, tier: TenantID, on connection: PostgresConnection) async throws {
            for unit in try await directory.units(tenant: tier, on: connection) { units[unit.id] = unit }
            for enterprise in try await directory.enterprises(tenant: tier, on: connection) { enterprises[enterprise.id] = enterprise }
            for cadre in try await directory.people(roles: [.cadre], tenant: tier, on: connection) { cadres[cadre.id] = cadre.name }
        }

        func enterprise(_ enterprise: DirectoryEnterprise) -> WorkingGroup.Enterprise {
            WorkingGroup.Enterprise(id: enterprise.id, name: enterprise.name, industryGroup: enterprise.industryGroup,
                pairedCadre: enterprise.pairedCadreID.flatMap { cadres[$0] })
        }

        func group(_ stored: StoredGroup) -> WorkingGroup {
            WorkingGroup(
                id: stored.id, name: stored.name, leadUnitID: stored.leadUnitID, leadUnitName: units[stored.leadUnitID]?.name ?? stored.leadUnitID,
                leader: stored.leader,
                members: stored.members.map { .init(name: $0.name, unitID: $0.unitID, unitName: units[$0.unitID]?.name ?? $0.unitID) },
                enterprises: stored.enterpriseIDs.compactMap { enterprises[$0] }.map(enterprise),
                sizeNote: WorkingGroupInput.sizeNote(enterprises: stored.enterpriseIDs.count), updatedBy: stored.updatedBy,
                updatedAt: stored.updatedAt)
        }
    }
}
