import DemandDomain
import Foundation
import PlatformEvents
import PostgresNIO
import Tenancy

/// A batch's fact rows, one per demand: the batch's status events of a demand folded together by
/// the rules the upsert applies to a stored row, so that one statement writes the batch (a
/// statement may change a row only once) and the result is the one the events would give one by one.
struct FactRows {
    private var rows: [UUID: FactRow] = [:]
    private var order: [UUID] = []

    var isEmpty: Bool { order.isEmpty }

    /// Every demand's row, in the order the batch first named each.
    var all: [FactRow] { order.compactMap { rows[$0] } }

    mutating func fold(_ event: DemandStatusEvent) {
        let row = FactRow(event)
        guard let held = rows[row.demandID] else {
            rows[row.demandID] = row
            order.append(row.demandID)
            return
        }
        rows[row.demandID] = held.followed(by: row)
    }
}

/// What one status event says of its demand's fact row (`demand_facts`), under the upsert's names.
struct FactRow: Encodable {
    var demandID: UUID
    var tenant: String
    var registrationNumber: String?
    var enterpriseID: String?
    var enterpriseName: String?
    var pairedCadreID: String?
    var category: String?
    var industryGroup: String?
    var leadUnitID: String?
    var leadUnitName: String?
    var originTenant: String?
    var state: String
    var stateSequence: Int
    var receivedAt: Date?
    var closedAt: Date?
    var openStep: String?
    var openDueAt: Date?
    var assignedAt: Date?
    var assignedSequence: Int?

    enum CodingKeys: String, CodingKey {
        case tenant, category, state
        case demandID = "demand_id", registrationNumber = "registration_number", enterpriseID = "enterprise_id"
        case enterpriseName = "enterprise_name", pairedCadreID = "paired_cadre_id", industryGroup = "industry_group"
        case leadUnitID = "lead_unit_id", leadUnitName = "lead_unit_name", originTenant = "origin_tenant"
        case stateSequence = "state_sequence", receivedAt = "received_at", closedAt = "closed_at", openStep = "open_step"
        case openDueAt = "open_due_at", assignedAt = "assigned_at", assignedSequence = "assigned_sequence"
    }

    init(_ event: DemandStatusEvent) {
        let summary = event.demand
        let transition = event.transition
        let open = event.openDeadlines.filter { $0.dueAt != nil }.min { $0.dueAt! < $1.dueAt! }
        let assigned: Date? = if case .dispatch = transition.action { transition.at } else { nil }
        demandID = summary.id
        tenant = summary.tenant.rawValue
        registrationNumber = summary.registrationNumber?.description
        enterpriseID = summary.enterpriseID
        enterpriseName = summary.enterpriseName
        pairedCadreID = summary.pairedCadreID
        category = summary.category?.rawValue
        industryGroup = summary.industryGroup?.rawValue
        leadUnitID = summary.leadUnit?.id
        leadUnitName = summary.leadUnit?.name
        originTenant = summary.origin?.tenant.rawValue
        state = event.state.rawValue
        stateSequence = transition.sequence
        receivedAt = transition.sequence == 1 ? transition.at : nil
        closedAt = transition.to == .closed ? transition.at : nil
        openStep = open?.step.rawValue
        openDueAt = open?.dueAt
        assignedAt = assigned
        assignedSequence = assigned == nil ? nil : transition.sequence
    }

    /// This row with `later` applied as the upsert applies it to a stored row (``UpsertFactsStatement``):
    /// the columns only an insert writes stay, the state's columns follow the higher sequence, the
    /// assignment the later one, and the dates once set stay set.
    func followed(by later: FactRow) -> FactRow {
        var row = self
        if later.stateSequence > stateSequence {
            (row.state, row.leadUnitID, row.leadUnitName, row.openStep, row.openDueAt) =
                (later.state, later.leadUnitID, later.leadUnitName, later.openStep, later.openDueAt)
        }
        if let sequence = later.assignedSequence, sequence > assignedSequence ?? 0 {
            (row.assignedAt, row.assignedSequence) = (later.assignedAt, sequence)
        }
        row.stateSequence = max(stateSequence, later.stateSequence)
        row.receivedAt = receivedAt ?? later.receivedAt
        row.closedAt = closedAt ?? later.closedAt
        row.registrationNumber = registrationNumber ?? later.registrationNumber
        return row
    }
}

