import Foundation

/// Where the local stack's parts are, as the stack and test scripts export them.
///
/// The same variables work against a real deployment (for example `KAFKA_BOOTSTRAP_SERVERS` of an
/// Apache Kafka cluster); `KAFKA_DEV_CONTROL_URL` exists only with the dev cluster.
public struct StackEnvironment: Sendable {
    public var kafkaBootstrapServers: String?
    public var kafkaDevControlURL: String?
    public var postgresHost: String
    public var postgresPort: Int
    public var postgresUser: String
    public var postgresPassword: String
    public var postgresDatabase: String
    /// Folder with the built executables (`swift build --show-bin-path`).
    public var binDirectory: String?
    /// Kannel's smsbox sendsms URL and credentials, and fakesmsc's log.
    public var kannelSendSMSURL: String?
    public var kannelUser: String?
    public var kannelPassword: String?
    public var fakeSMSCLog: String?
    /// Folder for logs and state of processes a test starts.
    public var stateDirectory: String

    public init(_ environment: [String: String] = ProcessInfo.processInfo.environment) {
        kafkaBootstrapServers = environment["KAFKA_BOOTSTRAP_SERVERS"]
        kafkaDevControlURL = environment["KAFKA_DEV_CONTROL_URL"]
        postgresHost = environment["POSTGRES_HOST"] ?? "127.0.0.1"
        postgresPort = environment["POSTGRES_PORT"].flatMap(Int.init) ?? 5432
        postgresUser = environment["POSTGRES_USER"] ?? "platform"
        postgresPassword = environment["POSTGRES_PASSWORD"] ?? "platform"
        postgresDatabase = environment["POSTGRES_DATABASE"] ?? "platform"
        binDirectory = environment["PLATFORM_BIN_DIR"]
        kannelSendSMSURL = environment["KANNEL_SENDSMS_URL"]
        kannelUser = environment["KANNEL_USER"]
        kannelPassword = environment["KANNEL_PASSWORD"]
        fakeSMSCLog = environment["FAKESMSC_LOG"]
        stateDirectory = environment["PLATFORM_STATE_DIR"] ?? FileManager.default.temporaryDirectory.path
    }

    public static let current = StackEnvironment()

    /// Whether the Kafka cluster (and its control interface) is there.
    public var hasDevKafka: Bool { kafkaBootstrapServers != nil && kafkaDevControlURL != nil }
    public var hasPostgres: Bool { ProcessInfo.processInfo.environment["POSTGRES_PORT"] != nil }
    public var hasKannel: Bool { kannelSendSMSURL != nil && fakeSMSCLog != nil }
    public var hasBinaries: Bool { binDirectory != nil }
}
