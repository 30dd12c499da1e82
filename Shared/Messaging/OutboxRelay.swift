import Foundation
import Kafka
import Logging
import Metrics
import PostgresNIO
import PostgresStorage
import ServiceLifecycle
import Synchronization

/// Publishes a service's outbox to Kafka, in order, marking a row sent only after its delivery
/// report arrived.
///
/// A crash between the delivery report and the mark publishes the row again after restart: consumers
/// are idempotent (inbox), so that duplicate is harmless. Replicas of a service share one outbox; a
/// transaction-level advisory lock lets one of them publish at a time, which keeps per-key order.
public final class OutboxRelay: Service, Sendable {
    private let database: Database
    private let producer: KafkaProducer
    private let logger: Logger
    private let batchSize: Int
    private let idleInterval: Duration
    private let wakeUps = WakeSignal()
    private let lockKey: String

    private let publishedCounter: Counter
    private let failedCounter: Counter
    private let lagTimer: Metrics.Timer

    public init(
        database: Database,
        producer: KafkaProducer,
        logger: Logger,
        batchSize: Int = 256,
        idleInterval: Duration = .milliseconds(250)
    ) {
        self.database = database
        self.producer = producer
        self.logger = logger
        self.batchSize = batchSize
        self.idleInterval = idleInterval
        lockKey = "outbox-relay:\(database.schema)"
        publishedCounter = Counter(label: "outbox_published_total", dimensions: [("schema", database.schema)])
        failedCounter = Counter(label: "outbox_publish_failures_total", dimensions: [("schema", database.schema)])
        lagTimer = Metrics.Timer(label: "outbox_publish_lag_seconds", dimensions: [("schema", database.schema)])
    }

    /// Tells the relay that a transaction just committed outbox rows, so it publishes them at once
    /// instead of at its next idle check.
    public func wake() {
        wakeUps.signal()
    }

    public func run() async throws {
        var backoff = Duration.milliseconds(100)
        var lastPurge = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let published = try await publishBatch()
                backoff = .milliseconds(100)
                if published == 0 {
                    await wakeUps.wait(timeout: idleInterval)
                }
                if ContinuousClock.now - lastPurge > .seconds(300) {
                    try await purge()
                    lastPurge = .now
                }
            } catch {
                logger.error("Outbox relay failed; retrying", metadata: ["error": "\(error)", "retry.in": "\(backoff)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(10))
            }
        }
        // Publish what is left before the producer shuts down.
        _ = try? await publishBatch()
    }

    /// Publishes one batch; returns how many rows it published.
    @discardableResult
    public func publishBatch() async throws -> Int {
        let logger = self.logger
        let batchSize = self.batchSize
        let producer = self.producer
        let lockKey = self.lockKey
        let (published, failed, oldest) = try await database.transaction { connection -> (Int, Int, Date?) in
            let lockRows = try await connection.query("SELECT pg_try_advisory_xact_lock(hashtext(\(lockKey)))", logger: logger)
            var isLeader = false
            for try await locked in lockRows.decode(Bool.self) { isLeader = locked }
            guard isLeader else { return (0, 0, nil) }
            let pending = try await Outbox.pending(limit: batchSize, on: connection, logger: logger)
            guard !pending.isEmpty else { return (0, 0, nil) }
            let results = await producer.send(pending.map { row in
                KafkaProducerMessage(
                    topic: row.message.topic,
                    key: row.message.key,
                    value: Array(row.message.payload),
                    headers: row.message.headers.sorted { $0.key < $1.key }.map { KafkaHeader(key: $0.key, string: $0.value) }
                        + [KafkaHeader(key: "outbox-created-at", string: String(Int64(row.createdAt.timeIntervalSince1970 * 1000)))]
                )
            })
            var sent: [Int64] = []
            var failures = 0
            for (row, result) in zip(pending, results) {
                switch result {
                case .success: sent.append(row.id)
                case .failure(let error):
                    failures += 1
                    try await Outbox.recordFailure(row.id, error: "\(error)", on: connection, logger: logger)
                    logger.warning("Outbox message not delivered; it will be retried",
                        metadata: ["topic": "\(row.message.topic)", "outbox.id": "\(row.id)", "error": "\(error)"])
                }
            }
            try await Outbox.markSent(sent, on: connection, logger: logger)
            return (sent.count, failures, pending.first?.createdAt)
        }
        if published > 0 { publishedCounter.increment(by: published) }
        if failed > 0 {
            failedCounter.increment(by: failed)
            throw OutboxRelayError.undelivered(count: failed)
        }
        if let oldest { lagTimer.recordInterval(since: oldest) }
        return published
    }

    private func purge() async throws {
        try await database.transaction { [logger] connection in
            try await Outbox.purgeSent(olderThan: .seconds(3600), on: connection, logger: logger)
        }
    }

    /// Unsent rows, for readiness and the fault harness.
    public func unsentCount() async throws -> Int {
        try await database.transaction { [logger] connection in
            try await Outbox.unsentCount(on: connection, logger: logger)
        }
    }
}

enum OutboxRelayError: Error, CustomStringConvertible {
    case undelivered(count: Int)

    var description: String {
        switch self {
        case .undelivered(let count): "\(count) outbox messages were not delivered"
        }
    }
}

extension Metrics.Timer {
    func recordInterval(since start: Date) {
        recordNanoseconds(Int64(max(0, Date().timeIntervalSince(start)) * 1_000_000_000))
    }
}