/// The fact rows of a batch as they were and as they are now, and the difference they make to
/// `entry_counts`, in one statement (prepared: planned once, not at every batch).
struct UpsertFactsStatement: PostgresPreparedStatement {
    static let sql = """
        WITH batch AS (
            SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(demand_id uuid, tenant text, registration_number text,
                enterprise_id text, enterprise_name text, paired_cadre_id text, category text, industry_group text, lead_unit_id text,
                lead_unit_name text, origin_tenant text, state text, state_sequence int8, received_at timestamptz,
                closed_at timestamptz, open_step text, open_due_at timestamptz, assigned_at timestamptz, assigned_sequence int8)
        ),
        old AS (SELECT -1 AS sign, \(EntryCounts.factColumns) FROM demand_facts WHERE demand_id IN (SELECT demand_id FROM batch)),
        new AS (
        INSERT INTO demand_facts AS f (demand_id, tenant, registration_number, enterprise_id, enterprise_name, paired_cadre_id,
            category, industry_group, lead_unit_id, lead_unit_name, origin_tenant, state, state_sequence, received_at, closed_at,
            open_step, open_due_at, assigned_at, assigned_sequence)
        SELECT demand_id, tenant, registration_number, enterprise_id, enterprise_name, paired_cadre_id, category, industry_group,
            lead_unit_id, lead_unit_name, origin_tenant, state, state_sequence, received_at, closed_at, open_step, open_due_at,
            assigned_at, assigned_sequence
        FROM batch
        ON CONFLICT (demand_id) DO UPDATE SET
            state = CASE WHEN EXCLUDED.state_sequence > f.state_sequence THEN EXCLUDED.state ELSE f.state END,
            lead_unit_id = CASE WHEN EXCLUDED.state_sequence > f.state_sequence THEN EXCLUDED.lead_unit_id ELSE f.lead_unit_id END,
            lead_unit_name = CASE WHEN EXCLUDED.state_sequence > f.state_sequence THEN EXCLUDED.lead_unit_name ELSE f.lead_unit_name END,
            open_step = CASE WHEN EXCLUDED.state_sequence > f.state_sequence THEN EXCLUDED.open_step ELSE f.open_step END,
            open_due_at = CASE WHEN EXCLUDED.state_sequence > f.state_sequence THEN EXCLUDED.open_due_at ELSE f.open_due_at END,
            assigned_at = CASE WHEN EXCLUDED.assigned_sequence > coalesce(f.assigned_sequence, 0)
                THEN EXCLUDED.assigned_at ELSE f.assigned_at END,
            assigned_sequence = greatest(f.assigned_sequence, EXCLUDED.assigned_sequence),
            state_sequence = greatest(f.state_sequence, EXCLUDED.state_sequence),
            received_at = coalesce(f.received_at, EXCLUDED.received_at),
            closed_at = coalesce(f.closed_at, EXCLUDED.closed_at),
            registration_number = coalesce(f.registration_number, EXCLUDED.registration_number)
        RETURNING 1 AS sign, \(EntryCounts.factColumns)
        ),
        deltas AS (\(EntryCounts.contributions(of: "(SELECT * FROM old UNION ALL SELECT * FROM new)")))
        \(EntryCounts.add(from: "deltas"))
        """
    static let bindingDataTypes: [PostgresDataType] = [.text]
    typealias Row = ()

    /// The batch's ``FactRow``s as a JSON array.
    var rowsJSON: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(rowsJSON)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
