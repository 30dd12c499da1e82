import CRDKafka
import Foundation
import Logging
import Synchronization

/// A Kafka consumer in a consumer group, over librdkafka.
///
/// - Messages come as an `AsyncSequence` that polls only when asked for the next message, so a slow
///   consumer holds at most one small batch in memory (back-pressure, not an unbounded buffer).
/// - At-least-once: call ``storeOffset(for:)`` after a message's work is durable; stored offsets are
///   committed every second, on rebalance and on ``close()``. A redelivered message must be a no-op
///   for the application (an inbox).
/// - Subscribe by names, or by regular expression with a name that starts with `^`.
/// - Several readers can share one member of a group (one client, one set of connections and
///   threads): each ``Reader`` takes its own topics' partitions from a queue of its own, with its
///   own batch size and linger, while ``serveGroupEvents()`` serves the group's rebalances.
/// - Every blocking call runs on a serial queue of its own, never on the cooperative pool.
public final class KafkaConsumer: Sendable {
    private let client: RDKafkaClient
    fileprivate let queue: DispatchQueue
    /// Where ``serveGroupEvents()`` waits, apart from commits and closing.
    private let groupEventsQueue: DispatchQueue
    private let isOpen = Flag(true)
    private let logger: Logger
    /// How long one blocking poll waits for a message before its loop looks again at whether it
    /// should go on. Closing and cancellation do not wait for it (they wake the poll), so it only
    /// bounds how late a reader notices a fatal client error, and each wake of an idle consumer costs.
    private let pollStepMilliseconds: Int32

