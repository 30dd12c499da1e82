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
///
/// Every look at the outbox is a transaction, so the relay looks when a transaction of its process
/// that wrote rows wakes it (those within `lookSpacing` of each other share a look), again soon
/// when another replica held the lock, and otherwise once per `idleInterval`, for rows a stopped
/// replica left behind.
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
        idleInterval: Duration = .seconds(5)
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
        var lastLook = ContinuousClock.now - Self.lookSpacing
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // Under load, commits that come within the spacing share one look.
                let sinceLastLook = ContinuousClock.now - lastLook
                if sinceLastLook < Self.lookSpacing { try? await Task.sleep(for: Self.lookSpacing - sinceLastLook) }
                lastLook = .now
                // A wake from now on is for rows this look may not see; one from before is served by it.
                wakeUps.clear()
                switch try await look() {
                case .published(let count) where count == batchSize:
                    break  // more may be waiting
                case .anotherReplicaPublishing:
                    break  // its look may have begun before this replica's rows committed: look again
                case .published, .nothingPending:
                    await withGracefulShutdownHandler {
                        await wakeUps.wait(timeout: idleInterval)
                    } onGracefulShutdown: { [wakeUps] in
                        wakeUps.signal()
                    }
                }
                backoff = .milliseconds(100)
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

    /// The least time between two looks: a look is a transaction, and a busy service commits
    /// more often than this.
    static let lookSpacing = Duration.milliseconds(100)

    /// What one look at the outbox found.
    enum Look {
        case published(Int)
        case nothingPending
        case anotherReplicaPublishing

        var publishedCount: Int { if case .published(let count) = self { count } else { 0 } }
    }

    /// Publishes one batch; returns how many rows it published.
    @discardableResult
    public func publishBatch() async throws -> Int {
        try await look().publishedCount
    }

    func look() async throws -> Look {
        let logger = self.logger
        let batchSize = self.batchSize
        let producer = self.producer
        let lockKey = self.lockKey
        let (look, failed, oldest) = try await database.transaction { connection -> (Look, Int, Date?) in
            guard let pending = try await Outbox.pendingIfLeading(lockKey: lockKey, limit: batchSize, on: connection, logger: logger)
            else { return (.anotherReplicaPublishing, 0, nil) }
            guard !pending.isEmpty else { return (.nothingPending, 0, nil) }
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
            return (.published(sent.count), failures, pending.first?.createdAt)
        }
        if look.publishedCount > 0 { publishedCounter.increment(by: look.publishedCount) }
        if failed > 0 {
            failedCounter.increment(by: failed)
            throw OutboxRelayError.undelivered(count: failed)
        }
        if let oldest { lagTimer.recordInterval(since: oldest) }
        return look
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
