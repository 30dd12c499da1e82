import DemandDomain
import Foundation
import PostgresNIO

// The demand statements every journey runs many times, prepared: Postgres parses and plans each
// once per connection (PostgresNIO keeps them by name) instead of at every call. Parameter types
// are given as PostgresNIO encodes the values, so the statements mean what they meant unprepared.

/// The states in which a demand runs no deadline (`DemandState.hasEnded`), bound into the statements
/// that keep `position_due_at`: an ended demand is never overdue, whatever late news of a copy says.
let endedStates = DemandState.allCases.filter(\.hasEnded).map(\.rawValue)

/// Whether a demand's load locks its row until the transaction ends.
protocol DemandRowLock {
    static var clause: String { get }
}

enum WithoutLock: DemandRowLock {
    static let clause = ""
}

enum ForUpdate: DemandRowLock {
    static let clause = " FOR UPDATE"
}

/// The columns every load of a demand reads: its tenant, its history's length, and the history as
/// text unless the row holds the copy the load names by `$2` (length) and `$3` (last transition
/// id), which the process has decoded already (``RecentDemands``).
private let demandColumns = """
    tenant, history_length, CASE WHEN history_length = $2 AND history->-1->>'id' = $3 THEN NULL ELSE history::text END
    """

extension RecentDemands.Known {
    /// The parameters `$2` and `$3` of the demand columns.
    func bind(into bindings: inout PostgresBindings) {
        bindings.append(length)
        bindings.append(lastTransitionID)
    }
}

/// A demand as stored: its tenant, its history's length, and its history unless known.
typealias StoredDemandRow = (String, Int, String?)

/// A demand's tenant and history, as stored (one prepared statement per kind of lock).
struct LoadDemandStatement<Lock: DemandRowLock>: PostgresPreparedStatement {
    static var sql: String { "SELECT \(demandColumns) FROM demands WHERE id = $1" + Lock.clause }
    static var bindingDataTypes: [PostgresDataType] { [.uuid, .int8, .text] }
    typealias Row = StoredDemandRow

    var id: UUID
    var known: RecentDemands.Known

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(id)
        known.bind(into: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// A demand whose history has exactly `length` transitions, locked; no row (and no lock) otherwise.
struct LockDemandAtLengthStatement: PostgresPreparedStatement {
    static let sql = "SELECT \(demandColumns) FROM demands WHERE id = $1 AND history_length = $4 FOR UPDATE"
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .int8, .text, .int8]
    typealias Row = StoredDemandRow

    var id: UUID
    var known: RecentDemands.Known
    var length: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(id)
        known.bind(into: &bindings)
        bindings.append(length)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// A demand with what the status events said of it since, for reading.
struct LoadCurrentDemandStatement: PostgresPreparedStatement {
    static let sql = "SELECT \(demandColumns), state, position::text, followed_unit_ids, merger::text FROM demands WHERE id = $1"
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .int8, .text]
    typealias Row = (String, Int, String?, String, String?, [String], String?)

    var id: UUID
    var known: RecentDemands.Known

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(id)
        known.bind(into: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Inserts or replaces a demand with its history and position; what status events already told of
/// later transitions (state, position) is kept (see `DemandRepository.save`).
struct SaveDemandStatement: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO demands AS d (id, tenant, state, enterprise_id, enterprise_name, paired_cadre_id, unit_ids, lead_unit_id,
            registration_number, origin_demand_id, history_length, history, created_at, updated_at,
            state_sequence, position, position_depth, position_sequence, position_due_at, flagged, last_follow_up_at,
            awaiting_completion, planned_completion, category, industry_group, merger)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $11, $15::jsonb, 0, $11, $16, $17, $18, $19,
            $20::date, $21, $22, $23::jsonb)
        ON CONFLICT (id) DO UPDATE SET enterprise_name = EXCLUDED.enterprise_name,
            unit_ids = EXCLUDED.unit_ids, lead_unit_id = EXCLUDED.lead_unit_id, history_length = EXCLUDED.history_length,
            history = EXCLUDED.history, flagged = EXCLUDED.flagged, last_follow_up_at = EXCLUDED.last_follow_up_at,
            awaiting_completion = EXCLUDED.awaiting_completion, planned_completion = EXCLUDED.planned_completion,
            category = EXCLUDED.category, industry_group = EXCLUDED.industry_group, merger = coalesce(EXCLUDED.merger, d.merger),
            updated_at = greatest(d.updated_at, EXCLUDED.updated_at),
            state = CASE WHEN d.state_sequence > EXCLUDED.state_sequence THEN d.state ELSE EXCLUDED.state END,
            state_sequence = greatest(d.state_sequence, EXCLUDED.state_sequence),
            position = CASE WHEN (d.position_depth, d.position_sequence) > (0, EXCLUDED.position_sequence)
                THEN d.position ELSE EXCLUDED.position END,
            position_due_at = CASE
                WHEN (CASE WHEN d.state_sequence > EXCLUDED.state_sequence THEN d.state ELSE EXCLUDED.state END) = ANY($24) THEN NULL
                WHEN (d.position_depth, d.position_sequence) > (0, EXCLUDED.position_sequence) THEN d.position_due_at
                ELSE EXCLUDED.position_due_at END,
            position_depth = CASE WHEN (d.position_depth, d.position_sequence) > (0, EXCLUDED.position_sequence)
                THEN d.position_depth ELSE 0 END,
            position_sequence = CASE WHEN (d.position_depth, d.position_sequence) > (0, EXCLUDED.position_sequence)
                THEN d.position_sequence ELSE EXCLUDED.position_sequence END
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .uuid, .text, .text, .text, .text, .text, .textArray, .text, .text, .uuid, .int8, .text, .timestamptz, .timestamptz, .text,
        .timestamptz, .bool, .timestamptz, .bool, .text, .text, .text, .text, .textArray,
    ]
    typealias Row = ()

