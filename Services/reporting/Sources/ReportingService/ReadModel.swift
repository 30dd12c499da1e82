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

    /// Applies a batch's events: their fact rows, their ratings and the counters of all of them,
    /// each in one statement.
    func apply(_ events: [IncomingEvent], on connection: PostgresConnection) async throws {
        var counts: [Count: Int] = [:]
        var facts = FactRows()
        var ratings: [RatingRow] = []
        for (index, event) in events.enumerated() {
            do {
                guard let status = try Self.status(of: event) else { continue }
                counts.merge(Self.counts(for: status), uniquingKeysWith: +)
                facts.fold(status)
                if let rating = RatingRow(status) { ratings.append(rating) }
            } catch let rejection as EventRejection {
                throw RefusedEvent(index: index, rejection: rejection)
            }
        }
        try await upsert(facts, on: connection)
        try await record(ratings, on: connection)
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

    /// A batch's ratings; a rating recorded before (a redelivered event) stays as it is.
    private func record(_ ratings: [RatingRow], on connection: PostgresConnection) async throws {
        guard !ratings.isEmpty else { return }
        let rows = try EventCoding.text(ratings)
        try await connection.execute(
            """
            INSERT INTO ratings (transition_id, demand_id, tenant, lead_unit_id, satisfied, comment, rated_at)
            SELECT transition_id, demand_id, tenant, lead_unit_id, satisfied, comment, rated_at
            FROM jsonb_to_recordset(\(rows)::jsonb) AS r(transition_id uuid, demand_id uuid, tenant text, lead_unit_id text,
                satisfied boolean, comment text, rated_at timestamptz)
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

    private func upsert(_ facts: FactRows, on connection: PostgresConnection) async throws {
        guard !facts.isEmpty else { return }
        let rows = try EventCoding.text(facts.all)
        _ = try await connection.execute(UpsertFactsStatement(rowsJSON: rows), logger: logger)
    }
}

/// A rating as `ratings` keeps it, from the status event of the transition that made it.
struct RatingRow: Encodable {
    var transitionID: UUID
    var demandID: UUID
    var tenant: String
    var leadUnitID: String?
    var satisfied: Bool
    var comment: String?
    var ratedAt: Date

    enum CodingKeys: String, CodingKey {
        case tenant, satisfied, comment
        case transitionID = "transition_id", demandID = "demand_id", leadUnitID = "lead_unit_id", ratedAt = "rated_at"
    }

    /// Nil unless the event's transition is a rating.
    init?(_ event: DemandStatusEvent) {
        guard case .rate(let rating) = event.transition.action else { return nil }
        transitionID = event.transition.id
        demandID = event.demand.id
        tenant = event.demand.tenant.rawValue
        leadUnitID = event.demand.leadUnit?.id
        satisfied = rating.satisfied
        comment = rating.comment
        ratedAt = event.transition.at
    }
}
