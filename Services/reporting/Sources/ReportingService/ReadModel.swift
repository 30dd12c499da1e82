import DemandDomain
import Foundation
import InputValidation
import Logging
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy

/// Applies status events to the read model. Every change is an addition to a counter or a
/// sequence-guarded upsert, so the result does not depend on the order events arrive in, and the
/// inbox makes a redelivered event change nothing.
struct ReadModel: Sendable {
    let logger: Logger

    /// Width of a working-day histogram bucket, in tenths of a day; durations past the last bucket
    /// fall into it.
    static let bucketsPerDay = 10
    static let lastBucket = 60 * bucketsPerDay

    struct Count: Hashable {
        var tenant: String
        var dimension: String
        var key: String
        var day: String
        var metric: String
    }

    /// Applies a batch's events: each status event's fact row and rating, and the counters of all
    /// of them together, in one statement.
    func apply(_ events: [IncomingEvent], on connection: PostgresConnection) async throws {
        var counts: [Count: Int] = [:]
        for (index, event) in events.enumerated() {
            do {
                guard let status = try Self.status(of: event) else { continue }
                counts.merge(Self.counts(for: status), uniquingKeysWith: +)
                try await upsertFacts(status, on: connection)
                try await recordRating(status, on: connection)
            } catch let rejection as EventRejection {
                throw RefusedEvent(index: index, rejection: rejection)
            }
        }
        try await add(counts, on: connection)
    }

    /// The status event `event` is; nil for the events of the status topics that reporting does not count.
    static func status(of event: IncomingEvent) throws -> DemandStatusEvent? {
        switch event.header.type {
        case EventType.demandStatus:
            return try event.decode(DemandStatusEvent.self).data
        case EventType.deadlineAlert, EventType.promiseDue:
            // Overdue work and open promises are read from what each demand's status events carry.
            return nil
        default:
            throw EventRejection(code: "UNKNOWN_EVENT_TYPE", reason: "reporting does not know \(event.header.type)")
        }
    }

