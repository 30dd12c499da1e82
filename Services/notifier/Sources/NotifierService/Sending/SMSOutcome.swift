import Foundation
import Logging
import PostgresNIO
import PostgresStorage

/// What the notifier learns about a message after handing it over: the gateway took it, or the
/// gateway's delivery report came. Recorded in groups (`GroupCommitter`), two or three per message.
enum SMSOutcome: Sendable {
    /// The gateway answered the sender's call with success.
    case accepted(intent: UUID)
    /// A Kannel delivery report (%d: 1 delivered, 2 failed, 4 buffered, 8 submitted, 16 rejected; %A).
    case deliveryReport(intent: UUID, type: Int, answer: String?)

    /// Records a group in at most four statements: the reports, then what they and the sender's
    /// answers say of each message, strongest last (accepted, delivered, failed), so that a message
    /// ends in the state that recording its outcomes one by one, as they came, leaves it in.
    static func record(_ outcomes: [SMSOutcome], on connection: PostgresConnection, logger: Logger) async throws {
        let group = Group(outcomes)
        if !group.reports.isEmpty {
            try await connection.execute(
                """
                INSERT INTO sms_delivery_reports (intent_id, report_type, answer)
                SELECT r.intent, r.type, CASE WHEN r.has_answer THEN r.answer END
                FROM unnest(\(group.reports.map(\.intent))::uuid[], \(group.reports.map(\.type))::int[],
                    \(group.reports.map { $0.answer ?? "" })::text[], \(group.reports.map { $0.answer != nil })::bool[])
                    WITH ORDINALITY AS r(intent, type, answer, has_answer, position)
                ORDER BY r.position
                """, logger: logger)
        }
        // Each update finds its rows by `id = ANY(…)`, which the primary key serves however many
        // intents are stored (a join with `unnest(…)` may be planned as a scan of the whole table).
        if !group.accepted.isEmpty {
            // The sender's answer clears the last error and counts only for a message in flight; a
            // report that the network has it counts for one waiting for a retry too.
            let bySender = group.accepted.filter(\.bySender).map(\.intent)
            let byReport = group.accepted.filter(\.byReport).map(\.intent)
            try await connection.execute(
                """
                UPDATE sms_intents SET state = 'accepted', accepted_at = coalesce(accepted_at, clock_timestamp()),
                    last_error = CASE WHEN id = ANY(\(bySender)) THEN NULL ELSE last_error END
                WHERE id = ANY(\(group.accepted.map(\.intent))) AND (state = 'inFlight' OR (state = 'pending' AND id = ANY(\(byReport))))
                """, logger: logger)
        }
        if !group.delivered.isEmpty {
            try await connection.execute(
                """
                UPDATE sms_intents SET state = 'delivered', delivered_at = clock_timestamp(),
                    accepted_at = coalesce(accepted_at, clock_timestamp())
                WHERE id = ANY(\(group.delivered)) AND state <> 'failed'
                """, logger: logger)
        }
        if !group.failed.isEmpty {
            let ids = group.failed.map(\.intent)
            try await connection.execute(
                """
                UPDATE sms_intents SET state = 'failed', last_error = (\(group.failed.map(\.error))::text[])[array_position(\(ids), id)]
                WHERE id = ANY(\(ids))
                """, logger: logger)
        }
    }

    /// A group's outcomes sorted by what they do to their message, one row per message and effect.
    struct Group {
        var reports: [(intent: UUID, type: Int, answer: String?)] = []
        var accepted: [(intent: UUID, bySender: Bool, byReport: Bool)] = []
        var delivered: [UUID] = []
        var failed: [(intent: UUID, error: String)] = []

        init(_ outcomes: [SMSOutcome]) {
            var acceptedBy: [UUID: (bySender: Bool, byReport: Bool)] = [:]
            var deliveredSet = Set<UUID>()
            var failedError: [UUID: String] = [:]
            for outcome in outcomes {
                switch outcome {
                case .accepted(let intent):
                    acceptedBy[intent, default: (false, false)].bySender = true
                case .deliveryReport(let intent, let type, let answer):
                    reports.append((intent, type, answer))
                    switch type {
                    case 1: deliveredSet.insert(intent)
                    // Submitted to (or buffered by) the network: the gateway surely has it.
                    case 8, 4: acceptedBy[intent, default: (false, false)].byReport = true
                    case 2, 16: failedError[intent] = "delivery report \(type): \(answer ?? "")"
                    default: break
                    }
                }
            }
            accepted = acceptedBy.map { ($0.key, $0.value.bySender, $0.value.byReport) }
            delivered = Array(deliveredSet)
            failed = failedError.map { ($0.key, $0.value) }
        }
    }
}