    public init(configuration: KafkaConsumerConfiguration, logger: Logger, pollStep: Duration = .seconds(1)) throws(KafkaError) {
        pollStepMilliseconds = max(1, Int32(clamping: pollStep.milliseconds))
        client = try RDKafkaClient(kind: .consumer, properties: configuration.properties, logger: logger) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        }
        // Serve the main queue (errors, logs) from consumer polls too.
        rd_kafka_poll_set_consumer(client.handle)
        queue = DispatchQueue(label: "kafka.consumer.\(configuration.groupID).\(configuration.clientID)")
        groupEventsQueue = DispatchQueue(label: "kafka.consumer.\(configuration.groupID).\(configuration.clientID).group-events")
        self.logger = logger
    }

    /// Subscribes to topics; a name starting with `^` is a regular expression (`^tier\..*\.status$`).
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics {
            rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA)
        }
        let error = rd_kafka_subscribe(client.handle, list)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: .init(error)) }
    }

    /// The messages of the subscription, in order per partition. Ends when the consumer closes or the
    /// iterating task is cancelled; throws on a fatal consumer error.
    public var messages: Messages { Messages(consumer: self) }

    /// The messages of the subscription as they arrive together: each element is what one poll
    /// found ready (at least one message, at most `maximum`), so a consumer can apply them in one
    /// transaction. With a `linger`, a batch stays open that long after its first message to
    /// gather more: fewer, larger transactions for consumers whose news may wait a moment. Ends
    /// like ``messages``.
    public func batches(maximum: Int = 64, linger: Duration = .zero) -> Batches {
        Batches(consumer: self, reader: nil, maximum: maximum, linger: linger)
    }

    /// Partitions this member owns right now.
    public var assignment: Set<KafkaTopicPartition> { client.context.assignment.withLock { $0 } }

    /// Marks a message as processed: its offset + 1 will be committed. Non-blocking.
    public func storeOffset(for message: KafkaConsumerMessage) throws(KafkaError) {
        let list = rd_kafka_topic_partition_list_new(1)!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let element = rd_kafka_topic_partition_list_add(list, message.topic, message.partition)!
        element.pointee.offset = message.offset + 1
        let error = rd_kafka_offsets_store(client.handle, list)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: .init(error)) }
        if element.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: .init(element.pointee.err)) }
    }

    /// Commits the stored offsets now and waits for the broker's answer.
    public func commit() async throws(KafkaError) {
        let client = self.client
        try await runBlocking(on: queue) { () throws(KafkaError) in
            let error = rd_kafka_commit(client.handle, nil, 0)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR, error != RD_KAFKA_RESP_ERR__NO_OFFSET {
                throw KafkaError(code: .init(error))
            }
        }
    }

    /// The group's committed offset for a partition (the next message it will read), if any.
    public func committedOffset(topic: String, partition: Int32, timeout: Duration = .seconds(10)) async throws(KafkaError)
        -> Int64?
    {
        let client = self.client
        return try await runBlocking(on: queue) { () throws(KafkaError) -> Int64? in
            let list = rd_kafka_topic_partition_list_new(1)!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let element = rd_kafka_topic_partition_list_add(list, topic, partition)!
            let error = rd_kafka_committed(client.handle, list, Int32(timeout.milliseconds))
            if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: .init(error)) }
            let offset = element.pointee.offset
            return offset >= 0 ? offset : nil
        }
    }

    /// Commits stored offsets and leaves the group, so that partitions move to other members at once.
    public func close() async throws(KafkaError) {
        guard isOpen.exchange(false) else { return }
        wakePolls()
        let client = self.client
        let logger = self.logger
        try await runBlocking(on: queue) { () throws(KafkaError) in
            let commitError = rd_kafka_commit(client.handle, nil, 0)
            if commitError != RD_KAFKA_RESP_ERR_NO_ERROR, commitError != RD_KAFKA_RESP_ERR__NO_OFFSET {
                logger.warning("Final offset commit failed", metadata: ["kafka.error": "\(KafkaError.Code(commitError))"])
            }
            let error = rd_kafka_consumer_close(client.handle)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: .init(error)) }
        }
    }

    /// Takes the partitions of `topics` (names, or regular expressions starting with `^`) from the
    /// consumer's own queue to the reader's. Make every reader before ``subscribe(topics:)``, so that
    /// no partition is assigned before its reader exists; subscribe to ``readerTopics``.
    public func reader(topics: [String]) -> Reader {
        let reader = Reader(consumer: self, topics: topics)
        client.context.readerRoutes.withLock { $0.append(ReaderRoute(topics: topics, queue: reader.queue)) }
        return reader
    }

    /// Every topic its readers take, to subscribe to.
    public var readerTopics: [String] { client.context.readerRoutes.withLock { $0.flatMap(\.topics) } }

    /// Serves the group's events (rebalances, errors) until the consumer closes or the task is
    /// cancelled, for a consumer whose messages its readers take.
    ///
    /// A partition's messages can still come here: when librdkafka stops fetching a revoked
    /// partition it clears the partition's forwarding, and if that happens after the same partition
    /// was assigned again (and forwarded in the rebalance callback), the new fetch feeds the
    /// consumer's own queue. Such a partition is forwarded to its reader again and rewound to the
    /// first message that came here, so the reader gets every message, in order. A message of a
    /// topic no reader takes is logged and left unstored, to be read again after a restart.
    public func serveGroupEvents() async throws(KafkaError) {
        while isOpen.isSet, !Task.isCancelled {
            guard let stray = try await pollBatch(from: nil, on: groupEventsQueue, maximum: 16) else { return }
            var rewinds: [KafkaTopicPartition: Int64] = [:]
            for message in stray {
                let partition = KafkaTopicPartition(topic: message.topic, partition: message.partition)
                if client.context.readerQueue(forTopic: message.topic) != nil {
                    rewinds[partition] = min(rewinds[partition] ?? message.offset, message.offset)
                } else {
                    logger.error("Kafka message for no reader", metadata: ["kafka.partition": "\(partition)"])
                }
            }
            for (partition, offset) in rewinds { try await returnToReader(partition, from: offset) }
        }
    }

    private func returnToReader(_ partition: KafkaTopicPartition, from offset: Int64) async throws(KafkaError) {
        logger.notice("Kafka partition returned to its reader", metadata: ["kafka.partition": "\(partition)", "kafka.offset": "\(offset)"])
        let client = self.client
        try await runBlocking(on: groupEventsQueue) { () throws(KafkaError) in
            let list = rd_kafka_topic_partition_list_new(1)!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)!.pointee.offset = offset
            client.context.forwardToReaders(list, of: client.handle)
            // Waits until the fetcher has dropped what it fetched before, so nothing comes here twice.
            if let failure = rd_kafka_seek_partitions(client.handle, list, 10_000) { throw KafkaError(consuming: failure) }
            if list.pointee.elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: .init(list.pointee.elems[0].err)) }
        }
    }

    /// Forwards a partition to the consumer's own queue instead of its reader's, as librdkafka does
    /// when it starts fetching a partition whose forwarding it cleared (for tests).
    func detachFromReader(_ partition: KafkaTopicPartition) {
        let consumerQueue = rd_kafka_queue_get_consumer(client.handle)!
        let partitionQueue = rd_kafka_queue_get_partition(client.handle, partition.topic, partition.partition)!
        rd_kafka_queue_forward(partitionQueue, consumerQueue)
        rd_kafka_queue_destroy(partitionQueue)
        rd_kafka_queue_destroy(consumerQueue)
    }

    /// Wakes every blocking poll of this consumer (its own queue's and its readers'), so that
    /// a poll loop sees at once that the consumer closed.
    private func wakePolls() {
        wakePoll(of: nil)
        client.context.readerRoutes.withLock { routes in
            for route in routes { wakePoll(of: route.queue) }
        }
    }

    /// Wakes the blocking poll of a reader's queue, or of the consumer's own (`nil`); a poll that
    /// is not waiting yet returns at once when it starts.
    private func wakePoll(of readerQueue: QueueHandle?) {
        if let readerQueue {
            rd_kafka_queue_yield(readerQueue.pointer)
        } else if let consumerQueue = rd_kafka_queue_get_consumer(client.handle) {
            rd_kafka_queue_yield(consumerQueue)
            rd_kafka_queue_destroy(consumerQueue)
        }
    }

    /// Polls up to `maximum` messages from a reader's queue (or the consumer's own, `nil`): waits for
    /// the first (closing and cancellation wake the wait), then takes whatever else is ready or
    /// arrives within `linger`.
    fileprivate func pollBatch(from readerQueue: QueueHandle?, on dispatchQueue: DispatchQueue, maximum: Int,
        linger: Duration = .zero) async throws(KafkaError) -> [KafkaConsumerMessage]?
    {
        let cancelled = Flag(false)
        let result: Result<[KafkaConsumerMessage]?, KafkaError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                dispatchQueue.async { [isOpen, client, logger, pollStepMilliseconds] in
                    let next: (Int32) -> UnsafeMutablePointer<rd_kafka_message_t>? =
                        if let readerQueue { { timeout in rd_kafka_consume_queue(readerQueue.pointer, timeout) } }
                        else { { timeout in rd_kafka_consumer_poll(client.handle, timeout) } }
                    continuation.resume(returning: Self.blockingPoll(client: client, maximum: maximum, linger: linger,
                        step: pollStepMilliseconds, logger: logger, next: next) { isOpen.isSet && !cancelled.isSet })
                }
            }
        } onCancel: {
            cancelled.set(true)
            wakePoll(of: readerQueue)
        }
        return try result.get()
    }

    private static func blockingPoll(
        client: RDKafkaClient,
        maximum: Int,
        linger: Duration,
        step: Int32,
        logger: Logger,
        next: (Int32) -> UnsafeMutablePointer<rd_kafka_message_t>?,
        keepWaiting: () -> Bool
    ) -> Result<[KafkaConsumerMessage]?, KafkaError> {
        var batch: [KafkaConsumerMessage] = []
        var closesAt: ContinuousClock.Instant?
        while batch.count < maximum {
            guard keepWaiting() else { return .success(batch.isEmpty ? nil : batch) }
            if let fatal = client.fatalError { return .failure(fatal) }
            var timeout = step
            if let closesAt {
                let left = closesAt - .now
                guard left > .zero else { break }
                timeout = max(1, min(timeout, Int32(clamping: left.milliseconds)))
            }
            while batch.count < maximum, let raw = next(timeout) {
                timeout = 0
                defer { rd_kafka_message_destroy(raw) }
                if raw.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    batch.append(KafkaConsumerMessage(copying: raw))
                } else if raw.pointee.err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    let error = KafkaError(code: .init(raw.pointee.err), message: String(cString: rd_kafka_message_errstr(raw)))
                    logger.warning("Kafka consumer error", metadata: ["kafka.error": "\(error)"])
                }
            }
            if !batch.isEmpty {
                guard linger > .zero else { break }
                closesAt = closesAt ?? .now + linger
            }
        }
        return .success(batch)
    }

    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = KafkaConsumerMessage
        let consumer: KafkaConsumer

        public func makeAsyncIterator() -> Iterator {
            Iterator(consumer: consumer)
        }

        public struct Iterator: AsyncIteratorProtocol {
            let consumer: KafkaConsumer
            var buffer: [KafkaConsumerMessage] = []
            var index = 0

            public mutating func next() async throws -> KafkaConsumerMessage? {
                if index == buffer.count {
                    guard let batch = try await consumer.pollBatch(from: nil, on: consumer.queue, maximum: 64) else { return nil }
                    buffer = batch
                    index = 0
                }
                defer { index += 1 }
                return buffer[index]
            }
        }
    }
}

