import DemandDomain
import Foundation
import InputValidation
import Logging
import Messaging
import Metrics
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceLifecycle
import Tenancy

/// Finds deadlines that became due soon or overdue and records one alert event for each, once.
///
/// Timers are rows, not sleeps: a restart loses none and fires none twice (the row's flags change in
/// the same transaction as the alert is recorded). Each scan reads only rows whose next alert time
/// has come, through a partial index, so its cost follows what is due, not how many demands exist.
/// Replicas scan side by side (`FOR UPDATE SKIP LOCKED`). It scans on the service's own pool, whose
/// connections work in the service's scope (``DemandScope/serviceSession``).
public struct DeadlineScanner: Service {
    let database: Database
    let recorder: DemandRecorder
    let interval: Duration
    let afterCommit: @Sendable (_ notes: Set<String>) -> Void
    let afterExpiry: @Sendable (RecordedTransition, PostgresConnection) async throws -> Void
    let batchSize = 100
    private let alertCounter: Counter

    /// - Parameters:
    ///   - afterExpiry: A step that runs out and whose procedure says what then happens
    ///     (``ProcedureProfile/expiry(of:)``: a rating not given closes the demand as 未评价) is
    ///     acted on by the platform instead of alerted; this runs after the action, in the same
    ///     transaction, for what it owes other services.
    public init(
        database: Database,
        recorder: DemandRecorder,
        interval: Duration,
        afterExpiry: @escaping @Sendable (RecordedTransition, PostgresConnection) async throws -> Void = { _, _ in },
        afterCommit: @escaping @Sendable (_ notes: Set<String>) -> Void
    ) {
        self.afterExpiry = afterExpiry
        self.database = database
        self.recorder = recorder
        self.interval = interval
        self.afterCommit = afterCommit
        alertCounter = Counter(label: "deadline_alerts_total", dimensions: [("schema", database.schema)])
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let (fired, notes) = try await CommitNotes.watching { try await scanOnce() }
                if !notes.isEmpty { afterCommit(notes) }
                if fired < batchSize { try await Task.sleep(for: interval) }
            } catch is CancellationError {
                return
            } catch {
                recorder.logger.error("Deadline scan failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Fires the alerts that are due now; returns how many it fired.
    @discardableResult
    public func scanOnce(now: Date = Date()) async throws -> Int {
        let recorder = self.recorder
        let logger = recorder.logger
        let batchSize = self.batchSize
        let afterExpiry = self.afterExpiry
        // A batch's alerts (and the events of the steps it takes) are recorded in one statement.
        let fired = try await database.transaction { connection -> Int in
            try await Outbox.batching(on: connection, logger: logger) {
                let rows = try await connection.query(
                    """
                    SELECT demand_id, step, warned FROM deadlines
                    WHERE next_alert_at <= \(now) ORDER BY next_alert_at LIMIT \(batchSize) FOR UPDATE SKIP LOCKED
                    """, logger: logger)
                var due: [(UUID, String, Bool)] = []
                for try await row in rows.decode((UUID, String, Bool).self) { due.append(row) }
                var count = 0
                for (id, stepName, warned) in due {
                    guard let step = DemandStep(rawValue: stepName),
                        let demand = try await recorder.repository.load(id, on: connection)
                    else { continue }
                    let planner = recorder.rules.planner(for: demand.tenant)
                    guard let deadline = try planner.openDeadlines(for: demand).first(where: { $0.step == step }),
                        let dueAt = deadline.dueAt
                    else {
                        // The row is out of date (the step ended); bring it in line instead of alerting.
                        try await recorder.deadlines.sync(demand, planner: planner, on: connection)
                        continue
                    }
                    let status = try planner.status(of: deadline, at: now)
                    let overdue: Int? = if case .overdue(let days) = status { days } else { nil }
                    let kind: DeadlineAlertEvent.Kind = overdue != nil ? .overdue : .dueSoon
                    if kind == .dueSoon, warned { continue }
                    if kind == .overdue, let action = planner.procedure.expiry(of: step) {
                        // A person acting on the demand right now holds its row and then wants this
                        // deadline row: waiting for it here would deadlock, so the next scan decides.
                        guard let locked = try await recorder.repository.load(id, forUpdate: true, skipLocked: true, on: connection)
                        else { continue }
                        let recorded = try await recorder.apply(action, to: locked, by: .system(demand.tenant, component: "deadlines"),
                            at: now, on: connection)
                        try await afterExpiry(recorded, connection)
                        count += 1
                        continue
                    }
                    let alert = DeadlineAlertEvent(demand: demand, step: step, kind: kind, dueAt: dueAt, overdueWorkingDays: overdue)
                    try await Outbox.enqueue([
                        try .event(EventType.deadlineAlert, topic: Topics.status(demand.tenant), source: recorder.source,
                            tenant: demand.tenant, subject: demand.id.uuidString, time: now, data: alert)
                    ], on: connection, logger: logger)
                    try await connection.execute(
                        kind == .overdue
                            ? "UPDATE deadlines SET warned = true, overdue_alerted = true, next_alert_at = NULL WHERE demand_id = \(id) AND step = \(stepName)"
                            : "UPDATE deadlines SET warned = true, next_alert_at = due_at WHERE demand_id = \(id) AND step = \(stepName)",
                        logger: logger)
                    count += 1
                }
                return count
            }
        }
        if fired > 0 { alertCounter.increment(by: fired) }
        return fired
    }
}
