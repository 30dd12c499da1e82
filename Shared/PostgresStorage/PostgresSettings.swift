import Logging
import PostgresNIO

/// Where a service's database is and which schema it owns.
///
/// Each service keeps its tables in its own schema (`intake_maojian`, `handling`, …), set as the
/// connection's `search_path`, so that one Postgres cluster can hold every service of a tier while
/// each still owns its schema alone; a tier that wants separate databases just points the services
/// at them.
public struct PostgresSettings: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var database: String
    public var schema: String
    public var maximumConnections: Int
    public var requireTLS: Bool
    /// Run-time parameters each connection starts with (sent with the startup message, so they cost
    /// no statement), on top of the schema's `search_path`.
    public var sessionParameters: [String: String] = [:]

    public init(
        host: String,
        port: Int,
        username: String,
        password: String,
        database: String,
        schema: String,
        maximumConnections: Int = 10,
        requireTLS: Bool = false
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
        self.maximumConnections = maximumConnections
        self.requireTLS = requireTLS
    }

    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 1
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [
            ("search_path", "\"\(schema)\""),
            ("application_name", String(schema.prefix(60))),
        ] + sessionParameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return configuration
    }
}
