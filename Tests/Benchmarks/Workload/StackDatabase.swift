import Foundation
import LocalStack
import Logging
import PostgresNIO
import PostgresStorage

/// Read access to every service's schema of a running stack (they share one Postgres database),
/// for measurements and the consistency audit. Reads handling's demands under the `system` scope
/// of its row-level security.
public struct StackDatabase: Sendable {
    public let database: Database
    /// Service process name → its schema, for every process of the stack.
    public let schemas: [String: String]

    /// Runs `body` with a connection pool to the stack's database.
    public static func with<Result: Sendable>(
        _ stack: PlatformStack, _ body: @Sendable (StackDatabase) async throws -> Result
    ) async throws -> Result {
        var logger = Logger(label: "workload.postgres")
        logger.logLevel = .error
        let environment = stack.environment
        let database = Database(
            settings: PostgresSettings(host: environment.postgresHost, port: environment.postgresPort, username: environment.postgresUser,
                password: environment.postgresPassword, database: environment.postgresDatabase, schema: "public", maximumConnections: 4),
            logger: logger)
        var schemas: [String: String] = [:]
        for process in stack.messagingProcesses { schemas[process.name] = process.environment["POSTGRES_SCHEMA"] }
        let stackDatabase = StackDatabase(database: database, schemas: schemas)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await database.client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(stackDatabase)
        }
    }

    /// Schemas of the processes whose name starts with one of `kinds` ("intake", "dispatch", ...).
    public func schemas(of kinds: [String]) -> [(process: String, schema: String)] {
        schemas.filter { entry in kinds.contains { entry.key == $0 || entry.key.hasPrefix($0 + "-") } }
            .map { ($0.key, $0.value) }.sorted { $0.process < $1.process }
    }

    /// Runs `sql` on one connection in the system scope and returns its rows.
    public func rows(_ sql: String) async throws -> [PostgresRow] {
        try await database.client.withConnection { connection in
            try await connection.execute("SELECT set_config('app.scope', 'system', false)", logger: database.logger)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: database.logger)
            var result: [PostgresRow] = []
            for try await row in rows { result.append(row) }
            return result
        }
    }

    /// The first column of every row of `sql`.
    public func values<Column: PostgresDecodable>(_ sql: String, as: Column.Type) async throws -> [Column] {
        try await rows(sql).map { try $0.decode(Column.self) }
    }

    public func execute(_ sql: String) async throws {
        try await database.client.withConnection { connection in
            try await connection.execute("SELECT set_config('app.scope', 'system', false)", logger: database.logger)
            try await connection.execute(PostgresQuery(unsafeSQL: sql), logger: database.logger)
        }
    }

    /// Runs `sql`, which names its tables without a schema, in `schema`, in one transaction.
    public func execute(_ sql: String, inSchema schema: String) async throws {
        try await database.client.withConnection { connection in
            try await connection.execute("BEGIN", logger: database.logger)
            do {
                try await connection.execute("SELECT set_config('app.scope', 'system', true), set_config('search_path', \(schema), true)",
                    logger: database.logger)
                try await connection.execute(PostgresQuery(unsafeSQL: sql), logger: database.logger)
                try await connection.execute("COMMIT", logger: database.logger)
            } catch {
                try? await connection.execute("ROLLBACK", logger: database.logger)
                throw error
            }
        }
    }

    static func quoted(_ identifier: String) -> String { "\"\(identifier.replacingOccurrences(of: "\"", with: "\"\""))\"" }

    static func list(_ ids: [UUID]) -> String {
        ids.isEmpty ? "ARRAY[]::uuid[]" : "ARRAY[" + ids.map { "'\($0.uuidString)'" }.joined(separator: ",") + "]::uuid[]"
    }

    // MARK: Measurements

    /// Transactions committed in the database so far (Postgres's statistics lag by about a second).
    public func commitsSoFar() async throws -> Int64 {
        try await values("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", as: Int64.self).first ?? 0
    }

    /// Forgets what `pg_stat_statements` counted so far (the local stack preloads it).
    public func resetStatementStatistics() async throws {
        try await execute("SELECT pg_stat_statements_reset()")
    }

    /// What Postgres ran since the last reset, by statement text (the same statement in several
    /// services' schemas is one line): the `top` by execution and planning time and the `top` by
    /// calls (BEGIN and COMMIT count the transactions), most time first. A statement sent unprepared
    /// is planned at every call; a prepared one mostly reuses its plan.
    public func statementStatistics(top: Int) async throws -> [StatementCost] {
        try await rows(
            """
            WITH statements AS (
                SELECT regexp_replace(query, '\\s+', ' ', 'g') AS text, sum(calls)::bigint AS calls,
                    sum(total_exec_time)::float8 AS milliseconds, sum(total_plan_time)::float8 AS planning
                FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                GROUP BY text)
            SELECT text, calls, milliseconds, planning FROM (
                (SELECT * FROM statements ORDER BY milliseconds + planning DESC LIMIT \(top))
                UNION (SELECT * FROM statements ORDER BY calls DESC LIMIT \(top))) busiest
            ORDER BY milliseconds + planning DESC
            """
        ).map { row in
            let (text, calls, milliseconds, planning) = try row.decode((String, Int64, Double, Double).self)
            return StatementCost(statement: text, calls: Double(calls), milliseconds: milliseconds, planningMilliseconds: planning)
        }
    }

    /// Messages not yet published, per service.
    public func unsentOutbox() async throws -> [String: Int] {
        var result: [String: Int] = [:]
        for (process, schema) in schemas.sorted(by: { $0.key < $1.key }) {
            result[process] = try await values("SELECT count(*)::int FROM \(Self.quoted(schema)).outbox WHERE sent_at IS NULL", as: Int.self).first
        }
        return result
    }

    /// Messages written to outboxes since `since` (what the services publish).
    public func messagesPublished(since: Date) async throws -> Int {
        var total = 0
        for (_, schema) in schemas {
            total += try await values(
                "SELECT count(*)::int FROM \(Self.quoted(schema)).outbox WHERE created_at >= to_timestamp(\(since.timeIntervalSince1970))",
                as: Int.self).first ?? 0
        }
        return total
    }

    /// Every event written to an outbox since `since` and applied by a consumer: which service
    /// wrote it, which applied it, the topic, and microseconds from outbox row to inbox row.
    public func hops(since: Date) async throws -> [(producer: String, consumer: String, topic: String, microseconds: Int64)] {
        let start = "to_timestamp(\(since.timeIntervalSince1970))"
        let outboxes = schemas.map { process, schema in
            "SELECT '\(process)' AS producer, event_id, topic, created_at FROM \(Self.quoted(schema)).outbox WHERE created_at >= \(start)"
        }.joined(separator: " UNION ALL ")
        let inboxes = schemas.map { process, schema in
            "SELECT '\(process)' AS consumer, event_id, received_at FROM \(Self.quoted(schema)).inbox WHERE received_at >= \(start)"
        }.joined(separator: " UNION ALL ")
        return try await rows(
            """
            WITH o AS (\(outboxes)), i AS (\(inboxes))
            SELECT o.producer, i.consumer, o.topic, (extract(epoch FROM i.received_at - o.created_at) * 1000000)::bigint
            FROM o JOIN i USING (event_id)
            """
        ).map { row in
            let (producer, consumer, topic, microseconds) = try row.decode((String, String, String, Int64).self)
            return (producer, consumer, topic, microseconds)
        }
    }

    /// When the gateway first accepted an SMS of each demand.
    public func firstSMSAccepted(demands: [UUID]) async throws -> [UUID: Date] {
        guard let notifier = schemas["notifier"] else { return [:] }
        let found = try await rows(
            """
            SELECT demand_id, min(accepted_at) FROM \(Self.quoted(notifier)).sms_intents
            WHERE demand_id = ANY(\(Self.list(demands))) AND accepted_at IS NOT NULL GROUP BY demand_id
            """
        ).map { try $0.decode((UUID, Date).self) }
        return Dictionary(found, uniquingKeysWith: { first, _ in first })
    }

    /// SMS the notifier has not finished with (pending or in flight).
    public func unsentSMS() async throws -> Int {
        guard let notifier = schemas["notifier"] else { return 0 }
        return try await values(
            "SELECT ((SELECT count(*) FROM \(Self.quoted(notifier)).sms_intents WHERE state = 'pending') + "
                + "(SELECT count(*) FROM \(Self.quoted(notifier)).sms_intents WHERE state = 'inFlight'))::int", as: Int.self
        ).first ?? 0
    }

    /// Directory entries held by each process that keeps a copy of the directory.
    public func directorySizes() async throws -> [String: Int] {
        var result: [String: Int] = [:]
        for (process, schema) in schemas {
            let tables = try await values(
                "SELECT count(*)::int FROM information_schema.tables WHERE table_schema = '\(schema)' AND table_name = 'directory'",
                as: Int.self)
            guard tables.first == 1 else { continue }
            result[process] = try await values("SELECT count(*)::int FROM \(Self.quoted(schema)).directory", as: Int.self).first
        }
        return result
    }

    /// Demands held by each demand-holding service.
    public func demandCounts() async throws -> [String: Int] {
        var result: [String: Int] = [:]
        for (process, schema) in schemas(of: ["intake", "dispatch", "handling"]) {
            result[process] = try await values("SELECT count(*)::int FROM \(Self.quoted(schema)).demands", as: Int.self).first
        }
        return result
    }
}

/// A statement's calls and execution time in Postgres (totals, or per journey once divided).
public struct StatementCost: Codable, Sendable {
    public var statement: String
    public var calls: Double
    /// Execution time (waiting for locks included).
    public var milliseconds: Double
    /// Planning time (`pg_stat_statements.track_planning`); nil in results written before it was kept.
    public var planningMilliseconds: Double?

    func per(_ journeys: Double) -> StatementCost {
        StatementCost(statement: statement, calls: calls / journeys, milliseconds: milliseconds / journeys,
            planningMilliseconds: planningMilliseconds.map { $0 / journeys })
    }
}
