import Foundation
import Logging
import PostgresNIO

/// One versioned change to a service's schema. Statements run in order, in one transaction.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// Changes whenever the statements change, so an edited, already applied migration is caught.
    var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in statements.joined(separator: "\n;\n").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

public struct MigrationError: Error, CustomStringConvertible {
    public var description: String
}

/// Applies a service's migrations at start-up, once, even when replicas start together.
///
/// Everything happens in one transaction that first takes a transaction-level advisory lock keyed
/// by the schema: a second replica waits for the first, then finds the migrations applied.
public enum MigrationRunner {
    public static func apply(_ migrations: [Migration], to database: Database) async throws {
        let versions = migrations.map(\.version)
        guard Set(versions).count == versions.count, versions == versions.sorted() else {
            throw MigrationError(description: "migration versions must be unique and ascending: \(versions)")
        }
        let schema = database.schema
        let logger = database.logger
        try await database.transaction { connection in
            try await connection.lockForTransaction(schema, logger: logger)
            try await connection.execute(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(quoted(schema))"), logger: logger)
            try await connection.execute(
                PostgresQuery(unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(quoted(schema)).schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        checksum text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """), logger: logger)
            var applied: [Int: String] = [:]
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT version, checksum FROM \(quoted(schema)).schema_migrations"), logger: logger)
            for try await (version, checksum) in rows.decode((Int, String).self) { applied[version] = checksum }
            for migration in migrations {
                if let checksum = applied[migration.version] {
                    guard checksum == migration.checksum else {
                        throw MigrationError(description:
                            "migration \(migration.version) (\(migration.name)) changed after it was applied to \(schema); add a new migration instead")
                    }
                    continue
                }
                logger.info("Applying migration", metadata: ["schema": "\(schema)", "migration": "\(migration.version) \(migration.name)"])
                for statement in migration.statements {
                    try await connection.execute(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
                    logger: logger)
            }
        }
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
