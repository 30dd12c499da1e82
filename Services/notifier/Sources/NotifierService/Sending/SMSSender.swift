import DemandDomain
import Foundation
import InputValidation
import Logging
import Messaging
import Metrics
import PostgresNIO
import PostgresStorage
import ServiceLifecycle
import Tenancy
import Tracing

/// Works through pending intents: marks a batch in flight (committed before any gateway call),
/// hands each message to the gateway under the rate limit, and records what the gateway said.
///
/// Exactly once per intent, with one window no HTTP gateway can close: the gateway took a message
/// but its answer never came back (the connection broke, the notifier crashed before recording it;
/// a database outage there is waited out). Such an intent stays in flight; the delivery report,
/// which carries the intent's id, marks it accepted on its own, and one still in flight after
/// `reconcileWait` without any report is sent again, and counted (`sms_uncertain_resends_total`).
final class SMSSender: Service, Sendable {
    struct Settings: Sendable {
        var messagesPerSecond: Double
        var maxAttempts: Int
        var reconcileWait: Duration
        var batchSize = 50

        /// Gateway calls under way at once. A call holds its slot for the gateway's answer and the
        /// group commit that records it (50 ms gathering), about a tenth of a second in all, so a
        /// rate of `messagesPerSecond` needs a tenth as many slots; eight at least (the default
        /// rate of 50 needs five), 64 at most.
        var concurrentSends: Int {
            min(64, max(8, Int((messagesPerSecond / 10).rounded(.up))))
        }
        /// How often the sender looks for intents whose retry came due when nothing woke it.
        var idleInterval: Duration = .seconds(1)
    }

    private let database: Database
    /// Where successful sends are recorded, together with the delivery reports of the moment.
    private let outcomes: GroupCommitter<SMSOutcome>
    private let gateway: any SMSGateway
    private let settings: Settings
    private let logger: Logger
    private let limiter: RateLimiter
    let wakeUps = WakeSignal()

    private let sent = Counter(label: "sms_sent_total")
    private let failed = Counter(label: "sms_failed_total")
    private let retried = Counter(label: "sms_retries_total")
    private let uncertainResends = Counter(label: "sms_uncertain_resends_total")
    private let uncertainAnswers = Counter(label: "sms_uncertain_answers_total")
    private let queueAge = Gauge(label: "sms_queue_oldest_seconds")
    private let unsent = Gauge(label: "sms_unsent_intents")

    init(database: Database, gateway: any SMSGateway, settings: Settings, outcomes: GroupCommitter<SMSOutcome>, logger: Logger) {
        self.database = database
        self.outcomes = outcomes
        self.gateway = gateway
        self.settings = settings
        self.logger = logger
        self.limiter = RateLimiter(perSecond: settings.messagesPerSecond)
    }

