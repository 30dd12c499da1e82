import CRDKafka
import Foundation
import Logging
import Synchronization

/// State shared with librdkafka's callbacks. librdkafka holds it as the handle's opaque pointer,
/// unretained: ``RDKafkaClient`` keeps it alive and destroys the handle before releasing it.
final class RDKafkaContext: Sendable {
    let logger: Logger
    let fatalError = Mutex<KafkaError?>(nil)
    let assignment = Mutex<Set<KafkaTopicPartition>>([])
    /// The readers that take some of a consumer's topics from queues of their own.
    let readerRoutes = Mutex<[ReaderRoute]>([])

    init(logger: Logger) {
        self.logger = logger
    }

    /// The queue of the reader that takes `topic`, if one does.
    func readerQueue(forTopic topic: String) -> OpaquePointer? {
        readerRoutes.withLock { routes in routes.first { $0.takes(topic) }?.queue.pointer }
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaContext? {
        opaque.map { Unmanaged<RDKafkaContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// A reader's topics (names, or regular expressions starting with `^`) and the queue their
/// partitions are forwarded to.
struct ReaderRoute: Sendable {
    let topics: [String]
    /// Destroyed by its reader after the route is removed.
    let queue: QueueHandle

    func takes(_ topic: String) -> Bool {
        topics.contains { pattern in
            guard pattern.hasPrefix("^") else { return pattern == topic }
            // Compiled per call: routes are consulted only when partitions are assigned or revoked.
            return (try? Regex(pattern)).map { topic.wholeMatch(of: $0) != nil } ?? false
        }
    }
}

/// A `rd_kafka_queue_t`: librdkafka's queues are thread-safe, and the pointer never changes.
struct QueueHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Owns one `rd_kafka_t` handle built from string properties, with logging, error and (for
/// consumers) rebalance callbacks wired to ``RDKafkaContext``.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        case producer
        case consumer
    }

    // Safe to share: librdkafka handles are thread-safe; the pointer never changes.
    let handle: OpaquePointer
    let context: RDKafkaContext

    init(
        kind: Kind,
        properties: [String: String],
        logger: Logger,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        let context = RDKafkaContext(logger: logger)
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(conf, key, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw .configuration("\(key): \(String(errorBuffer: errorText))")
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf, rdkafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, rdkafkaErrorCallback)
        configure(conf)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        // rd_kafka_new takes ownership of conf on success only.
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw .configuration(String(errorBuffer: errorText))
        }
        self.handle = handle
        self.context = context
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// The fatal error that made this client unusable, if any.
    var fatalError: KafkaError? { context.fatalError.withLock { $0 } }

    /// Asks the cluster for its metadata; blocks, so call it off the cooperative pool.
    func blockingMetadata(timeout: Duration) throws(KafkaError) -> [String: Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let error = rd_kafka_metadata(handle, 1, nil, &metadata, Int32(timeout.milliseconds))
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(code: .init(error)) }
        defer { rd_kafka_metadata_destroy(metadata) }
        var topics: [String: Int32] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            topics[String(cString: topic.topic)] = topic.partition_cnt
        }
        return topics
    }
}

/// Runs blocking librdkafka calls on a thread outside Swift's cooperative pool.
func runBlocking<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws(KafkaError) -> T)
    async throws(KafkaError) -> T
{
    let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
        queue.async {
            do throws(KafkaError) {
                continuation.resume(returning: .success(try body()))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
    }
    return try result.get()
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

private let rdkafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?)
    -> Void = { handle, level, facility, text in
        guard let handle, let context = RDKafkaContext.from(rd_kafka_opaque(handle)) else { return }
        let message = text.map { String(cString: $0) } ?? ""
        let facilityText = facility.map { String(cString: $0) } ?? ""
        // The dev cluster answers an older Metadata version and librdkafka says so on every request.
        let swiftLevel: Logger.Level =
            if facilityText == "AUTOCREATE" { .debug } else {
            switch level {
            case ...2: .critical
            case 3: .error
            case 4: .warning
            case 5, 6: .info
            default: .debug
            }
            }
        context.logger.log(level: swiftLevel, "librdkafka: \(message)", metadata: ["kafka.facility": "\(facilityText)"])
    }

private let rdkafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?)
    -> Void = { handle, code, reason, opaque in
        guard let handle, let context = RDKafkaContext.from(opaque) else { return }
        let reasonText = reason.map { String(cString: $0) } ?? ""
        if code == RD_KAFKA_RESP_ERR__FATAL.rawValue {
            var text = [CChar](repeating: 0, count: 512)
            let original = rd_kafka_fatal_error(handle, &text, text.count)
            let error = KafkaError(code: .init(original), message: String(errorBuffer: text), isFatal: true)
            context.fatalError.withLock { $0 = $0 ?? error }
            context.logger.critical("Kafka client failed fatally", metadata: ["kafka.error": "\(error)"])
        } else {
            // Transport and broker errors are retried by librdkafka itself; they are worth a warning.
            let name = String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code)))
            context.logger.warning("Kafka client error", metadata: ["kafka.error": "\(name)", "kafka.reason": "\(reasonText)"])
        }
    }
