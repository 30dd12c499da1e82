/// librdkafka properties for a client: the bootstrap servers, safe defaults for the client's kind,
/// and any property passed through by name (see librdkafka's CONFIGURATION.md).
///
/// Properties given in ``overrides`` win over the defaults, so an operator can tune anything without
/// a code change (for example `security.protocol`, `sasl.mechanisms`, `ssl.ca.location`).
public struct KafkaProducerConfiguration: Sendable {
    public var bootstrapServers: String
    public var clientID: String
    public var overrides: [String: String]

    public init(bootstrapServers: String, clientID: String, overrides: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.overrides = overrides
    }

    /// Idempotent, acknowledged by every in-sync replica, ordered per partition, keys partitioned
    /// like the Java client (murmur2) so that every client agrees on where a demand's events go.
    public static let defaults: [String: String] = [
        "enable.idempotence": "true",
        "acks": "all",
        "max.in.flight.requests.per.connection": "5",
        "linger.ms": "5",
        "partitioner": "murmur2_random",
        "message.timeout.ms": "120000",
        "socket.keepalive.enable": "true",
    ]

    var properties: [String: String] {
        Self.defaults.merging(["bootstrap.servers": bootstrapServers, "client.id": clientID]) { $1 }
            .merging(overrides) { $1 }
    }
}

public struct KafkaConsumerConfiguration: Sendable {
    public var bootstrapServers: String
    public var groupID: String
    public var clientID: String
    public var overrides: [String: String]

    public init(bootstrapServers: String, groupID: String, clientID: String, overrides: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.clientID = clientID
        self.overrides = overrides
    }

    /// At-least-once: offsets are stored only by the application after a message's work is durable
    /// (``KafkaConsumer/storeOffset(for:)``), and the stored offsets are committed in the background
    /// and on close. New groups start from the earliest message so nothing published before a
    /// consumer first started is missed. Topics are never created by consuming.
    public static let defaults: [String: String] = [
        "enable.auto.commit": "true",
        "enable.auto.offset.store": "false",
        "auto.commit.interval.ms": "1000",
        "auto.offset.reset": "earliest",
        "allow.auto.create.topics": "false",
        "enable.partition.eof": "false",
        "session.timeout.ms": "10000",
        "heartbeat.interval.ms": "1000",
        "topic.metadata.refresh.interval.ms": "10000",
        "socket.keepalive.enable": "true",
    ]

    var properties: [String: String] {
        Self.defaults.merging(["bootstrap.servers": bootstrapServers, "group.id": groupID, "client.id": clientID]) { $1 }
            .merging(overrides) { $1 }
    }
}
