import DemandDesk
import DemandDomain
import Foundation
import Hummingbird
import InputValidation
import Logging
import Metrics
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// The notifier's HTTP API: Kannel's delivery reports, and the office's view of a demand's SMS.
struct NotifierRoutes {
    let runtime: PlatformRuntime
    let deliveryReportKey: String
    /// Delivery reports are written in groups; Kannel gets its 200 once a report's group committed.
    let reports: GroupCommitter<SMSOutcome>
    let wakeSender: @Sendable () -> Void
    let delivered = Counter(label: "sms_delivered_total")
    let reportedFailed = Counter(label: "sms_delivery_failed_total")

    struct Message: ResponseEncodable {
        var id: UUID
        var rule: String
        var recipientName: String?
        /// Masked: `199****1001`.
        var phone: String?
        var text: String
        var state: String
        var attempts: Int
        var lastError: String?
        var createdAt: Date
        var acceptedAt: Date?
        var deliveredAt: Date?
    }

    func register(on router: Router<AppRequestContext>) {
        // Kannel calls this with %d (1 delivered, 2 failed, 4 buffered, 8 submitted, 16 rejected) and %A.
        router.get("sms/delivery-reports") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard query.get("key") == deliveryReportKey else { throw APIError(.forbidden, code: "BAD_REPORT_KEY", message: "无效的回执密钥") }
            guard let id = query.get("intent").flatMap(UUID.init(uuidString:)), let type = query.get("type").flatMap(Int.init) else {
                throw APIError.badRequest(code: "INVALID_REPORT", message: "回执缺少短信编号或类型")
            }
            try await recordReport(intent: id, type: type, answer: query.get("answer"))
            return Response(status: .ok)
        }
        router.get("demands/:id/messages") { _, context -> [Message] in
            let principal = try context.requireRole([.office, .inspector, .dispatcher, .countyAdmin])
            let tenants = AccessPolicy(tree: runtime.settings.tenants).readableTenants(for: principal).map(\.rawValue)
            let rows = try await runtime.database.query(
                """
                SELECT id, rule_id, recipient_name, phone, text, state, attempts, last_error, created_at, accepted_at, delivered_at
                FROM sms_intents WHERE demand_id = \(try context.demandID()) AND tenant = ANY(\(tenants)) ORDER BY created_at, id
                """)
            var messages: [Message] = []
            for row in try rows.decode((UUID, String, String?, String?, String, String, Int, String?, Date, Date?, Date?).self) {
                messages.append(Message(
                    id: row.0, rule: row.1, recipientName: row.2, phone: row.3.flatMap(MobileNumber.init)?.masked, text: row.4,
                    state: row.5, attempts: row.6, lastError: row.7, createdAt: row.8, acceptedAt: row.9, deliveredAt: row.10))
            }
            return messages
        }
        router.post("messages/:id/resend") { _, context -> Response in
            let principal = try context.requireRole([.office])
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.notFound("短信") }
            let rows = try await runtime.database.query(
                """
                UPDATE sms_intents SET state = 'pending', attempts = 0, next_attempt_at = clock_timestamp(), last_error = NULL
                WHERE id = \(id) AND tenant = \(principal.tenant.rawValue) AND state = 'failed' AND phone IS NOT NULL
                RETURNING id
                """)
            guard !rows.isEmpty else {
                throw APIError.conflict(code: "NOT_RESENDABLE", message: "只能重发本级发送失败的短信")
            }
            wakeSender()
            return Response(status: .accepted)
        }
    }

    /// Records a report together with the other outcomes of the moment (`SMSOutcome`); Kannel gets
    /// its answer once they committed.
    func recordReport(intent: UUID, type: Int, answer: String?) async throws {
        try await reports.run(.deliveryReport(intent: intent, type: type, answer: answer))
        switch type {
        case 1: delivered.increment()
        case 2, 16: reportedFailed.increment()
        default: break
        }
    }
}
