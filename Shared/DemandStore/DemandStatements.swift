import Foundation
import PostgresNIO

// The demand statements every journey runs many times, prepared: Postgres parses and plans each
// once per connection (PostgresNIO keeps them by name) instead of at every call. Parameter types
// are given as PostgresNIO encodes the values, so the statements mean what they meant unprepared.

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
        bindings.append(known.length)
        bindings.append(known.lastTransitionID)
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
        bindings.append(known.length)
        bindings.append(known.lastTransitionID)
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
        bindings.append(known.length)
        bindings.append(known.lastTransitionID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
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
            position_due_at = CASE WHEN newer THEN $4 ELSE position_due_at END,
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
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .text, .timestamptz, .int8, .timestamptz, .textArray, .text, .uuid]
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
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