extension KafkaConsumer {
    /// Batches of messages polled from the consumer's own queue or from a reader's.
    public struct Batches: AsyncSequence, Sendable {
        public typealias Element = [KafkaConsumerMessage]
        let consumer: KafkaConsumer
        /// The reader whose queue is polled (kept alive while it is), or nil for the consumer's own.
        let reader: Reader?
        let maximum: Int
        let linger: Duration

        public func makeAsyncIterator() -> Iterator {
            Iterator(batches: self)
        }

        public struct Iterator: AsyncIteratorProtocol {
            let batches: Batches

            public mutating func next() async throws -> [KafkaConsumerMessage]? {
                let consumer = batches.consumer
                return try await consumer.pollBatch(from: batches.reader?.queue, on: batches.reader?.dispatchQueue ?? consumer.queue,
                    maximum: batches.maximum, linger: batches.linger)
            }
        }
    }
}

extension KafkaConsumer {
    /// Takes some of a consumer's topics from a queue of its own: librdkafka forwards each of their
    /// partitions' queues to it when the partition is assigned (see the rebalance callback).
    public final class Reader: Sendable {
        private let consumer: KafkaConsumer
        fileprivate let queue: QueueHandle
        fileprivate let dispatchQueue: DispatchQueue

        fileprivate init(consumer: KafkaConsumer, topics: [String]) {
            self.consumer = consumer
            queue = QueueHandle(pointer: rd_kafka_queue_new(consumer.client.handle)!)
            dispatchQueue = DispatchQueue(label: "kafka.reader.\(topics.joined(separator: ","))")
        }

