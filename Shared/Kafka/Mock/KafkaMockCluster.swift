import CRDKafka
import Foundation
import Logging

/// librdkafka's mock Kafka cluster (`rdkafka_mock.h`), for development and tests only.
///
/// It speaks the real Kafka protocol to real clients over TCP on 127.0.0.1, with the brokers,
/// partitions and consumer groups a test needs, and lets a test break it on purpose (brokers
/// down, request errors, round-trip time). It keeps everything in memory. Production uses
/// Apache Kafka.
public final class KafkaMockCluster: @unchecked Sendable {
    // The mock's API calls are forwarded to its own thread, so the pointers may be shared.
    private let host: RDKafkaClient
    private let cluster: OpaquePointer
    public let brokerCount: Int
    public let bootstrapServers: String

    public init(brokers: Int, logger: Logger) throws(KafkaError) {
        host = try RDKafkaClient(kind: .producer, properties: ["client.id": "mock-cluster-host", "log_level": "3"], logger: logger)
        guard brokers > 0, let cluster = rd_kafka_mock_cluster_new(host.handle, Int32(brokers)) else {
            throw KafkaError(code: .invalidArgument, message: "could not create a mock cluster with \(brokers) brokers")
        }
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Broker ids run from 1 to ``brokerCount``.
    public var brokerIDs: ClosedRange<Int32> { 1...Int32(brokerCount) }

    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor))
    }

    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try checkBroker(id)
        try check(rd_kafka_mock_broker_set_down(cluster, id))
    }

    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try checkBroker(id)
        try check(rd_kafka_mock_broker_set_up(cluster, id))
    }

    /// Delays every response of a broker by `milliseconds`.
    public func setBrokerRoundTripTime(_ id: Int32, milliseconds: Int32) throws(KafkaError) {
        try checkBroker(id)
        try check(rd_kafka_mock_broker_set_rtt(cluster, id, milliseconds))
    }

    public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try checkBroker(broker)
        try check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker))
    }

    /// Makes the next requests of a kind (Kafka API key, for example 0 = Produce, 1 = Fetch) fail
    /// with these errors, one each.
    public func pushRequestErrors(apiKey: Int16, errors: [KafkaError.Code]) {
        var raw = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        raw.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, apiKey, buffer.count, buffer.baseAddress)
        }
    }

    public func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }

    private func checkBroker(_ id: Int32) throws(KafkaError) {
        guard brokerIDs.contains(id) else {
            throw KafkaError(code: .invalidArgument, message: "broker \(id) does not exist (brokers are \(brokerIDs))")
        }
    }

    private func check(_ error: rd_kafka_resp_err_t) throws(KafkaError) {
        if error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: .init(error)) }
    }
}
