import DemandDomain
import Foundation
import InputValidation
import Logging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy

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
    /// The earliest running deadline where the demand is now.
    public var dueAt: Date?
    /// Where the demand is now and who must act (after an escalation: at the parent tier).
    public var location: DemandLocation?
}

/// What a status event says of a demand held here: where it is now, seen from the demand itself
/// (`depth` 0) or from the parent tier's copy of it (`depth` 1).
public struct DemandNews: Sendable {
    public var id: UUID
    public var position: DemandPosition
    public var depth: Int
    /// The units holding the demand now, which may read the copy here.
    public var unitIDs: [String]
    /// The demand this one was merged into, when the news is of that merge.
    public var merger: Merger?

    public init(id: UUID, position: DemandPosition, depth: Int, unitIDs: [String] = [], merger: Merger? = nil) {
        self.id = id
        self.position = position
        self.depth = depth
        self.unitIDs = unitIDs
        self.merger = merger
    }
}

/// A demand as a service holds it, with what the status events say happened since.
public struct CurrentDemand: Sendable {
    /// The history this service holds: what its own actions are judged on.
    public var demand: Demand
    /// The demand's state, including later transitions other services made.
    public var state: DemandState?
    /// Where the demand is now (nil for a row stored before positions were kept).
    public var position: DemandPosition?
    /// Units the demand went to after this service handed it on (from the status events).
    public var followedUnitIDs: Set<String>
    /// The demand this one was merged into (并单), also when another service merged it after this
    /// one handed it on.
    public var merger: Merger?

    public init(
        demand: Demand, state: DemandState?, position: DemandPosition?, followedUnitIDs: Set<String> = [], merger: Merger? = nil
    ) {
        self.demand = demand
        self.state = state
        self.position = position
        self.followedUnitIDs = followedUnitIDs
        self.merger = merger ?? demand.status.merger
    }

    /// Who may read it: as its own history says, and also the units it went to since.
    public var visibility: DemandVisibility {
        var visibility = DemandVisibility(demand)
        visibility.unitIDs.formUnion(followedUnitIDs)
        return visibility
    }
}

/// Which demands a list should show.
public struct DemandFilter: Sendable {
    public var states: [DemandState]?
    public var tenant: TenantID?
    public var overdueOnly: Bool
    /// Only open cases under 挂牌督办.
    public var flaggedOnly = false
    /// Only class-B answers whose plan the unit has not yet reported carried out.
    public var awaitingCompletionOnly = false
    /// Only unresolved demands (open, or a class-B plan not yet carried out) not followed up since
    /// this instant (001 §4.6: weekly).
    public var followUpDueBefore: Date?
    /// How often the office follows up an unresolved demand (001 §4.6: every week).
    public static let followUpInterval: TimeInterval = 7 * 86_400
    /// Only the demand escalated from this one (the parent tier's copy).
    public var originDemandID: UUID?
    /// Only demands whose registration number or enterprise name contains this text.
    public var search: String?
    /// Only demands led by this unit.
    public var leadUnitID: String?
    public var category: DemandCategory?
    /// Only demands of these industry groups; empty for every group, nil where nothing was asked
    /// (a dispatcher's queue then shows their own groups).
    public var industryGroups: [IndustryGroup]?
    /// Only demands waiting for the review of a cadre no longer active in the directory (or of
    /// none), which the office reviews (000 Q8). Where the directory is kept: intake.
    public var reviewerGoneOnly = false
    /// Only demands registered from this instant (a Shanghai day's start) and before the other.
    public var registeredFrom: Date?
    public var registeredBefore: Date?
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

