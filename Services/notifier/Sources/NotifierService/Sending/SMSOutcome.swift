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
    /// answers say of each message, strongest last (accepted, delivered, failed), which gives what
    /// recording them one by one in any order gives.
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
        if !group.accepted.isEmpty {
            // The sender's answer clears the last error and counts only for a message in flight; a
            // report that the network has it counts for one waiting for a retry too.
            try await connection.execute(
                """
                UPDATE sms_intents i SET state = 'accepted', accepted_at = coalesce(i.accepted_at, clock_timestamp()),
                    last_error = CASE WHEN a.by_sender THEN NULL ELSE i.last_error END
                FROM unnest(\(group.accepted.map(\.intent))::uuid[], \(group.accepted.map(\.bySender))::bool[],
                    \(group.accepted.map(\.byReport))::bool[]) AS a(id, by_sender, by_report)
                WHERE i.id = a.id AND (i.state = 'inFlight' OR (a.by_report AND i.state = 'pending'))
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
            try await connection.execute(
                """
                UPDATE sms_intents i SET state = 'failed', last_error = f.error
                FROM unnest(\(group.failed.map(\.intent))::uuid[], \(group.failed.map(\.error))::text[]) AS f(id, error)
                WHERE i.id = f.id
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