    private func recordRating(_ event: DemandStatusEvent, on connection: PostgresConnection) async throws {
        guard case .rate(let rating) = event.transition.action else { return }
        try await connection.execute(
            """
            INSERT INTO ratings (transition_id, demand_id, tenant, lead_unit_id, satisfied, comment, rated_at)
            VALUES (\(event.transition.id), \(event.demand.id), \(event.demand.tenant.rawValue), \(event.demand.leadUnit?.id),
                \(rating.satisfied), \(rating.comment), \(event.transition.at))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// The counters one transition adds to, by tier, unit and cadre.
    static func counts(for event: DemandStatusEvent) -> [Count: Int] {
        let summary = event.demand
        let transition = event.transition
        let day = CivilDate(transition.at).description
        var counts: [Count: Int] = [:]
        func add(_ metric: String, tier: Bool = true, unit: Bool = false, cadre: Bool = false, on date: String = day) {
            let tenant = summary.tenant.rawValue
            if tier { counts[Count(tenant: tenant, dimension: "tier", key: tenant, day: date, metric: metric), default: 0] += 1 }
            if unit, let unitID = summary.leadUnit?.id {
                counts[Count(tenant: tenant, dimension: "unit", key: unitID, day: date, metric: metric), default: 0] += 1
            }
            if cadre, let cadreID = summary.pairedCadreID {
                counts[Count(tenant: tenant, dimension: "cadre", key: cadreID, day: date, metric: metric), default: 0] += 1
            }
        }
        switch transition.action {
        case .submit, .receiveEscalation:
            add("received", cadre: true)
            if let category = summary.category { add("received.category.\(category.rawValue)") }
            if let group = summary.industryGroup { add("received.industry.\(group.rawValue)") }
            if summary.isConsultation { add("received.consultation", cadre: true) }
            if case .receiveEscalation = transition.action { add("escalatedIn") }
        case .dispatch:
            // A unit's "received" is what it was made lead unit of.
            add("received", tier: false, unit: true)
        case .escalate:
            add("escalated", cadre: true)
        case .refuse:
            add("refused", cadre: true)
        case .merge:
            add("merged", cadre: true)
        case .submitResult(let result):
            add("result.\(result.resultClass.rawValue)", unit: true, cadre: true)
        case .returnNotOurRemit:
            add("returned", unit: true)
        case .decideExtension(let decision) where decision.granted:
            add("extended", unit: true)
        case .urge:
            add("urged", unit: true)
        case .flagSupervision:
            add("supervision.flagged", unit: true)
        case .superviseAnswer:
            add("supervision.answerSupervised", unit: true)
        case .recordFollowUp(let followUp):
            add("supervision.\(followUp.way.rawValue)", unit: true)
        case .recordMeeting(let meeting):
            add("supervision.\(meeting.kind.rawValue)", unit: true)
        case .reportCompletion:
            add("supervision.completionReported", unit: true)
        case .decideClosure(let decision) where !decision.agreed:
            add("supervision.closureWithheld", unit: true)
        case .rate(let rating):
            add(rating.satisfied ? "rating.satisfied" : "rating.unsatisfied", unit: true, cadre: true)
        case .closeUnrated(let timeout):
            add("rating.unrated", unit: true, cadre: true)
            if timeout.countsAsSatisfied { add("rating.deemedSatisfied", unit: true, cadre: true) }
        default:
            break
        }
        if transition.to == .closed, transition.from != .closed { add("closed", unit: true, cadre: true) }
        for completion in event.completedSteps {
            let step = completion.step.rawValue
            let completedDay = CivilDate(completion.completedAt).description
            let byUnit = completion.step == .sign || completion.step == .result
            let byCadre = completion.step == .review
            add("step.\(step).done", unit: byUnit, cadre: byCadre, on: completedDay)
            if completion.onTime { add("step.\(step).onTime", unit: byUnit, cadre: byCadre, on: completedDay) }
            let bucket = min(Int((completion.workingDaysTaken * Double(bucketsPerDay)).rounded(.down)), lastBucket)
            add("step.\(step).days.\(max(0, bucket))", unit: byUnit, cadre: byCadre, on: completedDay)
        }
        return counts
    }

    /// Adds to the daily counters and, folded by month, to the monthly ones, in one statement.
    func add(_ counts: [Count: Int], on connection: PostgresConnection) async throws {
        guard !counts.isEmpty else { return }
        let entries = Array(counts)
        let tenants = entries.map(\.key.tenant)
        let dimensions = entries.map(\.key.dimension)
        let days = entries.map(\.key.day)
        let keys = entries.map(\.key.key)
        let metrics = entries.map(\.key.metric)
        let values = entries.map { Int64($0.value) }
        try await connection.execute(
            """
            WITH added AS (
                SELECT tenant, dimension, day::date AS day, dimension_key, metric, value
                FROM unnest(\(tenants)::text[], \(dimensions)::text[], \(days)::text[], \(keys)::text[], \(metrics)::text[],
                    \(values)::bigint[]) AS added(tenant, dimension, day, dimension_key, metric, value)
            ), daily AS (
                INSERT INTO daily_counts (tenant, dimension, day, dimension_key, metric, value)
                SELECT tenant, dimension, day, dimension_key, metric, value FROM added
                ON CONFLICT (tenant, dimension, day, dimension_key, metric) DO UPDATE SET value = daily_counts.value + EXCLUDED.value
            )
            INSERT INTO monthly_counts (tenant, dimension, month, dimension_key, metric, value)
            SELECT tenant, dimension, date_trunc('month', day)::date, dimension_key, metric, sum(value) FROM added
            GROUP BY 1, 2, 3, 4, 5
            ON CONFLICT (tenant, dimension, month, dimension_key, metric) DO UPDATE SET value = monthly_counts.value + EXCLUDED.value
            """, logger: logger)
    }

    private func upsertFacts(_ event: DemandStatusEvent, on connection: PostgresConnection) async throws {
        let summary = event.demand
        let transition = event.transition
        let open = event.openDeadlines.filter { $0.dueAt != nil }.min { $0.dueAt! < $1.dueAt! }
        let assigned: Date? = if case .dispatch = transition.action { transition.at } else { nil }
        _ = try await connection.execute(UpsertFactsStatement(
            id: summary.id, tenant: summary.tenant.rawValue, registrationNumber: summary.registrationNumber?.description,
            enterpriseID: summary.enterpriseID, enterpriseName: summary.enterpriseName, pairedCadreID: summary.pairedCadreID,
            category: summary.category?.rawValue, industryGroup: summary.industryGroup?.rawValue, leadUnitID: summary.leadUnit?.id,
            leadUnitName: summary.leadUnit?.name, originTenant: summary.origin?.tenant.rawValue, state: event.state.rawValue,
            sequence: transition.sequence, receivedAt: transition.sequence == 1 ? transition.at : nil,
            closedAt: transition.to == .closed ? transition.at : nil, openStep: open?.step.rawValue, openDueAt: open?.dueAt,
            assignedAt: assigned, assignedSequence: assigned == nil ? nil : transition.sequence), logger: logger)
    }
}

/// A status event's fact row as it was and as it is now, and the difference they make to
/// `entry_counts`, in one statement (prepared: planned once, not at every event).
private struct UpsertFactsStatement: PostgresPreparedStatement {
    static let sql = """
        WITH old AS (SELECT -1 AS sign, \(EntryCounts.factColumns) FROM demand_facts WHERE demand_id = $1),
        new AS (
        INSERT INTO demand_facts AS f (demand_id, tenant, registration_number, enterprise_id, enterprise_name, paired_cadre_id,
            category, industry_group, lead_unit_id, lead_unit_name, origin_tenant, state, state_sequence, received_at, closed_at,
            open_step, open_due_at, assigned_at, assigned_sequence)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
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
    static let bindingDataTypes: [PostgresDataType] = [
        .uuid, .text, .text, .text, .text, .text, .text, .text, .text, .text, .text, .text, .int8, .timestamptz, .timestamptz, .text,
        .timestamptz, .timestamptz, .int8,
    ]
    typealias Row = ()

    var id: UUID
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
    var sequence: Int
    var receivedAt: Date?
    var closedAt: Date?
    var openStep: String?
    var openDueAt: Date?
    var assignedAt: Date?
    var assignedSequence: Int?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(id)
        bindings.append(tenant)
        bindings.append(registrationNumber)
        bindings.append(enterpriseID)
        bindings.append(enterpriseName)
        bindings.append(pairedCadreID)
        bindings.append(category)
        bindings.append(industryGroup)
        bindings.append(leadUnitID)
        bindings.append(leadUnitName)
        bindings.append(originTenant)
        bindings.append(state)
        bindings.append(sequence)
        bindings.append(receivedAt)
        bindings.append(closedAt)
        bindings.append(openStep)
        bindings.append(openDueAt)
        bindings.append(assignedAt)
        bindings.append(assignedSequence)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