    /// - Parameter skipLocked: With `forUpdate`, nil instead of waiting when another transaction
    ///   holds the row (for background work that must not deadlock with a person's action).
    public func load(_ id: UUID, forUpdate: Bool = false, skipLocked: Bool = false, on connection: PostgresConnection)
        async throws -> Demand?
    {
        let recent = RecentDemands.shared.copy(id)
        let known = RecentDemands.known(recent)
        if forUpdate && skipLocked {
            let statement = LoadDemandStatement<ForUpdate>(id: id, known: known)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: LoadDemandStatement<ForUpdate>.sql + " SKIP LOCKED", binds: try statement.makeBindings()),
                logger: logger)
            for try await row in rows.decode(StoredDemandRow.self) { return try demand(id, row, recent: recent) }
            return nil
        }
        let rows = forUpdate
            ? try await connection.execute(LoadDemandStatement<ForUpdate>(id: id, known: known), logger: logger)
            : try await connection.execute(LoadDemandStatement<WithoutLock>(id: id, known: known), logger: logger)
        for try await row in rows { return try demand(id, row, recent: recent) }
        return nil
    }

    /// The demand locked for the transaction if its history has exactly `length` transitions; nil,
    /// without taking the lock, otherwise (a follower's news of a step the copy already holds must
    /// not make the next action on it wait).
    public func lock(_ id: UUID, ifHistoryLength length: Int, on connection: PostgresConnection) async throws -> Demand? {
        let recent = RecentDemands.shared.copy(id)
        let statement = LockDemandAtLengthStatement(id: id, known: RecentDemands.known(recent), length: length)
        for try await row in try await connection.execute(statement, logger: logger) { return try demand(id, row, recent: recent) }
        return nil
    }

    /// A demand with its current state and position, for reading.
    public func loadCurrent(_ id: UUID, on connection: PostgresConnection) async throws -> CurrentDemand? {
        let recent = RecentDemands.shared.copy(id)
        let statement = LoadCurrentDemandStatement(id: id, known: RecentDemands.known(recent))
        for try await (tenant, length, history, state, position, followed, merger) in try await connection.execute(statement, logger: logger) {
            let demand = try demand(id, (tenant, length, history), recent: recent)
            return CurrentDemand(
                demand: demand, state: DemandState(rawValue: state) ?? demand.state,
                position: try position.map { try EventCoding.decoder().decode(DemandPosition.self, from: Data($0.utf8)) },
                followedUnitIDs: Set(followed),
                merger: try merger.map { try EventCoding.decoder().decode(Merger.self, from: Data($0.utf8)) })
        }
        return nil
    }

    /// The demand a row holds: the copy decoded before when Postgres left the history out (the row
    /// holds that copy), the history decoded and remembered otherwise.
    private func demand(_ id: UUID, _ row: StoredDemandRow, recent: RecentDemands.Copy?) throws -> Demand {
        let (tenant, length, history) = row
        guard let history else {
            // Postgres leaves the history out only for the copy the load named.
            guard let recent, recent.demand.history.count == length else { preconditionFailure("demand \(id): no history and no copy") }
            return recent.demand
        }
        let demand = try decode(id: id, tenant: tenant, history: history)
        RecentDemands.shared.remember(demand, historyJSON: history)
        return demand
    }

    func decode(id: UUID, tenant: String, history: String) throws -> Demand {
        let transitions = try EventCoding.decoder().decode([Transition].self, from: Data(history.utf8))
        return Demand(id: id, tenant: TenantID(rawValue: tenant), recorded: transitions)
    }

    /// Inserts or replaces a demand with its current history and position, and with `deadlines` its
    /// deadline rows. What the status events already told of later transitions (state, position) is kept.
    public func save(_ demand: Demand, position: DemandPosition, deadlines: DeadlineRows? = nil, on connection: PostgresConnection)
        async throws
    {
        let status = demand.status
        let history = try RecentDemands.shared.historyJSON(of: demand) { try EventCoding.text($0) }
        let created = status.createdAt ?? Date()
        _ = try await connection.execute(SaveDemandStatement(
            id: demand.id, tenant: demand.tenant.rawValue, state: demand.state?.rawValue ?? "new", enterpriseID: status.enterprise?.id,
            enterpriseName: status.content?.enterprise.name, pairedCadreID: status.enterprise?.pairedCadreID,
            unitIDs: Array(status.currentUnitIDs).sorted(), leadUnitID: status.assignment?.leadUnit.id,
            registrationNumber: status.registrationNumber?.description, originDemandID: status.origin?.demandID,
            historyLength: demand.history.count, historyJSON: history, createdAt: created, updatedAt: status.updatedAt ?? created,
            positionJSON: try EventCoding.text(position), positionDueAt: position.dueAt, flagged: status.flag != nil,
            lastFollowUpAt: status.lastFollowUpAt, awaitingCompletion: status.awaitsCompletion,
            plannedCompletion: status.lastResult?.plannedCompletion?.description, category: status.content?.category.rawValue,
            industryGroup: status.content?.industryGroup.rawValue, mergerJSON: try status.merger.map(EventCoding.text), deadlines: deadlines),
            logger: logger)
        if status.merger != nil { try await shareMergedPosition(demand.id, on: connection) }
        RecentDemands.shared.remember(demand, historyJSON: history)
        CommitNotes.note(Self.changeName(of: demand.id))
    }

    /// The demand's name in ``PostgresStorage/CommitNotes``: readers waiting for it to change look
    /// again once a transaction that saved or followed it commits.
    public static func changeName(of id: UUID) -> String { "demand:\(id.uuidString)" }

    /// Shows a merged demand where the demand it joined is (并单: one handling answers both), whether
    /// `id` is the merged one or the one joined.
    func shareMergedPosition(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE demands AS merged SET position = joined.position, position_due_at = joined.position_due_at,
                updated_at = greatest(merged.updated_at, joined.updated_at)
            FROM demands AS joined
            WHERE (merged.merger->>'intoDemandID')::uuid = joined.id AND (joined.id = \(id) OR merged.id = \(id))
                AND merged.position IS DISTINCT FROM joined.position
            """, logger: logger)
    }

    /// Records what status events say of demands held here, in one statement: a later transition of
    /// a demand itself (`depth` 0), or of the copy a parent tier made when this one escalated it
    /// (`depth` 1). Older or repeated news changes nothing, so events may arrive late, twice or out of
    /// order; the newest news names the units holding the demand now, which may read the copy here.
    /// The demands merged into one show where it is now.
    public func follow(_ news: [DemandNews], on connection: PostgresConnection) async throws {
        guard !news.isEmpty else { return }
        _ = try await connection.execute(
            FollowDemandsStatement(newsJSON: try EventCoding.text(FollowDemandsStatement.News.combined(news))), logger: logger)
        // A demand merged just now shows where the one it joined is.
        for id in Set(news.filter { $0.merger != nil }.map(\.id)) { try await shareMergedPosition(id, on: connection) }
        // Any of them may have changed (older news changes nothing; a reader woken for it looks again).
        for item in news { CommitNotes.note(Self.changeName(of: item.id)) }
    }

    /// Demands the scope admits, newest first, narrowed by the filter.
    public func list(in scope: DemandScope, filter: DemandFilter, on connection: PostgresConnection) async throws -> [DemandListItem] {
        var values = PostgresBindings()
        func bind(_ value: some PostgresEncodable & Sendable) throws -> String {
            try values.append(value)
            return "$\(values.count)"
        }
        var conditions = [try scope.condition(binding: { try bind($0) })]
        if let states = filter.states { conditions.append("d.state = ANY(\(try bind(states.map(\.rawValue))))") }
        if let tenant = filter.tenant { conditions.append("d.tenant = \(try bind(tenant.rawValue))") }
        if filter.overdueOnly { conditions.append("d.position_due_at < now()") }
        if filter.flaggedOnly { conditions.append("d.flagged AND d.state <> 'closed'") }
        if filter.reviewerGoneOnly {
            conditions.append(
                """
                d.state = 'awaitingReview' AND NOT EXISTS (SELECT 1 FROM directory p WHERE p.key = 'person:' || d.paired_cadre_id \
                AND coalesce((p.body->'person'->>'active')::boolean, true))
                """)
        }
        if filter.awaitingCompletionOnly { conditions.append("d.awaiting_completion") }
        if let before = filter.followUpDueBefore {
            let open = [DemandState.awaitingSignature, .inProgress, .underSupervision].map(\.rawValue)
            conditions.append("(d.state = ANY(\(try bind(open))) OR d.awaiting_completion) "
                + "AND coalesce(d.last_follow_up_at, d.created_at) < \(try bind(before))")
        }
        if let origin = filter.originDemandID { conditions.append("d.origin_demand_id = \(try bind(origin))") }
        if let unit = filter.leadUnitID { conditions.append("d.lead_unit_id = \(try bind(unit))") }
        if let category = filter.category { conditions.append("d.category = \(try bind(category.rawValue))") }
        if let groups = filter.industryGroups, !groups.isEmpty {
            conditions.append("d.industry_group = ANY(\(try bind(groups.map(\.rawValue))))")
        }
        if let from = filter.registeredFrom { conditions.append("d.created_at >= \(try bind(from))") }
        if let before = filter.registeredBefore { conditions.append("d.created_at < \(try bind(before))") }
        if let search = filter.search {
            let pattern = "%" + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
            let bound = try bind(pattern)
            conditions.append("(d.registration_number ILIKE \(bound) OR d.enterprise_name ILIKE \(bound))")
        }
        let sql = """
            SELECT d.id, d.tenant, d.state, d.registration_number, d.enterprise_name, d.lead_unit_id, d.updated_at,
                d.position_due_at, (d.position->'location')::text
            FROM demands d
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY d.updated_at DESC LIMIT \(try bind(filter.limit)) OFFSET \(try bind(filter.offset))
            """
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: values), logger: logger)
        var items: [DemandListItem] = []
        let decoder = EventCoding.decoder()
        for try await (id, tenant, state, number, enterprise, lead, updated, due, location) in rows.decode(
            (UUID, String, String, String?, String?, String?, Date, Date?, String?).self)
        {
            let demandState = DemandState(rawValue: state) ?? .awaitingReview
            items.append(DemandListItem(
                id: id, tenant: TenantID(rawValue: tenant), state: demandState, stateName: demandState.chineseName,
                registrationNumber: number, enterpriseName: enterprise, leadUnitID: lead, updatedAt: updated, dueAt: due,
                location: try location.map { try decoder.decode(DemandLocation.self, from: Data($0.utf8)) }))
        }
        return items
    }
}
