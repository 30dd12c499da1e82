import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Client of the dev Kafka cluster's control interface (see `deploy/dev-kafka-cluster`).
public struct DevClusterControl: Sendable {
    public let baseURL: String

    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    public struct ControlError: Error, CustomStringConvertible {
        public var status: UInt
        public var body: String
        public var description: String { "dev cluster control answered \(status): \(body)" }
    }

    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 3) async throws {
        try await post("/topics", ["name": name, "partitions": partitions, "replicationFactor": replicationFactor])
    }

    public func setBrokerDown(_ id: Int) async throws { try await post("/brokers/\(id)/down", [:]) }
    public func setBrokerUp(_ id: Int) async throws { try await post("/brokers/\(id)/up", [:]) }

    public func setRoundTripTime(broker id: Int, milliseconds: Int) async throws {
        try await post("/brokers/\(id)/rtt", ["milliseconds": milliseconds])
    }

    public func pushRequestErrors(apiKey: Int, errors: [String]) async throws {
        try await post("/request-errors", ["apiKey": apiKey, "errors": errors])
    }

    public func setPartitionLeader(topic: String, partition: Int, broker: Int) async throws {
        try await post("/partitions/leader", ["topic": topic, "partition": partition, "broker": broker])
    }

    private func post(_ path: String, _ body: [String: any Sendable]) async throws {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status == .ok else { throw ControlError(status: response.status.code, body: text) }
    }
}
