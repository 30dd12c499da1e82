import Foundation
import Kafka
import Logging
import Metrics
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceLifecycle
import Synchronization
import Tenancy
import Tracing

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

/// Applies the events of one batch together inside the consumer's transaction (news kept in one
/// statement instead of one per event). An event it cannot apply it refuses with ``RefusedEvent``.
public typealias EventBatchHandler = @Sendable ([IncomingEvent], PostgresConnection) async throws -> Void

/// Work around the handlers of one batch, inside its transaction: a handler that holds back what it
/// writes (and what it read) during the batch records it together when the batch's events are done.
/// Nothing of a batch whose handlers throw may be kept: the transaction rolls back, and the batch is
/// tried again (or without a refused event).
public protocol EventBatchScope: Sendable {
    func run<Value>(on connection: PostgresConnection, _ handlers: () async throws -> Value) async throws -> Value
}

/// An event of a batch that was refused: its place in the batch (for an ``EventBatchHandler``, in
/// the events it was given; the consumer maps that to its own batch).
public struct RefusedEvent: Error, Sendable {
    public var index: Int
    public var rejection: EventRejection

    public init(index: Int, rejection: EventRejection) {
        self.index = index
        self.rejection = rejection
    }
}

/// Consumes topics into a service's database, exactly once in effect.
///
/// A consumer whose handler is idempotent by itself (it keeps only the newest news) may do without
/// the inbox (`deduplicates: false`), and one that needs only some messages of its topics passes
/// over the others by their Kafka headers (`accepts`), both to save work on busy topics.
///
/// Messages are applied as they arrive together (what one poll found ready, up to 64; a consumer
/// whose news may wait gathers them for a `linger` to make fewer transactions): in one
/// transaction, the events' ids are recorded in the inbox in one statement (a redelivered event, or
/// a second copy within the batch, stops there) and the events applied; only after the commit are
/// the Kafka offsets stored. A message that cannot be decoded or applied goes to its tier's
/// dead-letter topic (through the outbox, in the same transaction as the rest of its batch) with
/// the reason, and is counted. Database or broker trouble is retried with back-off and never skips
/// a message. `prepare` runs first in every
/// batch's transaction (a service of demands enters its own row-level security scope there), and a
/// `scope` around its handlers.
///
/// The consumers of a process share one member of its consumer group (``Source/member(_:)``), run by
/// a ``ConsumerGroupMember``: each librdkafka client costs its own threads and broker connections,
/// busy even when nothing comes.
public final class EventConsumer: Service, Sendable {
    /// Where the consumer's messages come from.
    public enum Source: Sendable {
        /// A member of this group of its own, subscribed to the consumer's topics alone (a replay
        /// from the beginning; tests).
        case ownGroup(KafkaConsumerConfiguration)
        /// Its topics' share of a member that other consumers of the process share too.
        case member(KafkaConsumer)
    }

    private let name: String
    private let topics: [String]
    private let reading: Reading
    private let database: Database
    private let handling: Handling
    private let prepare: @Sendable (PostgresConnection) async throws -> Void
    private let scope: (any EventBatchScope)?
    private let accepts: @Sendable (KafkaConsumerMessage) -> Bool
    private let deduplicates: Bool
    private let linger: Duration
    private let afterCommit: @Sendable (_ notes: Set<String>) -> Void
    private let logger: Logger

    /// Since when the batch in hand has been waiting to be applied (nil between batches).
    private let busySince = Mutex<ContinuousClock.Instant?>(nil)

    private let appliedCounter: Counter
    private let duplicateCounter: Counter
    private let deadLetterCounter: Counter
    private let hopTimer: Metrics.Timer

    /// Where the consumer reads: a shared member's reader, made at once so that it exists before the
    /// member subscribes, or a member of its own, made when the consumer runs.
    private enum Reading {
        case shared(KafkaConsumer.Reader)
        case ownGroup(KafkaConsumerConfiguration)
    }