    func run() async throws {
        var lastReconcile: ContinuousClock.Instant?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // Each look is a commit; an intent waits `reconcileWait` before it is reconciled
                // anyway, so a look every quarter of that (five seconds at most) is soon enough.
                if lastReconcile.map({ ContinuousClock.now - $0 >= reconcileEvery }) ?? true {
                    try await reconcile()
                    lastReconcile = .now
                }
                let batch = try await claim()
                await sendAll(batch)
                if batch.count < settings.batchSize { await wakeUps.wait(timeout: settings.idleInterval) }
            } catch {
                logger.error("SMS sender failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Sends a claimed batch, `concurrentSends` at a time, each start under the rate limit.
    private func sendAll(_ batch: [ClaimedIntent]) async {
        await withTaskGroup(of: Void.self) { group in
            var underWay = 0
            for intent in batch {
                if underWay == settings.concurrentSends {
                    await group.next()
                    underWay -= 1
                }
                await limiter.acquire()
                group.addTask { await self.send(intent) }
                underWay += 1
            }
        }
    }

    struct ClaimedIntent: Sendable {
        var id: UUID
        var phone: MobileNumber
        var text: String
        var attempts: Int
        /// The trace of the event that asked for it.
        var trace: [String: String]
    }

    /// Marks due intents in flight and returns them; committed before the gateway is called.
    func claim() async throws -> [ClaimedIntent] {
        let logger = self.logger
        let limit = settings.batchSize
        let (queueAge, unsent) = (self.queueAge, self.unsent)
        return try await database.transaction { connection in
            let queue = try await connection.query(
                """
                SELECT coalesce(extract(epoch FROM now() - (SELECT min(next_attempt_at) FROM sms_intents
                        WHERE state = 'pending' AND next_attempt_at <= now())), 0)::float8,
                    ((SELECT count(*) FROM sms_intents WHERE state = 'pending')
                        + (SELECT count(*) FROM sms_intents WHERE state = 'inFlight'))::int
                """, logger: logger)
            for try await (age, count) in queue.decode((Double, Int).self) {
                queueAge.record(age)
                unsent.record(count)
            }
            let rows = try await connection.query(
                """
                UPDATE sms_intents SET state = 'inFlight', in_flight_since = clock_timestamp(), attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM sms_intents WHERE state = 'pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING id, phone, text, attempts, trace_headers::text
                """, logger: logger)
            var claimed: [ClaimedIntent] = []
            for try await (id, phone, text, attempts, trace) in rows.decode((UUID, String, String, Int, String?).self) {
                guard let number = MobileNumber(phone) else { continue }
                let headers = trace.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
                claimed.append(ClaimedIntent(id: id, phone: number, text: text, attempts: attempts, trace: headers))
            }
            return claimed
        }
    }

    private func send(_ intent: ClaimedIntent) async {
        let outcome: Result<Void, SMSGatewayError> = await withSpan(
            "sms send", context: TraceHeaders.context(from: intent.trace), ofKind: .client
        ) { span in
            span.attributes["sms.intent"] = intent.id.uuidString
            span.attributes["sms.attempt"] = intent.attempts
            do throws(SMSGatewayError) {
                try await gateway.send(OutgoingSMS(id: intent.id, to: intent.phone, text: intent.text))
                return .success(())
            } catch {
                span.setStatus(SpanStatus(code: .error, message: "\(error)"))
                return .failure(error)
            }
        }
        await recordPersistently(outcome, for: intent)
    }

    /// Records what the gateway said, retrying while the database is away (a restart takes a few
    /// seconds): an outcome left unrecorded would be sent again by reconciliation, a second SMS.
    /// Reconciliation does not run meanwhile (the loop waits for the batch). Only a stop gives up,
    /// leaving the intent in flight for reconciliation after the restart.
    private func recordPersistently(_ outcome: Result<Void, SMSGatewayError>, for intent: ClaimedIntent) async {
        var pause = Duration.milliseconds(100)
        while true {
            do {
                try await record(outcome, for: intent)
                return
            } catch {
                logger.error("Recording an SMS outcome failed; retrying", metadata: ["intent": "\(intent.id)", "error": "\(error)"])
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }

    private func record(_ outcome: Result<Void, SMSGatewayError>, for intent: ClaimedIntent) async throws {
        switch outcome {
        case .success:
            try await outcomes.run(.accepted(intent: intent.id))
            sent.increment()
        case .failure(.temporary(let reason)) where intent.attempts < settings.maxAttempts:
            let delay = min(pow(2, Double(intent.attempts - 1)), 300)
            try await database.query(
                """
                UPDATE sms_intents SET state = 'pending', in_flight_since = NULL, last_error = \(reason),
                    next_attempt_at = clock_timestamp() + make_interval(secs => \(delay))
                WHERE id = \(intent.id) AND state = 'inFlight'
                """)
            retried.increment()
            logger.warning("SMS gateway unavailable; will retry", metadata: [
                "intent": "\(intent.id)", "to": "\(intent.phone.masked)", "retry.in.seconds": "\(delay)", "reason": "\(reason)",
            ])
        case .failure(.uncertain(let reason)) where intent.attempts < settings.maxAttempts:
            // Left in flight: a delivery report settles it, or the reconciliation sends it again.
            try await database.query("UPDATE sms_intents SET last_error = \(reason) WHERE id = \(intent.id) AND state = 'inFlight'")
            uncertainAnswers.increment()
            logger.warning("SMS gateway gave no answer; waiting for a delivery report", metadata: [
                "intent": "\(intent.id)", "to": "\(intent.phone.masked)", "reason": "\(reason)",
            ])
        case .failure(let error):
            try await database.query(
                "UPDATE sms_intents SET state = 'failed', last_error = \(error.description) WHERE id = \(intent.id) AND state = 'inFlight'")
            failed.increment()
            logger.error("SMS not sent", metadata: ["intent": "\(intent.id)", "to": "\(intent.phone.masked)", "reason": "\(error)"])
        }
    }

    private var reconcileEvery: Duration { min(settings.reconcileWait / 4, .seconds(5)) }

    /// Intents in flight for longer than `reconcileWait` with no delivery report: the process that
    /// sent them stopped before it recorded the gateway's answer. Send them again.
    func reconcile() async throws {
        let seconds = Double(settings.reconcileWait.components.seconds)
        let rows = try await database.query(
            """
            UPDATE sms_intents SET state = 'pending', in_flight_since = NULL, uncertain_resends = uncertain_resends + 1,
                next_attempt_at = clock_timestamp()
            WHERE state = 'inFlight' AND in_flight_since < clock_timestamp() - make_interval(secs => \(seconds))
            RETURNING id
            """)
        let count = rows.count
        if count > 0 {
            uncertainResends.increment(by: count)
            logger.warning("Re-sending SMS whose outcome was never recorded", metadata: ["count": "\(count)"])
        }
    }
}

/// At most `perSecond` acquisitions per second, spaced evenly.
actor RateLimiter {
    private let interval: Duration
    private var next = ContinuousClock.now

    init(perSecond: Double) {
        interval = .nanoseconds(Int64(1_000_000_000 / max(perSecond, 0.001)))
    }

    func acquire() async {
        let now = ContinuousClock.now
        let slot = max(next, now)
        next = slot + interval
        if slot > now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}
