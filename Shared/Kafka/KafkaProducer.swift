import CRDKafka
import Foundation
import Logging
import Synchronization

/// A Kafka producer over librdkafka: idempotent and `acks=all` unless configured otherwise.
///
/// ``send(_:)`` returns only when the message's delivery report has arrived, so a caller that marks
/// work done after it (an outbox relay) never marks a message that Kafka did not store. A dedicated
/// thread serves delivery reports; nothing blocks Swift's cooperative pool.
///
/// Call ``shutdown(timeout:)`` before dropping the producer: it waits for outstanding reports.
public final class KafkaProducer: Sendable {
    private let client: RDKafkaClient
    private let poller: PollThread
    private let blockingQueue: DispatchQueue
    private let isOpen = Flag(true)
    private let logger: Logger

    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        let client = try RDKafkaClient(kind: .producer, properties: configuration.properties, logger: logger) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        }
        self.client = client
        self.logger = logger
        self.blockingQueue = DispatchQueue(label: "kafka.producer.\(configuration.clientID).blocking")
        self.poller = PollThread(name: "kafka-producer-poll") {
            // Serves delivery reports and errors; returns as soon as one is served.
            rd_kafka_poll(client.handle, 100)
        }
    }

    /// Sends one message and waits for its delivery report.
    ///
    /// - Throws: ``KafkaError`` when the message could not be queued or its delivery failed (for
    ///   example `_MSG_TIMED_OUT` after `message.timeout.ms`). The task is not cancellable while it
    ///   waits: the message may still be delivered, and only its report tells.
    public func send(_ message: KafkaProducerMessage) async throws(KafkaError) -> KafkaDeliveryReport {
        try await send([message])[0].get()
    }

    /// Queues the messages in order, then waits for every delivery report. Messages with the same
    /// key keep their order (idempotence keeps retries in order per partition).
    public func send(_ messages: [KafkaProducerMessage]) async -> [Result<KafkaDeliveryReport, KafkaError>] {
        var waiters: [Result<DeliveryWaiter, KafkaError>] = []
        waiters.reserveCapacity(messages.count)
        for message in messages {
            do throws(KafkaError) {
                waiters.append(.success(try await enqueue(message)))
            } catch {
                waiters.append(.failure(error))
            }
        }
        var results: [Result<KafkaDeliveryReport, KafkaError>] = []
        results.reserveCapacity(messages.count)
        for waiter in waiters {
            switch waiter {
            case .success(let waiter): results.append(await waiter.result())
            case .failure(let error): results.append(.failure(error))
            }
        }
        return results
    }

    /// Waits until every queued message has its delivery report, or the timeout passes.
    public func flush(timeout: Duration) async throws(KafkaError) {
        let client = self.client
        try await runBlocking(on: blockingQueue) { () throws(KafkaError) in
            let error = rd_kafka_flush(client.handle, Int32(timeout.milliseconds))
            if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: .init(error)) }
        }
    }

    /// Flushes, then stops serving reports. Messages still unreported after the timeout are lost to
    /// this process; a caller using an outbox will publish them again after restart.
    public func shutdown(timeout: Duration = .seconds(30)) async {
        guard isOpen.exchange(false) else { return }
        do {
            try await flush(timeout: timeout)
        } catch {
            logger.warning("Kafka producer closed with undelivered messages", metadata: ["kafka.error": "\(error)"])
        }
        await poller.stop()
    }

    /// Whether a broker answers a metadata request within the timeout.
    public func checkBrokers(timeout: Duration) async throws(KafkaError) -> [String: Int32] {
        let client = self.client
        return try await runBlocking(on: DispatchQueue.global()) { () throws(KafkaError) in
            try client.blockingMetadata(timeout: timeout)
        }
    }

    /// Queues one message; waits while librdkafka's queue is full (back-pressure).
    private func enqueue(_ message: KafkaProducerMessage) async throws(KafkaError) -> DeliveryWaiter {
        while true {
            guard isOpen.isSet else {
                throw KafkaError(code: .destroyed, message: "the producer is shut down")
            }
            if let fatal = client.fatalError { throw fatal }
            let waiter = DeliveryWaiter()
            let error = produce(message, waiter: waiter)
            guard let error else { return waiter }
            guard error.code == .queueFull else { throw error }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Hands one message to librdkafka. On success the waiter is retained until its delivery
    /// report releases it; on failure it is released here.
    private func produce(_ message: KafkaProducerMessage, waiter: DeliveryWaiter) -> KafkaError? {
        let opaque = Unmanaged.passRetained(waiter).toOpaque()
        var headers: OpaquePointer? = nil
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                if let value = header.value {
                    value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(headers, header.key, -1, bytes.baseAddress, bytes.count)
                    }
                } else {
                    _ = rd_kafka_header_add(headers, header.key, -1, nil, 0)
                }
            }
        }
        let key = message.key ?? []
        let error: OpaquePointer? = message.topic.withCString { topic in
            key.withUnsafeBytes { keyBytes in
                message.value.withUnsafeBytes { valueBytes in
                    var fields = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 7)
                    fields[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    fields[0].u.cstr = topic
                    fields[1].vtype = RD_KAFKA_VTYPE_PARTITION
                    fields[1].u.i32 = message.partition ?? RD_KAFKA_PARTITION_UA
                    fields[2].vtype = RD_KAFKA_VTYPE_VALUE
                    fields[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress)
                    fields[2].u.mem.size = valueBytes.count
                    fields[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    fields[3].u.i = RD_KAFKA_MSG_F_COPY
                    fields[4].vtype = RD_KAFKA_VTYPE_OPAQUE
                    fields[4].u.ptr = opaque
                    var count = 5
                    if message.key != nil {
                        fields[count].vtype = RD_KAFKA_VTYPE_KEY
                        fields[count].u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes.baseAddress)
                        fields[count].u.mem.size = keyBytes.count
                        count += 1
                    }
                    if let headers {
                        fields[count].vtype = RD_KAFKA_VTYPE_HEADERS
                        fields[count].u.headers = headers
                        count += 1
                    }
                    return rd_kafka_produceva(client.handle, fields, count)
                }
            }
        }
        guard let error else { return nil }
        // Not queued: the headers and the waiter are still ours.
        if let headers { rd_kafka_headers_destroy(headers) }
        Unmanaged<DeliveryWaiter>.fromOpaque(opaque).release()
        return KafkaError(consuming: error)
    }
}

