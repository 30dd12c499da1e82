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
        WITH \(DeadlineBook.rewriting(demand: "$1", tenant: "$2", deadlines: "$25", fingerprint: "$26"))
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
        .timestamptz, .bool, .timestamptz, .bool, .text, .text, .text, .text, .textArray, .text, .text,
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
    /// Nil: the demand's deadline rows are left as they are.
    var deadlines: DeadlineRows?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 26)
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
        bindings.append(deadlines?.json)
        bindings.append(deadlines?.fingerprint)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}

/// News of where demands are now, applied where it is newer than what is held (see
/// `DemandRepository.follow`), one row per demand; the demands merged into one take the same position.
struct FollowDemandsStatement: PostgresPreparedStatement {
    static let sql = """
        WITH news AS (
            SELECT * FROM jsonb_to_recordset($1::jsonb) AS n(id uuid, own_state text, own_sequence int8, position jsonb,
                due_at timestamptz, depth int8, sequence int8, updated_at timestamptz, unit_ids text[], merger jsonb)
        ), followed AS (
        UPDATE demands AS d SET
            state = CASE WHEN n.own_state IS NOT NULL AND d.state_sequence < n.own_sequence THEN n.own_state ELSE d.state END,
            state_sequence = CASE WHEN n.own_state IS NOT NULL THEN greatest(d.state_sequence, n.own_sequence) ELSE d.state_sequence END,
            position = CASE WHEN (d.position_depth, d.position_sequence) < (n.depth, n.sequence) THEN n.position ELSE d.position END,
            position_due_at = CASE
                WHEN (CASE WHEN n.own_state IS NOT NULL AND d.state_sequence < n.own_sequence THEN n.own_state ELSE d.state END) = ANY($2)
                    THEN NULL
                WHEN (d.position_depth, d.position_sequence) < (n.depth, n.sequence) THEN n.due_at
                ELSE d.position_due_at END,
            position_depth = CASE WHEN (d.position_depth, d.position_sequence) < (n.depth, n.sequence) THEN n.depth
                ELSE d.position_depth END,
            position_sequence = CASE WHEN (d.position_depth, d.position_sequence) < (n.depth, n.sequence) THEN n.sequence
                ELSE d.position_sequence END,
            updated_at = greatest(d.updated_at, n.updated_at),
            followed_unit_ids = CASE WHEN (d.position_depth, d.position_sequence) < (n.depth, n.sequence) THEN n.unit_ids
                ELSE d.followed_unit_ids END,
            merger = coalesce(d.merger, n.merger)
        FROM news AS n
        WHERE d.id = n.id AND ((d.position_depth, d.position_sequence) < (n.depth, n.sequence)
            OR (n.own_state IS NOT NULL AND d.state_sequence < n.own_sequence))
        RETURNING d.id, d.position, d.position_due_at, d.updated_at
        )
        UPDATE demands AS merged SET position = followed.position, position_due_at = followed.position_due_at,
            updated_at = greatest(merged.updated_at, followed.updated_at)
        FROM followed
        WHERE (merged.merger->>'intoDemandID')::uuid = followed.id AND merged.position IS DISTINCT FROM followed.position
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .textArray]
    typealias Row = ()

    /// The news of one demand, as a row of `$1`: a statement changes each row once, so a batch's news
    /// of one demand is combined first (the newest position, the newest own state).
    struct News: Encodable {
        var id: UUID
        var ownState: String?
        var ownSequence: Int?
        var position: DemandPosition
        var dueAt: Date?
        var depth: Int
        var sequence: Int
        var updatedAt: Date
        var unitIDs: [String]
        var merger: Merger?

        enum CodingKeys: String, CodingKey {
            case id, position, depth, sequence, merger
            case ownState = "own_state", ownSequence = "own_sequence", dueAt = "due_at", updatedAt = "updated_at"
            case unitIDs = "unit_ids"
        }

        init(_ news: DemandNews) {
            let location = news.position.location
            id = news.id
            // The demand's own state, when the news is of this demand itself (not of a copy further on).
            (ownState, ownSequence) = news.depth == 0 ? (location.state.rawValue, location.sequence) : (nil, nil)
            position = news.position
            dueAt = news.position.dueAt
            depth = news.depth
            sequence = location.sequence
            updatedAt = location.updatedAt
            unitIDs = news.unitIDs
            merger = news.merger
        }

        static func combined(_ news: [DemandNews]) -> [News] {
            var byDemand: [UUID: News] = [:]
            var order: [UUID] = []
            for item in news.map(News.init) {
                guard var held = byDemand[item.id] else {
                    byDemand[item.id] = item
                    order.append(item.id)
                    continue
                }
                if (item.depth, item.sequence) > (held.depth, held.sequence) {
                    (held.position, held.dueAt, held.depth, held.sequence, held.unitIDs) =
                        (item.position, item.dueAt, item.depth, item.sequence, item.unitIDs)
                }
                if let state = item.ownState, let sequence = item.ownSequence, sequence > held.ownSequence ?? -1 {
                    (held.ownState, held.ownSequence) = (state, sequence)
                }
                held.updatedAt = max(held.updatedAt, item.updatedAt)
                held.merger = held.merger ?? item.merger
                byDemand[item.id] = held
            }
            return order.compactMap { byDemand[$0] }
        }
    }

    var newsJSON: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(newsJSON)
        bindings.append(endedStates)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