    /// How a consumer applies its events: one by one, or each batch's together.
    public enum Handling: Sendable {
        case each(EventHandler)
        case batch(EventBatchHandler)
    }

    public init(
        name: String,
        topics: [String],
        source: Source,
        database: Database,
        logger: Logger,
        accepts: @escaping @Sendable (KafkaConsumerMessage) -> Bool = { _ in true },
        deduplicates: Bool = true,
        linger: Duration = .zero,
        afterCommit: @escaping @Sendable (_ notes: Set<String>) -> Void = { _ in },
        prepare: @escaping @Sendable (PostgresConnection) async throws -> Void = { _ in },
        scope: (any EventBatchScope)? = nil,
        handling: Handling
    ) {
        self.name = name
        self.topics = topics
        switch source {
        case .member(let member): reading = .shared(member.reader(topics: topics))
        case .ownGroup(let configuration): reading = .ownGroup(configuration)
        }
        self.database = database
        self.handling = handling
        self.prepare = prepare
        self.scope = scope
        self.accepts = accepts
        self.deduplicates = deduplicates
        self.linger = linger
        self.afterCommit = afterCommit
        var logger = logger
        logger[metadataKey: "consumer"] = "\(name)"
        self.logger = logger
        appliedCounter = Counter(label: "events_applied_total", dimensions: [("consumer", name)])
        duplicateCounter = Counter(label: "events_duplicate_total", dimensions: [("consumer", name)])
        deadLetterCounter = Counter(label: "events_dead_lettered_total", dimensions: [("consumer", name)])
        hopTimer = Metrics.Timer(label: "kafka_hop_seconds", dimensions: [("consumer", name)])
    }

    /// The consumer's name, as in its metrics and logs.
    public var consumerName: String { name }

    /// How long the consumer has held messages it could not apply yet: a batch retried while the
    /// database fails, or stuck in a call that does not return. Nil while it keeps up.
    public var stalledFor: Duration? {
        busySince.withLock { since in since.map { ContinuousClock.now - $0 } }
    }