/// Waits for one message's delivery report; the report may arrive before anyone waits.
final class DeliveryWaiter: Sendable {
    private enum State {
        case pending(CheckedContinuation<Result<KafkaDeliveryReport, KafkaError>, Never>?)
        case done(Result<KafkaDeliveryReport, KafkaError>)
    }

    private let state = Mutex<State>(.pending(nil))

    func complete(_ result: Result<KafkaDeliveryReport, KafkaError>) {
        let continuation: CheckedContinuation<Result<KafkaDeliveryReport, KafkaError>, Never>? = state.withLock { state in
            guard case .pending(let waiting) = state else { return nil }
            state = .done(result)
            return waiting
        }
        continuation?.resume(returning: result)
    }

    func result() async -> Result<KafkaDeliveryReport, KafkaError> {
        await withCheckedContinuation { continuation in
            let ready: Result<KafkaDeliveryReport, KafkaError>? = state.withLock { state in
                switch state {
                case .done(let result): return result
                case .pending: state = .pending(continuation); return nil
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

private let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?)
    -> Void = { _, message, _ in
        guard let message, let opaque = message.pointee._private else { return }
        // Balances the passRetained in produce(_:waiter:).
        let waiter = Unmanaged<DeliveryWaiter>.fromOpaque(opaque).takeRetainedValue()
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            waiter.complete(.success(KafkaDeliveryReport(topic: topic, partition: message.pointee.partition,
                offset: message.pointee.offset)))
        } else {
            let text = String(cString: rd_kafka_message_errstr(message))
            waiter.complete(.failure(KafkaError(code: .init(message.pointee.err), message: text)))
        }
    }

/// A thread that calls `body` until stopped: librdkafka's poll calls block, so they get their own.
final class PollThread: Sendable {
    private let running = Flag(true)
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, body: @escaping @Sendable () -> Void) {
        let thread = Thread { [running, finished] in
            while running.isSet { body() }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    func stop() async {
        guard running.exchange(false) else { return }
        let finished = self.finished
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                finished.wait()
                continuation.resume()
            }
        }
    }
}
