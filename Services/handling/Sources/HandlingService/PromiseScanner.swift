import DemandDomain
import DemandStore
import Foundation
import InputValidation
import Logging
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy

/// Class-B answers stay on the office's ledger until the unit reports the plan carried out (002 §14,
/// 001 §4.2). When the promised day (计划完成时间) comes without that report, this records one
/// ``PromiseDueEvent`` for the notifier, which reminds the lead unit and tells the office.
///
/// Once per promise: the row remembers the promised day it reminded of, in the same transaction as
/// the event is recorded, so a restart repeats none, and a new promise (an answer given again after
/// supervision) is reminded of again. Replicas scan side by side (`FOR UPDATE SKIP LOCKED`), on the
/// service's own pool, in the service's scope.
struct PromiseScanner: Sendable {
    let database: Database
    let repository: DemandRepository
    let source: String
    let batchSize = 100

    var logger: Logger { repository.logger }

    /// Records the reminders of every promise due by today, a batch per transaction; returns how many.
    func scan() async throws -> Int {
        var total = 0
        while true {
            let reminded = try await scanOnce()
            total += reminded
            if reminded < batchSize { return total }
        }
    }

    /// Records the reminders of a batch of promises due by `today` (a Shanghai day); returns how many.
    @discardableResult
    func scanOnce(today: CivilDate = CivilDate(Date())) async throws -> Int {
        let (repository, logger, source, batchSize) = (repository, logger, source, batchSize)
        // A batch's reminders are recorded in one statement.
        return try await database.transaction { connection in
            try await Outbox.batching(on: connection, logger: logger) {
                let rows = try await connection.query(
                    """
                    SELECT id FROM demands
                    WHERE awaiting_completion AND planned_completion <= \(today.description)::date
                        AND (promise_reminded_on IS NULL OR promise_reminded_on < planned_completion)
                    ORDER BY planned_completion LIMIT \(batchSize) FOR UPDATE SKIP LOCKED
                    """, logger: logger)
                var due: [UUID] = []
                for try await id in rows.decode(UUID.self) { due.append(id) }
                for id in due {
                    guard let demand = try await repository.load(id, on: connection) else { continue }
                    let planned = demand.status.lastResult?.plannedCompletion
                    if demand.status.awaitsCompletion, let planned {
                        try await Outbox.enqueue([
                            try .event(EventType.promiseDue, topic: Topics.status(demand.tenant), source: source, tenant: demand.tenant,
                                subject: demand.id.uuidString, time: Date(), data: PromiseDueEvent(demand: demand, plannedCompletion: planned))
                        ], on: connection, logger: logger)
                    }
                    try await connection.execute(
                        "UPDATE demands SET promise_reminded_on = planned_completion WHERE id = \(id)", logger: logger)
                }
                return due.count
            }
        }
    }
}
