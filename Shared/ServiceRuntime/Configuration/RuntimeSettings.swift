import Foundation
import InputValidation
import Logging
import PostgresStorage
import Tenancy

/// Settings every service reads at start-up. Defaults run on the local stack; in production
/// (`PLATFORM_ENVIRONMENT=production`) the development signing key is refused.
public struct RuntimeSettings: Sendable {
    public var service: ServiceKind
    /// The tier a per-tier service (intake, dispatch) serves; nil for services of every tier.
    public var tier: TenantID?
    public var httpHost: String
    public var httpPort: Int
    /// Reverse proxies whose `X-Forwarded-For` names the client (`HTTP_TRUSTED_PROXIES`).
    public var trustedProxies: Set<String>
    public var postgres: PostgresSettings
    public var kafkaBootstrapServers: String
    /// librdkafka properties passed through (`KAFKA_PROPERTY_*`).
    public var kafkaProperties: [String: String]
    public var tenants: TenantTree
    /// Procedures beyond the built-in ones (`PROCEDURES_FILE`), read by the services of demands.
    public var proceduresFile: String?
    /// Each tier's own closures and working days (`CALENDAR_ADJUSTMENTS_FILE`).
    public var calendarAdjustmentsFile: String?
    public var auth: AuthSettings
    public var logLevel: Logger.Level
    public var isProduction: Bool
    /// How often deadline scans run.
    public var deadlineScanInterval: Duration
    /// How long a consumer may hold messages it cannot apply before the service reports not ready.
    public var consumerStallLimit: Duration
    /// LibreOffice's `soffice`, which renders Word documents as PDF; nil when turned off (`OFFICE_CONVERTER=off`).
    public var officeConverter: String?

    /// `intake-maojian`, `handling`: names the consumer groups, the schema and the logs.
    public var instanceName: String { tier.map { "\(service.rawValue)-\($0)" } ?? service.rawValue }

    public static func load(
        service: ServiceKind,
        perTier: Bool,
        defaultPort: Int,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> RuntimeSettings {
        let reader = try SettingsReader(environment: environment)
        let isProduction = reader.string("platform.environment", default: "development") == "production"
        let tenants = try loadTenants(reader)
        var tier: TenantID?
        if perTier {
            let text = try reader.requiredString("tier")
            guard let id = TenantID(validating: text), tenants.contains(id) else {
                throw ConfigurationError(setting: "TIER", problem: "'\(text)' is not a tenant of \(SettingsReader.variable("tenants.file"))")
            }
            tier = id
        }
        let instance = tier.map { "\(service.rawValue)_\($0)" } ?? service.rawValue
        let postgres = PostgresSettings(
            host: reader.string("postgres.host", default: "127.0.0.1"),
            port: try reader.int("postgres.port", default: 5432, range: 1...65535),
            username: reader.string("postgres.user", default: "platform"),
            password: reader.string("postgres.password", default: "platform", isSecret: true),
            database: reader.string("postgres.database", default: "platform"),
            schema: reader.string("postgres.schema", default: instance.replacingOccurrences(of: "-", with: "_")),
            maximumConnections: try reader.int("postgres.max.connections", default: 10, range: 1...500),
            requireTLS: try reader.bool("postgres.require.tls", default: false)
        )
        let httpHost = reader.string("http.host", default: "127.0.0.1")
        let levelText = reader.string("log.level", default: "info")
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ConfigurationError(setting: "LOG_LEVEL", problem: "must be trace, debug, info, notice, warning, error or critical")
        }
        return RuntimeSettings(
            service: service,
            tier: tier,
            httpHost: httpHost,
            httpPort: try reader.int("http.port", default: defaultPort, range: 0...65535),
            trustedProxies: Set((reader.string("http.trusted.proxies") ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }),
            postgres: postgres,
            kafkaBootstrapServers: reader.string("kafka.bootstrap.servers", default: "127.0.0.1:9092"),
            kafkaProperties: reader.librdkafkaProperties(),
            tenants: tenants,
            proceduresFile: reader.string("procedures.file"),
            calendarAdjustmentsFile: reader.string("calendar.adjustments.file"),
            auth: try AuthSettings.load(reader, isProduction: isProduction, onlyLoopback: Self.isLoopback(httpHost)),
            logLevel: level,
            isProduction: isProduction,
            deadlineScanInterval: .milliseconds(try reader.int("deadline.scan.interval.ms", default: 5000, range: 100...3_600_000)),
            consumerStallLimit: .seconds(try reader.int("consumer.stall.seconds", default: 60, range: 1...86_400)),
            officeConverter: reader.string("office.converter", default: "/usr/bin/soffice").nonEmptyUnless("off")
        )
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    static func loadTenants(_ reader: SettingsReader) throws -> TenantTree {
        let path = reader.string("tenants.file", default: "deploy/local/tenants.json")
        return try decodeSettingsFile(TenantTree.self, path: path, setting: "TENANTS_FILE")
    }
}

/// Decodes the JSON file a setting names; a missing or invalid file is a ``ConfigurationError`` naming the setting.
public func decodeSettingsFile<T: Decodable>(_ type: T.Type, path: String, setting: String) throws -> T {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ConfigurationError(setting: setting, problem: "names a file that cannot be read: \(path)")
    }
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch {
        throw ConfigurationError(setting: setting, problem: "is not valid (\(path)): \(error)")
    }
}

extension String {
    /// Nil when the setting says it is turned off.
    fileprivate func nonEmptyUnless(_ off: String) -> String? { self == off || isEmpty ? nil : self }
}
