import Foundation
import Hummingbird
import Kafka

/// The control interface: JSON over HTTP on 127.0.0.1.
///
/// ```
/// GET  /brokers                    {"bootstrapServers": "...", "brokers": [1, 2, 3]}
/// POST /brokers/{id}/down          take a broker down
/// POST /brokers/{id}/up            bring it back
/// POST /brokers/{id}/rtt           {"milliseconds": 300}
/// POST /request-errors             {"apiKey": 0, "errors": ["NOT_LEADER_FOR_PARTITION"]}
/// POST /topics                     {"name": "tier.shiyan.status", "partitions": 6, "replicationFactor": 3}
/// POST /partitions/leader          {"topic": "...", "partition": 0, "broker": 2}
/// ```
enum ControlRouter {
    struct TopicRequest: Decodable {
        var name: String
        var partitions: Int32
        var replicationFactor: Int32?
    }

    struct RoundTripRequest: Decodable {
        var milliseconds: Int32
    }

    struct RequestErrors: Decodable {
        var apiKey: Int16
        var errors: [String]
    }

    struct LeaderRequest: Decodable {
        var topic: String
        var partition: Int32
        var broker: Int32
    }

    struct BrokerList: ResponseEncodable {
        var bootstrapServers: String
        var brokers: [Int32]
    }

    struct Done: ResponseEncodable {
        var ok = true
        var existed = false
    }

    static func build(cluster: KafkaMockCluster) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("brokers") { _, _ in
            BrokerList(bootstrapServers: cluster.bootstrapServers, brokers: Array(cluster.brokerIDs))
        }
        router.post("brokers/:id/down") { _, context in
            try cluster.setBrokerDown(try brokerID(context))
            return Done()
        }
        router.post("brokers/:id/up") { _, context in
            try cluster.setBrokerUp(try brokerID(context))
            return Done()
        }
        router.post("brokers/:id/rtt") { request, context in
            let body = try await request.decode(as: RoundTripRequest.self, context: context)
            try cluster.setBrokerRoundTripTime(try brokerID(context), milliseconds: body.milliseconds)
            return Done()
        }
        router.post("request-errors") { request, context in
            let body = try await request.decode(as: RequestErrors.self, context: context)
            let codes = try body.errors.map { name in
                guard let code = KafkaError.Code(name: name) ?? Int32(name).map(KafkaError.Code.init(rawValue:)) else {
                    throw HTTPError(.badRequest, message: "unknown Kafka error name '\(name)'")
                }
                return code
            }
            cluster.pushRequestErrors(apiKey: body.apiKey, errors: codes)
            return Done()
        }
        router.post("topics") { request, context in
            let body = try await request.decode(as: TopicRequest.self, context: context)
            do {
                try cluster.createTopic(body.name, partitions: body.partitions,
                    replicationFactor: body.replicationFactor ?? Int32(min(3, cluster.brokerCount)))
            } catch let error as KafkaError where error.code == .topicAlreadyExists {
                // Creating topics is idempotent, as with the admin API.
                return Done(existed: true)
            }
            return Done()
        }
        router.post("partitions/leader") { request, context in
            let body = try await request.decode(as: LeaderRequest.self, context: context)
            try cluster.setPartitionLeader(topic: body.topic, partition: body.partition, broker: body.broker)
            return Done()
        }
        return router
    }

    static func brokerID(_ context: BasicRequestContext) throws -> Int32 {
        guard let text = context.parameters.get("id"), let id = Int32(text) else {
            throw HTTPError(.badRequest, message: "broker id must be a number")
        }
        return id
    }
}

extension KafkaError: HTTPResponseError {
    public var status: HTTPResponse.Status { code == .invalidArgument ? .badRequest : .internalServerError }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = #"{"error":{"code":"\#(code.name)","message":"\#(message.replacingOccurrences(of: "\"", with: "'"))"}}"#
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: body)))
    }
}
