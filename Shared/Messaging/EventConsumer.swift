import DemandDomain
import Foundation
import Kafka
import Logging
import Metrics
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceLifecycle

/// An event as a handler receives it: the envelope's attributes, its raw JSON, and where it came from.
public struct IncomingEvent: Sendable {
    public var header: CloudEventHeader
    public var body: Data
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// When the producing service wrote the event to its outbox (for hop latency).
    public var outboxCreatedAt: Date?

    /// Decodes the body as a CloudEvent with this payload type.
    public func decode<Payload>(_ type: Payload.Type) throws -> CloudEvent<Payload> {
        do {
            return try EventCoding.decode(type, from: body)
        } catch {
            throw EventRejection(code: "UNDECODABLE_PAYLOAD", reason: "\(header.type) body does not decode: \(error)")
        }
    }
}

/// An event that can never be applied (bad body, unknown type, a history that does not replay):
/// it goes to the dead-letter topic with this reason, and the consumer carries on.
public struct EventRejection: Error, CustomStringConvertible, Sendable {
    public var code: String
    public var reason: String

    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}

/// Applies one event inside the consumer's transaction; anything it changes, including outbox rows
/// it enqueues, commits together with the inbox row.
public typealias EventHandler = @Sendable (IncomingEvent, PostgresConnection) async throws -> Void

/// Consumes topics into a service's database, exactly once in effect.
///
/// For each message: decode the envelope, then in one transaction record the event id in the inbox
/// (a redelivered event stops there) and apply it; only after the commit is the Kafka offset
/// stored. A message that cannot be decoded or applied goes to its tier's dead-letter topic (through
/// the outbox, in the same kind of transaction) with the reason, and is counted. Database or broker
/// trouble is retried with back-off and never skips a message.
public final class EventConsumer: Service, Sendable {
    private let name: String
    private let topics: [String]
    private let consumerConfiguration: KafkaConsumerConfiguration
    private let database: Database
    private let handler: EventHandler
    private let afterCommit: @Sendable () -> Void
    private let logger: Logger

    private let appliedCounter: Counter
    private let duplicateCounter: Counter
    private let deadLetterCounter: Counter
    private let hopTimer: Metrics.Timer

    public init(
        name: String,
        topics: [String],
        kafka: KafkaConsumerConfiguration,
        database: Database,
        logger: Logger,
        afterCommit: @escaping @Sendable () -> Void = {},
        handler: @escaping EventHandler
    ) {
        self.name = name
        self.topics = topics
        self.consumerConfiguration = kafka
        self.database = database
        self.handler = handler
        self.afterCommit = afterCommit
        var logger = logger
        logger[metadataKey: "consumer"] = "\(name)"
        self.logger = logger
        appliedCounter = Counter(label: "events_applied_total", dimensions: [("consumer", name)])
        duplicateCounter = Counter(label: "events_duplicate_total", dimensions: [("consumer", name)])
        deadLetterCounter = Counter(label: "events_dead_lettered_total", dimensions: [("consumer", name)])
        hopTimer = Metrics.Timer(label: "kafka_hop_seconds", dimensions: [("consumer", name)])
    }

    public func run() async throws {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        try consumer.subscribe(topics: topics)
        logger.info("Consuming", metadata: ["topics": "\(topics)"])
        do {
            for try await message in consumer.messages.cancelOnGracefulShutdown() {
                await process(message)
                do {
                    try consumer.storeOffset(for: message)
                } catch {
                    // The partition moved to another member; it will see the message again and the
                    // inbox will make it a no-op.
                    logger.info("Offset not stored", metadata: ["error": "\(error)", "topic": "\(message.topic)"])
                }
            }
        } catch {
            logger.error("Consumer stopped", metadata: ["error": "\(error)"])
            try? await consumer.close()
            throw error
        }
        try await consumer.close()
    }

    /// Applies one message, retrying database failures until it succeeds or the service stops.
    private func process(_ message: KafkaConsumerMessage) async {
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                try await apply(message)
                afterCommit()
                return
            } catch let rejection as EventRejection {
                await deadLetter(message, rejection: rejection)
                afterCommit()
                return
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                logger.warning("Applying an event failed; retrying",
                    metadata: ["error": "\(error)", "topic": "\(message.topic)", "offset": "\(message.offset)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    private func apply(_ message: KafkaConsumerMessage) async throws {
        let body = Data(message.value)
        let header: CloudEventHeader
        do {
            header = try EventCoding.header(of: body)
        } catch {
            throw EventRejection(code: "UNDECODABLE_ENVELOPE", reason: "not a CloudEvents JSON envelope: \(error)")
        }
        let event = IncomingEvent(
            header: header, body: body, topic: message.topic, partition: message.partition, offset: message.offset,
            outboxCreatedAt: message.header("outbox-created-at")?.stringValue.flatMap(Double.init).map {
                Date(timeIntervalSince1970: $0 / 1000)
            })
        let name = self.name
        let logger = self.logger
        let handler = self.handler
        let applied = try await database.transaction { connection -> Bool in
            guard try await Inbox.markApplied(eventID: header.id, consumer: name, topic: message.topic, on: connection, logger: logger)
            else { return false }
            try await handler(event, connection)
            return true
        }
        if applied {
            appliedCounter.increment()
            if let created = event.outboxCreatedAt { hopTimer.recordInterval(since: created) }
        } else {
            duplicateCounter.increment()
            logger.debug("Duplicate event ignored", metadata: ["event.id": "\(header.id)"])
        }
    }

    private func deadLetter(_ message: KafkaConsumerMessage, rejection: EventRejection) async {
        deadLetterCounter.increment()
        logger.error("Event dead-lettered", metadata: [
            "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
            "reason.code": "\(rejection.code)", "reason": "\(rejection.reason)",
        ])
        let tenant = Topics.tenant(ofTopic: message.topic) ?? TenantID(rawValue: "unknown")
        // Deterministic id, so that a redelivered bad message is dead-lettered once.
        let id = deadLetterID(message)
        let record = OutboxMessage(
            eventID: id,
            topic: Topics.deadLetter(tenant),
            key: message.keyString,
            payload: Data(message.value),
            headers: [
                "dlq-reason-code": rejection.code, "dlq-reason": String(rejection.reason.prefix(2000)),
                "dlq-consumer": name, "dlq-topic": message.topic, "dlq-partition": String(message.partition),
                "dlq-offset": String(message.offset),
            ])
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await database.transaction { [name, logger] connection in
                    guard try await Inbox.markApplied(eventID: id, consumer: name, topic: message.topic, on: connection, logger: logger)
                    else { return }
                    try await Outbox.enqueue([record], on: connection, logger: logger)
                }
                return
            } catch {
                logger.warning("Recording a dead letter failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    private func deadLetterID(_ message: KafkaConsumerMessage) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("\(name)|\(message.topic)|\(message.partition)|\(message.offset)".utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        withUnsafeBytes(of: hash.bigEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        withUnsafeBytes(of: (hash &* 31 &+ UInt64(message.offset)).bigEndian) { bytes.replaceSubrange(8..<16, with: $0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