        deinit {
            let pointer = queue.pointer
            consumer.client.context.readerRoutes.withLock { $0.removeAll { $0.queue.pointer == pointer } }
            rd_kafka_queue_destroy(pointer)
        }

        /// The reader's messages as they arrive together, like ``KafkaConsumer/batches(maximum:linger:)``.
        public func batches(maximum: Int = 64, linger: Duration = .zero) -> Batches {
            Batches(consumer: consumer, reader: self, maximum: maximum, linger: linger)
        }

        /// Marks a message as processed, like ``KafkaConsumer/storeOffset(for:)``.
        public func storeOffset(for message: KafkaConsumerMessage) throws(KafkaError) {
            try consumer.storeOffset(for: message)
        }
    }
}

extension KafkaConsumerMessage {
    /// Copies everything out of a librdkafka message (which the caller then destroys).
    init(copying raw: UnsafeMutablePointer<rd_kafka_message_t>) {
        let message = raw.pointee
        topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        partition = message.partition
        offset = message.offset
        key = message.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
        value = message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: message.len)) } ?? []
        var headerList: OpaquePointer?
        var headers: [KafkaHeader] = []
        if rd_kafka_message_headers(raw, &headerList) == RD_KAFKA_RESP_ERR_NO_ERROR, let headerList {
            var index = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(headerList, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: bytes))
                index += 1
            }
        }
        self.headers = headers
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(raw, &timestampType)
        timestamp = milliseconds >= 0 ? Date(timeIntervalSince1970: Double(milliseconds) / 1000) : nil
    }
}

