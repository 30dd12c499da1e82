import Logging
import PostgresStorage
import ServiceLifecycle

/// Applies migrations (waiting for Postgres if it is not up yet), runs the start-up work, then opens
/// the gate that the service's consumers, scanners and readiness wait for.
public struct MigrationService: Service {
    let database: Database
    let migrations: [Migration]
    let gate: StartupGate
    let logger: Logger
    let afterMigrations: @Sendable () async throws -> Void

    public init(
        database: Database, migrations: [Migration], gate: StartupGate, logger: Logger,
        afterMigrations: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.database = database
        self.migrations = migrations
        self.gate = gate
        self.logger = logger
        self.afterMigrations = afterMigrations
    }

    public func run() async throws {
        var backoff = Duration.milliseconds(200)
        while true {
            do {
                try await MigrationRunner.apply(migrations, to: database)
                break
            } catch let error as MigrationError {
                throw error
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                logger.warning("Postgres not ready for migrations; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        try await afterMigrations()
        gate.open()
        logger.info("Schema ready", metadata: ["schema": "\(database.schema)"])
        try? await gracefulShutdown()
    }
}
