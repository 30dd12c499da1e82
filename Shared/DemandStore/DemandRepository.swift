import DemandDomain
import Foundation
import Logging
import PlatformEvents
import PostgresNIO
import PostgresStorage

/// One row of a demand list: enough to show a queue or a ledger line.
public struct DemandListItem: Codable, Sendable, Hashable {
    public var id: UUID
    public var tenant: TenantID
    public var state: DemandState
    public var stateName: String
    public var registrationNumber: String?
    public var enterpriseName: String?
    public var leadUnitID: String?
    public var updatedAt: Date
    public var dueAt: Date?
}

/// Which demands a list should show.
public struct DemandFilter: Sendable {
    public var states: [DemandState]?
    public var tenant: TenantID?
    public var overdueOnly: Bool
    /// Only the demand escalated from this one (the parent tier's copy).
    public var originDemandID: UUID?
    public var limit: Int
    public var offset: Int

    public init(
        states: [DemandState]? = nil, tenant: TenantID? = nil, overdueOnly: Bool = false, originDemandID: UUID? = nil,
        limit: Int = 50, offset: Int = 0
    ) {
        self.states = states
        self.tenant = tenant
        self.originDemandID = originDemandID
        self.overdueOnly = overdueOnly
        self.limit = limit
        self.offset = offset
    }
}

/// Demands as a service holds them: the history is the record, the other columns are for queries.
public struct DemandRepository: Sendable {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func load(_ id: UUID, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> Demand? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT tenant, history::text FROM demands WHERE id = $1" + lock, binds: binds(id)),
            logger: logger)
        for try await (tenant, history) in rows.decode((String, String).self) {
            return try decode(id: id, tenant: tenant, history: history)
        }
        return nil
    }

    func decode(id: UUID, tenant: String, history: String) throws -> Demand {
        let transitions = try EventCoding.decoder().decode([Transition].self, from: Data(history.utf8))
        return try Demand(id: id, tenant: TenantID(rawValue: tenant), history: transitions)
    }

    /// Inserts or replaces a demand with its current history.
    public func save(_ demand: Demand, on connection: PostgresConnection) async throws {
        let status = demand.status
        let history = String(decoding: try EventCoding.encoder().encode(demand.history), as: UTF8.self)
        let units = Array(status.everAssignedUnitIDs).sorted()
        let created = status.createdAt ?? Date()
        let updated = status.updatedAt ?? created
        try await connection.execute(
            """
            INSERT INTO demands (id, tenant, state, enterprise_id, enterprise_name, paired_cadre_id, unit_ids, lead_unit_id,
                registration_number, origin_demand_id, history_length, history, created_at, updated_at)
            VALUES (\(demand.id), \(demand.tenant.rawValue), \(demand.state?.rawValue ?? "new"), \(status.enterprise?.id),
                \(status.content?.enterprise.name), \(status.enterprise?.pairedCadreID), \(units), \(status.assignment?.leadUnit.id),
                \(status.registrationNumber?.description), \(status.origin?.demandID), \(demand.history.count), \(history)::jsonb,
                \(created), \(updated))
            ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, enterprise_name = EXCLUDED.enterprise_name,
                unit_ids = EXCLUDED.unit_ids, lead_unit_id = EXCLUDED.lead_unit_id, history_length = EXCLUDED.history_length,
                history = EXCLUDED.history, updated_at = EXCLUDED.updated_at
            """, logger: logger)
    }

    /// Demands a principal may read, newest first, narrowed by the filter.
    public func list(for principal: Principal, policy: AccessPolicy, filter: DemandFilter, on connection: PostgresConnection)
        async throws -> [DemandListItem]
    {
        var conditions: [String] = []
        var values = PostgresBindings()
        func bind(_ value: some PostgresEncodable & Sendable) throws -> String {
            try values.append(value)
            return "$\(values.count)"
        }
        switch principal.role {
        case .enterprise: conditions.append("d.enterprise_id = \(try bind(principal.enterpriseID ?? ""))")
        case .cadre: conditions.append("d.paired_cadre_id = \(try bind(principal.subject))")
        case .unitAdmin: conditions.append("\(try bind(principal.unitID ?? "")) = ANY(d.unit_ids)")
        case .countyAdmin:
            conditions.append("(d.tenant = \(try bind(principal.tenant.rawValue)) OR \(try bind(principal.unitID ?? "")) = ANY(d.unit_ids))")
        case .dispatcher, .office, .inspector, .system:
            conditions.append("d.tenant = ANY(\(try bind(policy.readableTenants(for: principal).map(\.rawValue))))")
        }
        if let states = filter.states { conditions.append("d.state = ANY(\(try bind(states.map(\.rawValue))))") }
        if let tenant = filter.tenant { conditions.append("d.tenant = \(try bind(tenant.rawValue))") }
        if filter.overdueOnly { conditions.append("dl.due_at < now()") }
        if let origin = filter.originDemandID { conditions.append("d.origin_demand_id = \(try bind(origin))") }
        let sql = """
            SELECT d.id, d.tenant, d.state, d.registration_number, d.enterprise_name, d.lead_unit_id, d.updated_at, dl.due_at
            FROM demands d
            LEFT JOIN LATERAL (SELECT min(due_at) AS due_at FROM deadlines WHERE demand_id = d.id) dl ON true
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY d.updated_at DESC LIMIT \(try bind(filter.limit)) OFFSET \(try bind(filter.offset))
            """
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: values), logger: logger)
        var items: [DemandListItem] = []
        for try await (id, tenant, state, number, enterprise, lead, updated, due) in rows.decode(
            (UUID, String, String, String?, String?, String?, Date, Date?).self)
        {
            let demandState = DemandState(rawValue: state) ?? .awaitingReview
            items.append(DemandListItem(
                id: id, tenant: TenantID(rawValue: tenant), state: demandState, stateName: demandState.chineseName,
                registrationNumber: number, enterpriseName: enterprise, leadUnitID: lead, updatedAt: updated, dueAt: due))
        }
        return items
    }

    private func binds(_ id: UUID) -> PostgresBindings {
        var values = PostgresBindings()
        values.append(id)
        return values
    }
}