    public func run() async throws {
        switch reading {
        case .shared(let reader):
            try await consume(from: reader)
        case .ownGroup(let configuration):
            let member = try KafkaConsumer(configuration: configuration, logger: logger)
            let reader = member.reader(topics: topics)
            try member.subscribe(topics: topics)
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await member.serveGroupEvents() }
                    try await consume(from: reader)
                    group.cancelAll()
                }
            } catch {
                try? await member.close()
                throw error
            }
            try await member.close()
        }
    }

    private func consume(from reader: KafkaConsumer.Reader) async throws {
        logger.info("Consuming", metadata: ["topics": "\(topics)"])
        do {
            for try await batch in reader.batches(linger: linger).cancelOnGracefulShutdown() {
                guard await process(batch) else { break }
                for message in batch {
                    do {
                        try reader.storeOffset(for: message)
                    } catch {
                        // The partition moved to another member; it will see the message again and
                        // the inbox will make it a no-op.
                        logger.info("Offset not stored", metadata: ["error": "\(error)", "topic": "\(message.topic)"])
                    }
                }
            }
        } catch {
            logger.error("Consumer stopped", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// What a committed batch did.
    private struct BatchResult {
        var applied: [IncomingEvent] = []
        var duplicates = 0
        var deadLettered: [(KafkaConsumerMessage, EventRejection)] = []
    }

    /// Applies a batch, retrying database failures until it succeeds; false when the service
    /// stopped first. A refused message rolls its batch back once, and goes to the dead letters
    /// when the batch is applied again. Messages the consumer does not accept are passed over
    /// without a transaction.
    private func process(_ all: [KafkaConsumerMessage]) async -> Bool {
        let batch = all.filter(accepts)
        guard !batch.isEmpty else { return true }
        busySince.withLock { $0 = .now }
        defer { busySince.withLock { $0 = nil } }
        var refused: [Int: EventRejection] = [:]
        var backoff = Duration.milliseconds(100)
        while true {
            do {
                let (result, notes) = try await CommitNotes.watching { try await apply(batch, refused: refused) }
                afterCommit(notes)
                record(result)
                return true
            } catch let refusal as RefusedEvent {
                refused[refusal.index] = refusal.rejection
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return false }
                logger.warning("Applying events failed; retrying",
                    metadata: ["error": "\(error)", "topic": "\(batch[0].topic)", "offset": "\(batch[0].offset)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// Applies a batch in one transaction; the outbox messages its handlers record are written
    /// together at its end.
    private func apply(_ batch: [KafkaConsumerMessage], refused: [Int: EventRejection]) async throws -> BatchResult {
        try await database.transaction { [self] connection -> BatchResult in
            try await Outbox.batching(on: connection, logger: logger) {
                guard let scope else { return try await applyInTransaction(batch, refused: refused, on: connection) }
                return try await scope.run(on: connection) { try await applyInTransaction(batch, refused: refused, on: connection) }
            }
        }
    }

    /// A batch's work inside its transaction: dead letters, the inbox, the handlers.
    private func applyInTransaction(
        _ batch: [KafkaConsumerMessage], refused: [Int: EventRejection], on connection: PostgresConnection
    ) async throws -> BatchResult {
        try await prepare(connection)
        var result = BatchResult()
        // Each event with its place in `batch`, where a refusal names it.
        var events: [(index: Int, message: KafkaConsumerMessage, event: IncomingEvent)] = []
        for (index, message) in batch.enumerated() {
            if let rejection = refused[index] {
                try await enqueueDeadLetter(message, rejection: rejection, on: connection)
                result.deadLettered.append((message, rejection))
                continue
            }
            do {
                events.append((index, message, try Self.incomingEvent(message)))
            } catch let rejection as EventRejection {
                throw RefusedEvent(index: index, rejection: rejection)
            }
        }
        if deduplicates {
            var firstTime = try await Inbox.recordFirstApplications(
                of: events.map { ($0.event.header.id, $0.message.topic) }, consumer: name, on: connection, logger: logger)
            let received = events.count
            // `remove` also passes over a second copy of an event within the batch.
            events = events.filter { firstTime.remove($0.event.header.id) != nil }
            result.duplicates = received - events.count
        }
        switch handling {
        case .each(let handler):
            for (index, message, event) in events {
                do {
                    try await Self.traced(event, message) { try await handler(event, connection) }
                } catch let rejection as EventRejection {
                    throw RefusedEvent(index: index, rejection: rejection)
                }
            }
        case .batch(let handler) where !events.isEmpty:
            // The batch's span continues the trace of its first event's producer and links the others'.
            let producers = events.map { Self.producerContext($0.message) }
            do {
                try await withSpan("\(name) batch receive", context: producers[0], ofKind: .consumer) { span in
                    span.attributes["messaging.system"] = "kafka"
                    span.attributes["messaging.batch.message_count"] = events.count
                    for producer in producers.dropFirst() { span.addLink(SpanLink(context: producer, attributes: [:])) }
                    try await handler(events.map(\.event), connection)
                }
            } catch let refusal as RefusedEvent {
                throw RefusedEvent(index: events[refusal.index].index, rejection: refusal.rejection)
            }
        case .batch:
            break
        }
        result.applied = events.map(\.event)
        return result
    }

    /// Applies an event in a consumer span that continues the trace its producer recorded.
    private static func traced(_ event: IncomingEvent, _ message: KafkaConsumerMessage, _ apply: () async throws -> Void)
        async throws
    {
        try await withSpan("\(event.header.type) receive", context: producerContext(message), ofKind: .consumer) { span in
            span.attributes["messaging.system"] = "kafka"
            span.attributes["messaging.destination.name"] = message.topic
            span.attributes["messaging.message.id"] = event.header.id.uuidString
            try await apply()
        }
    }

    /// The trace context its producer recorded in a message's headers.
    private static func producerContext(_ message: KafkaConsumerMessage) -> ServiceContext {
        // The propagator picks the headers it knows (traceparent, tracestate).
        let headers = Dictionary(message.headers.compactMap { header in header.stringValue.map { (header.key, $0) } }) { first, _ in first }
        return TraceHeaders.context(from: headers)
    }

    /// The event with its attributes from the message's Kafka headers, which the platform's
    /// producers write (the body is then read once, by the handler), or else from its body.
    private static func incomingEvent(_ message: KafkaConsumerMessage) throws -> IncomingEvent {
        let body = Data(message.value)
        let header: CloudEventHeader
        if let attributes = CloudEventHeader(kafkaHeader: { message.header($0)?.stringValue }) {
            header = attributes
        } else {
            do {
                header = try EventCoding.header(of: body)
            } catch {
                throw EventRejection(code: "UNDECODABLE_ENVELOPE", reason: "not a CloudEvents JSON envelope: \(error)")
            }
        }
        return IncomingEvent(
            header: header, body: body, topic: message.topic, partition: message.partition, offset: message.offset,
            outboxCreatedAt: message.header("outbox-created-at")?.stringValue.flatMap(Double.init).map {
                Date(timeIntervalSince1970: $0 / 1000)
            })
    }

    private func record(_ result: BatchResult) {
        for event in result.applied {
            appliedCounter.increment()
            if let created = event.outboxCreatedAt { hopTimer.recordInterval(since: created) }
        }
        if result.duplicates > 0 {
            duplicateCounter.increment(by: result.duplicates)
            logger.debug("Duplicate events ignored", metadata: ["count": "\(result.duplicates)"])
        }
        for (message, rejection) in result.deadLettered {
            deadLetterCounter.increment()
            logger.error("Event dead-lettered", metadata: [
                "topic": "\(message.topic)", "partition": "\(message.partition)", "offset": "\(message.offset)",
                "reason.code": "\(rejection.code)", "reason": "\(rejection.reason)",
            ])
        }
    }

    /// Records a refused message for the dead-letter topic, once however often it is redelivered.
    private func enqueueDeadLetter(_ message: KafkaConsumerMessage, rejection: EventRejection, on connection: PostgresConnection)
        async throws
    {
        let tenant = Topics.tenant(ofTopic: message.topic) ?? TenantID(rawValue: "unknown")
        // Deterministic id, so that a redelivered bad message is dead-lettered once.
        let id = deadLetterID(message)
        guard try await !Inbox.recordFirstApplications(of: [(id, message.topic)], consumer: name, on: connection, logger: logger).isEmpty
        else { return }
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
        try await Outbox.enqueue([record], on: connection, logger: logger)
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

extension EventConsumer {
    /// A consumer's `accepts` that takes only events of these types (by their type header).
    public static func only(_ types: Set<String>) -> @Sendable (KafkaConsumerMessage) -> Bool {
        { message in message.header(EventHeader.type)?.stringValue.map(types.contains) ?? false }
    }

    /// A consumer's `accepts` that passes over events of these types (by their type header).
    public static func except(_ types: Set<String>) -> @Sendable (KafkaConsumerMessage) -> Bool {
        { message in !(message.header(EventHeader.type)?.stringValue.map(types.contains) ?? false) }
    }
}

/// Runs the member of the process's consumer group that its event consumers share: subscribes to
/// all their topics, serves the group's rebalances until shutdown, then commits and leaves the
/// group. List it before those consumers, so that they stop first (shutdown goes in reverse).
public struct ConsumerGroupMember: Service {
    let member: KafkaConsumer

    public init(_ member: KafkaConsumer) {
        self.member = member
    }

    public func run() async throws {
        try member.subscribe(topics: member.readerTopics)
        try await cancelWhenGracefulShutdown { try await member.serveGroupEvents() }
        try await member.close()
    }
}