    var id: UUID
    var tenant: String
    var state: String
    var enterpriseID: String?
    var enterpriseName: String?
    var pairedCadreID: String?
    var unitIDs: [String]
    var leadUnitID: String?
    var registrationNumber: String?
    var originDemandID: UUID?
    var historyLength: Int
    var historyJSON: String
    var createdAt: Date
    var updatedAt: Date
    var positionJSON: String
    var positionDueAt: Date?
    var flagged: Bool
    var lastFollowUpAt: Date?
    var awaitingCompletion: Bool
    var plannedCompletion: String?
    var category: String?
    var industryGroup: String?
    var mergerJSON: String?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 24)
        bindings.append(id)
        bindings.append(tenant)
        bindings.append(state)
        bindings.append(enterpriseID)
        bindings.append(enterpriseName)
        bindings.append(pairedCadreID)
        bindings.append(unitIDs)
        bindings.append(leadUnitID)
        bindings.append(registrationNumber)
        bindings.append(originDemandID)
        bindings.append(historyLength)
        bindings.append(historyJSON)
        bindings.append(createdAt)
        bindings.append(updatedAt)
        bindings.append(positionJSON)
        bindings.append(positionDueAt)
        bindings.append(flagged)
        bindings.append(lastFollowUpAt)
        bindings.append(awaitingCompletion)
        bindings.append(plannedCompletion)
        bindings.append(category)
        bindings.append(industryGroup)
        bindings.append(mergerJSON)
        bindings.append(endedStates)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}

/// News of where a demand is now, applied where it is newer than what is held (see
/// `DemandRepository.follow`); the demands merged into it take the same position.
struct FollowDemandStatement: PostgresPreparedStatement {
    static let sql = """
        WITH followed AS (
        UPDATE demands SET
            state = CASE WHEN $1::text IS NOT NULL AND state_sequence < $2 THEN $1 ELSE state END,
            state_sequence = CASE WHEN $1::text IS NOT NULL THEN greatest(state_sequence, $2) ELSE state_sequence END,
            position = CASE WHEN newer THEN $3::jsonb ELSE position END,
            position_due_at = CASE
                WHEN (CASE WHEN $1::text IS NOT NULL AND state_sequence < $2 THEN $1 ELSE state END) = ANY($10) THEN NULL
                WHEN newer THEN $4 ELSE position_due_at END,
            position_depth = CASE WHEN newer THEN $5 ELSE position_depth END,
            position_sequence = CASE WHEN newer THEN $2 ELSE position_sequence END,
            updated_at = greatest(updated_at, $6),
            followed_unit_ids = CASE WHEN newer THEN $7 ELSE followed_unit_ids END,
            merger = coalesce(merger, $8::jsonb)
        FROM (
            SELECT (position_depth, position_sequence) < ($5, $2) AS newer FROM demands WHERE id = $9
        ) AS news
        WHERE id = $9 AND (newer OR ($1::text IS NOT NULL AND state_sequence < $2))
        RETURNING demands.id, demands.position, demands.position_due_at, demands.updated_at
        )
        UPDATE demands AS merged SET position = followed.position, position_due_at = followed.position_due_at,
            updated_at = greatest(merged.updated_at, followed.updated_at)
        FROM followed
        WHERE (merged.merger->>'intoDemandID')::uuid = followed.id AND merged.position IS DISTINCT FROM followed.position
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .text, .int8, .text, .timestamptz, .int8, .timestamptz, .textArray, .text, .uuid, .textArray,
    ]
    typealias Row = ()

    /// The demand's own state, when the news is of this demand itself (not of a copy further on).
    var ownState: String?
    var sequence: Int
    var positionJSON: String
    var dueAt: Date?
    var depth: Int
    var updatedAt: Date
    var unitIDs: [String]
    var mergerJSON: String?
    var id: UUID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(ownState)
        bindings.append(sequence)
        bindings.append(positionJSON)
        bindings.append(dueAt)
        bindings.append(depth)
        bindings.append(updatedAt)
        bindings.append(unitIDs)
        bindings.append(mergerJSON)
        bindings.append(id)
        bindings.append(endedStates)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