private func partitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> Set<KafkaTopicPartition> {
    guard let list else { return [] }
    var result: Set<KafkaTopicPartition> = []
    for index in 0..<Int(list.pointee.cnt) {
        let element = list.pointee.elems[index]
        result.insert(KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition))
    }
    return result
}

/// Applies assignments and revocations; before giving partitions up it commits what was processed,
/// so the next owner starts where this member stopped (fewer redeliveries).
private let rebalanceCallback: @convention(c) (
    OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
) -> Void = { handle, error, list, opaque in
    guard let handle, let context = RDKafkaContext.from(opaque) else { return }
    let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
    let changed = partitions(list)
    switch error {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        context.forwardToReaders(list, of: handle)
        if cooperative {
            if let failure = rd_kafka_incremental_assign(handle, list) { context.logReassignFailure(KafkaError(consuming: failure)) }
            context.assignment.withLock { $0.formUnion(changed) }
        } else {
            _ = rd_kafka_assign(handle, list)
            context.assignment.withLock { $0 = changed }
        }
        context.logger.info("Kafka partitions assigned", metadata: ["kafka.partitions": "\(changed.sorted { $0.description < $1.description })"])
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        _ = rd_kafka_commit(handle, nil, 0)
        context.forwardToReaders(list, of: handle, stop: true)
        if cooperative {
            if let failure = rd_kafka_incremental_unassign(handle, list) { context.logReassignFailure(KafkaError(consuming: failure)) }
            context.assignment.withLock { $0.subtract(changed) }
        } else {
            _ = rd_kafka_assign(handle, nil)
            context.assignment.withLock { $0 = [] }
        }
        context.logger.info("Kafka partitions revoked", metadata: ["kafka.partitions": "\(changed.count)"])
    default:
        context.logger.error("Kafka rebalance failed", metadata: ["kafka.error": "\(KafkaError.Code(error))"])
        _ = rd_kafka_assign(handle, nil)
        context.assignment.withLock { $0 = [] }
    }
}

extension RDKafkaContext {
    /// Forwards the queue of each listed partition a reader takes to that reader's queue, or stops
    /// forwarding it (partitions of no reader stay on the consumer's own queue).
    func forwardToReaders(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, of handle: OpaquePointer,
        stop: Bool = false)
    {
        guard let list else { return }
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            guard let readerQueue = readerQueue(forTopic: String(cString: element.topic)),
                let partitionQueue = rd_kafka_queue_get_partition(handle, element.topic, element.partition)
            else { continue }
            rd_kafka_queue_forward(partitionQueue, stop ? nil : readerQueue)
            rd_kafka_queue_destroy(partitionQueue)
        }
    }

    fileprivate func logReassignFailure(_ error: KafkaError) {
        logger.error("Kafka incremental (un)assign failed", metadata: ["kafka.error": "\(error)"])
    }
}
