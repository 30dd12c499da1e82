import CRDKafka
import Foundation
import Logging

/// A topic to create.
public struct KafkaTopicSpecification: Sendable, Hashable {
    public var name: String
    public var partitions: Int32
    /// -1 lets the broker use its default.
    public var replicationFactor: Int32
    /// Topic configuration, for example `cleanup.policy=compact`, `retention.ms`.
    public var config: [String: String]

    public init(name: String, partitions: Int32, replicationFactor: Int32 = -1, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }
}

public enum KafkaTopicCreation: Sendable, Hashable {
    case created
    /// The topic was there already (its partition count is not checked or changed).
    case alreadyExisted
}

/// Cluster administration through the Kafka protocol (CreateTopics, Metadata).
///
/// librdkafka's development mock cluster does not implement CreateTopics: against it
/// ``createTopics(_:timeout:)`` fails with `_TIMED_OUT`; the dev cluster creates topics through its
/// own control interface instead.
public final class KafkaAdminClient: Sendable {
    private let client: RDKafkaClient

    public init(bootstrapServers: String, overrides: [String: String] = [:], logger: Logger) throws(KafkaError) {
        let properties = ["bootstrap.servers": bootstrapServers, "client.id": "admin"].merging(overrides) { $1 }
        client = try RDKafkaClient(kind: .producer, properties: properties, logger: logger)
    }

    /// Creates topics; a topic that already exists counts as success.
    public func createTopics(_ topics: [KafkaTopicSpecification], timeout: Duration = .seconds(30)) async throws(KafkaError)
        -> [String: KafkaTopicCreation]
    {
        let client = self.client
        return try await runBlocking(on: DispatchQueue.global()) { () throws(KafkaError) -> [String: KafkaTopicCreation] in
            let handle = client.handle
            var errorText = [CChar](repeating: 0, count: 512)
            var newTopics: [OpaquePointer?] = []
            defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
            for topic in topics {
                guard let newTopic = rd_kafka_NewTopic_new(topic.name, topic.partitions, topic.replicationFactor, &errorText, errorText.count)
                else { throw .configuration("\(topic.name): \(String(errorBuffer: errorText))") }
                newTopics.append(newTopic)
                for (key, value) in topic.config.sorted(by: { $0.key < $1.key }) {
                    let error = rd_kafka_NewTopic_set_config(newTopic, key, value)
                    if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: .init(error), message: "\(topic.name) \(key)") }
                }
            }
            let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            _ = rd_kafka_AdminOptions_set_request_timeout(options, Int32(timeout.milliseconds), &errorText, errorText.count)
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, Int32(timeout.milliseconds), &errorText, errorText.count)
            let resultQueue = rd_kafka_queue_new(handle)
            defer { rd_kafka_queue_destroy(resultQueue) }
            newTopics.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_CreateTopics(handle, buffer.baseAddress, buffer.count, options, resultQueue)
            }
            // The admin request itself enforces the timeout; the extra second lets its result arrive.
            guard let event = rd_kafka_queue_poll(resultQueue, Int32(timeout.milliseconds) + 1000) else {
                throw KafkaError(code: .timedOut, message: "no answer to CreateTopics")
            }
            defer { rd_kafka_event_destroy(event) }
            let eventError = rd_kafka_event_error(event)
            if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(code: .init(eventError), message: String(cString: rd_kafka_event_error_string(event)))
            }
            var count = 0
            guard let result = rd_kafka_event_CreateTopics_result(event),
                let results = rd_kafka_CreateTopics_result_topics(result, &count)
            else { throw KafkaError(code: .timedOut, message: "CreateTopics returned no result") }
            var outcome: [String: KafkaTopicCreation] = [:]
            for index in 0..<count {
                let name = String(cString: rd_kafka_topic_result_name(results[index]))
                let error = rd_kafka_topic_result_error(results[index])
                switch KafkaError.Code(error) {
                case .noError: outcome[name] = .created
                case .topicAlreadyExists: outcome[name] = .alreadyExisted
                default:
                    let text = rd_kafka_topic_result_error_string(results[index]).map { String(cString: $0) }
                    throw KafkaError(code: .init(error), message: "\(name): \(text ?? "")")
                }
            }
            return outcome
        }
    }

    /// Topics in the cluster with their partition counts.
    public func listTopics(timeout: Duration = .seconds(10)) async throws(KafkaError) -> [String: Int32] {
        let client = self.client
        return try await runBlocking(on: DispatchQueue.global()) { () throws(KafkaError) in
            try client.blockingMetadata(timeout: timeout)
        }
    }
}
