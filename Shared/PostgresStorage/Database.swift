import Logging
import PostgresNIO
import ServiceLifecycle

/// A service's database: the connection pool (run it as a `Service`), its schema and logger.
public struct Database: Sendable {
    public let client: PostgresClient
    public let schema: String
    public let logger: Logger

    public init(settings: PostgresSettings, logger: Logger) {
        self.client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        self.schema = settings.schema
        self.logger = logger
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// Errors thrown by `body` come out as they were thrown (PostgresNIO wraps them); a failed
    /// commit or rollback comes out as the driver's error.
    public func transaction<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await client.withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }

    @discardableResult
    public func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await client.query(query, logger: logger, file: file, line: line)
    }

    /// Whether the database answers, for readiness probes.
    public func isReachable() async -> Bool {
        do {
            let rows = try await client.query("SELECT 1", logger: logger)
            for try await _ in rows {}
            return true
        } catch {
            return false
        }
    }
}

extension PostgresConnection {
    /// Runs a query and throws away its rows.
    public func execute(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws {
        let rows = try await self.query(query, logger: logger, file: file, line: line)
        for try await _ in rows {}
    }
}
