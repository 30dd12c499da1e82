import Logging
import PostgresNIO
import ServiceLifecycle

/// A service's database: the connection pool (run it as a `Service`), its schema and logger.
///
/// Take connections through ``transaction(file:line:_:)``, ``withConnection(file:line:_:)`` and
/// ``query(_:file:line:)`` only. They guard against two ways a service can wedge itself when
/// Postgres restarts:
///
/// - A query that PostgresNIO (1.33) writes to a connection the server has just closed is never
///   answered: its reply promise is lost with the write. Each operation runs in a task of its own
///   that a watchdog abandons, with ``ConnectionLostError``, once its connection has been closed for
///   ``lostQueryGrace`` while it still waits; the caller retries as after any connection error.
/// - A task that holds a connection and waits for a second one deadlocks once every connection of
///   the pool is held that way. Such a nested lease is refused with ``NestedLeaseError`` at once, so
///   it shows in the first test that takes that path.
public struct Database: Sendable {
    @TaskLocal private static var isHoldingConnection = false

    public let client: PostgresClient
    public let schema: String
    public let logger: Logger
    private let watchdog: LostQueryWatchdog

    /// How long an operation may still wait after its connection closed before it is abandoned.
    public static let lostQueryGrace = Duration.seconds(2)

    public init(settings: PostgresSettings, logger: Logger) {
        self.client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        self.schema = settings.schema
        self.logger = logger
        self.watchdog = LostQueryWatchdog(grace: Self.lostQueryGrace, logger: logger)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// Errors thrown by `body` come out as they were thrown; a failed commit comes out as the
    /// driver's error. BEGIN and COMMIT are sent here rather than by PostgresNIO's `withTransaction`
    /// so that the watchdog covers them too.
    public func transaction<Value: Sendable>(
        file: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        let logger = self.logger
        return try await withConnection(file: file, line: line) { connection in
            try await connection.execute("BEGIN", logger: logger)
            let value: Value
            do {
                value = try await body(connection)
            } catch {
                try? await connection.execute("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.execute("COMMIT", logger: logger)
            return value
        }
    }

    /// Runs `body` on a connection of its own, outside any transaction.
    public func withConnection<Value: Sendable>(
        file: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        try refuseNestedLease(file: file, line: line)
        let client = self.client
        return try await watchdog.run(file: file, line: line) { watch in
            try await client.withConnection { connection in
                watch.started(on: connection)
                return try await Self.$isHoldingConnection.withValue(true) { try await body(connection) }
            }
        }
    }

    /// Runs one statement on a connection of the pool and returns all of its rows.
    @discardableResult
    public func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> [PostgresRow] {
        let logger = self.logger
        return try await withConnection(file: file, line: line) { connection in
            try await connection.query(query, logger: logger, file: file, line: line).collect()
        }
    }

    private func refuseNestedLease(file: String, line: Int) throws(NestedLeaseError) {
        guard Self.isHoldingConnection else { return }
        logger.error("A database connection was requested while one is held", metadata: ["code.filepath": "\(file)", "code.lineno": "\(line)"])
        throw NestedLeaseError(file: file, line: line)
    }

    /// Whether the database answers, for readiness probes.
    public func isReachable() async -> Bool {
        (try? await query("SELECT 1")) != nil
    }
}

/// An operation was abandoned because its connection closed under it and its query was never
/// answered; nothing it did was committed unless its commit had reached the server.
public struct ConnectionLostError: Error, CustomStringConvertible {
    public var file: String
    public var line: Int

    public var description: String { "the database connection closed under the operation at \(file):\(line) and it was abandoned" }
}

/// A connection was asked for by a task that already holds one (see ``Database``).
public struct NestedLeaseError: Error, CustomStringConvertible {
    public var file: String
    public var line: Int

    public var description: String { "a database connection was requested at \(file):\(line) while one is held" }
}

extension PostgresConnection {
    /// Runs a query and throws away its rows.
    public func execute(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws {
        let rows = try await self.query(query, logger: logger, file: file, line: line)
        for try await _ in rows {}
    }

    /// Holds the lock named `name` until the transaction ends: a second transaction asking for it
    /// waits, then sees what the first committed.
    public func lockForTransaction(_ name: String, logger: Logger) async throws {
        try await execute("SELECT pg_advisory_xact_lock(hashtext(\(name)))", logger: logger)
    }
}

extension Array where Element == PostgresRow {
    /// Decodes every row as a tuple of columns, as PostgresNIO's row sequences do.
    public func decode<each Column: PostgresDecodable>(
        _ columns: (repeat each Column).Type, file: String = #fileID, line: Int = #line
    ) throws -> [(repeat each Column)] {
        try map { try $0.decode(columns, file: file, line: line) }
    }

    /// Decodes every row's single column.
    public func decode<Column: PostgresDecodable>(_ column: Column.Type, file: String = #fileID, line: Int = #line) throws -> [Column] {
        try map { try $0.decode(column, file: file, line: line) }
    }
}
