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

/// The two lists allocation serves first (000 Q2): 领导联系重点企业 (an enterprise a leader contacts
/// goes to that leader) and 行业主管部门管行业企业 (an enterprise goes to a cadre of its competent
/// department). They are the office's own lists: kept from one allocation to the next, changed by
/// the office at any time, replaced by the lists an applied allocation used, and recorded beside
/// that allocation's seed, so that the draw can be replayed.
extension PairingDesk {
    static let priorityListsMigration = Migration(version: 34, name: "priority lists", statements: [
        """
        CREATE TABLE priority_enterprises (
            enterprise_id text PRIMARY KEY,
            basis text NOT NULL CHECK (basis IN ('leaderContact', 'industryManaged')),
            assignee text NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "ALTER TABLE pairing_allocations ADD COLUMN priorities jsonb",
    ])

    /// Enterprise id → the leader (cadre id), and enterprise id → the competent department (unit id).
    struct PriorityLists: Codable, Sendable, Equatable {
        var leaderContacts: [String: String]
        var industryManaged: [String: String]
    }

    /// The lists as the office reads them, with names.
    struct PriorityListsView: Codable, Sendable, ResponseEncodable {
        struct Entry: Codable, Sendable {
            var enterpriseID: String
            var enterpriseName: String
            var assigneeID: String
            var assigneeName: String
        }

        var leaderContacts: [Entry]
        var industryManaged: [Entry]
    }

    func priorityLists(for principal: Principal) async throws -> PriorityListsView {
        try principal.require(tier: tier, roles: [.office, .inspector])
        return try await runtime.database.withConnection { connection in try await priorityListsView(on: connection) }
    }

    /// The office replaces its lists.
    func setPriorityLists(_ lists: PriorityLists, by principal: Principal) async throws -> PriorityListsView {
        try principal.require(tier: tier, roles: [.office])
        return try await runtime.transaction { connection in
            try await checkPriorityLists(lists, on: connection)
            try await keepPriorityLists(lists, on: connection)
            logger.info("Priority lists kept", metadata: ["leaders": "\(lists.leaderContacts.count)", "departments": "\(lists.industryManaged.count)"])
            return try await priorityListsView(on: connection)
        }
    }

    private func priorityListsView(on connection: PostgresConnection) async throws -> PriorityListsView {
        let lists = try await storedPriorityLists(on: connection)
        let names = try await DirectoryNames(directory: intake.directory, tier: tier, on: connection)
        func entries(_ list: [String: String], name: (String) -> String?) -> [PriorityListsView.Entry] {
            list.sorted { $0.key < $1.key }.map { enterprise, assignee in
                .init(enterpriseID: enterprise, enterpriseName: names.enterprises[enterprise]?.name ?? enterprise, assigneeID: assignee,
                    assigneeName: name(assignee) ?? assignee)
            }
        }
        return PriorityListsView(leaderContacts: entries(lists.leaderContacts) { names.cadres[$0] },
            industryManaged: entries(lists.industryManaged) { names.units[$0]?.name })
    }

    /// The lists an allocation uses: the ones it was given, or else the office's kept lists. Every
    /// enterprise, leader and department must be the tier's.
    func priorityLists(for request: AllocationRequest, on connection: PostgresConnection) async throws -> PriorityLists {
        let lists = request.leaderContacts == nil && request.industryManaged == nil
            ? try await storedPriorityLists(on: connection)
            : PriorityLists(leaderContacts: request.leaderContacts ?? [:], industryManaged: request.industryManaged ?? [:])
        try await checkPriorityLists(lists, on: connection)
        return lists
    }

    private func checkPriorityLists(_ lists: PriorityLists, on connection: PostgresConnection) async throws {
        let names = try await DirectoryNames(directory: intake.directory, tier: tier, on: connection)
        for (field, list) in [("leaderContacts", lists.leaderContacts), ("industryManaged", lists.industryManaged)] {
            for (enterprise, assignee) in list.sorted(by: { $0.key < $1.key }) {
                guard names.enterprises[enterprise]?.active == true else {
                    throw APIError.invalid(code: "UNKNOWN_ENTERPRISE", message: "本级名录中没有企业“\(enterprise)”", field: field)
                }
                if field == "leaderContacts", names.cadres[assignee] == nil {
                    throw APIError.invalid(code: "UNKNOWN_CADRE", message: "本级没有干部“\(assignee)”", field: field)
                }
                if field == "industryManaged", names.units[assignee]?.active != true {
                    throw APIError.invalid(code: "UNKNOWN_UNIT", message: "本级没有单位“\(assignee)”", field: field)
                }
            }
        }
    }

    /// Keeps the lists an applied allocation used as the office's lists.
    func keepPriorityLists(_ lists: PriorityLists, on connection: PostgresConnection) async throws {
        try await connection.execute("DELETE FROM priority_enterprises", logger: logger)
        let rows = lists.leaderContacts.map { ($0.key, "leaderContact", $0.value) } + lists.industryManaged.map { ($0.key, "industryManaged", $0.value) }
        guard !rows.isEmpty else { return }
        // An enterprise on both lists is kept once, as the leader's: the leader is served first.
        try await connection.execute(
            """
            INSERT INTO priority_enterprises (enterprise_id, basis, assignee)
            SELECT * FROM unnest(\(rows.map(\.0))::text[], \(rows.map(\.1))::text[], \(rows.map(\.2))::text[])
            ON CONFLICT (enterprise_id) DO NOTHING
            """, logger: logger)
    }

    private func storedPriorityLists(on connection: PostgresConnection) async throws -> PriorityLists {
        var lists = PriorityLists(leaderContacts: [:], industryManaged: [:])
        let rows = try await connection.query("SELECT enterprise_id, basis, assignee FROM priority_enterprises", logger: logger)
        for try await (enterprise, basis, assignee) in rows.decode((String, String, String).self) {
            if basis == "leaderContact" { lists.leaderContacts[enterprise] = assignee } else { lists.industryManaged[enterprise] = assignee }
        }
        return lists
    }
}
