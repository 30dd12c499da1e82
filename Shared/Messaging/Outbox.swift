import Foundation
import Logging
import NIOCore
import PostgresNIO
import PostgresStorage
import Synchronization

/// A message a service owes to Kafka, recorded in the same transaction as the change it reports.
public struct OutboxMessage: Sendable, Hashable {
    public var eventID: UUID
    public var topic: String
    public var key: String?
    public var payload: Data
    public var headers: [String: String]

    public init(eventID: UUID, topic: String, key: String?, payload: Data, headers: [String: String] = [:]) {
        self.eventID = eventID
        self.topic = topic
        self.key = key
        self.payload = payload
        self.headers = headers
    }
}

/// A row of the outbox waiting to be published.
public struct PendingOutboxMessage: Sendable, Hashable {
    public var id: Int64
    public var message: OutboxMessage
    public var createdAt: Date
    public var attempts: Int
}

/// The outbox and inbox tables every service has (ARCHITECTURE "No loss, no duplicates").
public enum MessagingTables {
    /// Versions 1 and 2 of every service's migrations.
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "outbox", statements: [
            """
            CREATE TABLE outbox (
                id bigserial PRIMARY KEY,
                event_id uuid NOT NULL,
                topic text NOT NULL,
                message_key text,
                payload bytea NOT NULL,
                headers jsonb NOT NULL DEFAULT '{}',
                created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                sent_at timestamptz,
                attempts integer NOT NULL DEFAULT 0,
                last_error text
            )
            """,
            "CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL",
            "CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL",
        ]),
        Migration(version: 2, name: "inbox", statements: [
            """
            CREATE TABLE inbox (
                consumer text NOT NULL,
                event_id uuid NOT NULL,
                topic text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (consumer, event_id)
            )
            """
        ]),
    ]
}

/// The outbox messages of one transaction's work, held back to be recorded together when the work
/// is done (``Outbox/batching(on:logger:_:)``).
final class OutboxBatch: Sendable {
    @TaskLocal static var current: OutboxBatch?
    let connection: PostgresConnection
    private let held = Mutex<[OutboxRow]>([])

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    func hold(_ rows: [OutboxRow]) {
        held.withLock { $0 += rows }
    }

    func take() -> [OutboxRow] {
        held.withLock { rows in
            defer { rows = [] }
            return rows
        }
    }
}

/// A message as its outbox row stores it: its headers merged with the trace it was enqueued in.
struct OutboxRow: Sendable {
    var message: OutboxMessage
    var headersJSON: String
}

public enum Outbox {
    /// The ``CommitNotes`` name of work that recorded outbox messages: the relay has news.
    public static let noteName = "outbox"

    /// Records messages to publish; call inside the transaction that makes the change. Each carries
    /// the current trace context, so that its consumers continue the trace. Inside
    /// ``batching(on:logger:_:)`` on the same connection they are recorded when its work is done.
    public static func enqueue(_ messages: [OutboxMessage], on connection: PostgresConnection, logger: Logger) async throws {
        guard !messages.isEmpty else { return }
        CommitNotes.note(noteName)
        let trace = TraceHeaders.current()
        let rows = try messages.map { message in
            OutboxRow(message: message,
                headersJSON: String(decoding: try JSONEncoder().encode(message.headers.merging(trace) { own, _ in own }), as: UTF8.self))
        }
        if let batch = OutboxBatch.current, batch.connection === connection {
            batch.hold(rows)
        } else {
            try await insert(rows, on: connection, logger: logger)
        }
    }

    /// Runs `body`, a transaction's work on `connection`, holding back the messages it enqueues
    /// there, then records them in one statement, in the order they were enqueued, before the
    /// transaction commits: an action's status event and hand-off, or a consumer batch's events,
    /// cost one statement instead of one each. Nothing is recorded when `body` throws.
    public static func batching<Value>(
        on connection: PostgresConnection, logger: Logger, _ body: () async throws -> Value
    ) async throws -> Value {
        let batch = OutboxBatch(connection: connection)
        let value = try await OutboxBatch.$current.withValue(batch) { try await body() }
        try await insert(batch.take(), on: connection, logger: logger)
        return value
    }

    private static func insert(_ rows: [OutboxRow], on connection: PostgresConnection, logger: Logger) async throws {
        switch rows.count {
        case 0: return
        case 1: _ = try await connection.execute(EnqueueStatement(row: rows[0]), logger: logger)
        default: _ = try await connection.execute(EnqueueAllStatement(rows: rows), logger: logger)
        }
    }

    /// Takes the transaction-level advisory lock `lockKey` and, if this transaction got it, reads
    /// the oldest unsent rows, in one statement. Nil when another transaction holds the lock.
    public static func pendingIfLeading(lockKey: String, limit: Int, on connection: PostgresConnection, logger: Logger) async throws
        -> [PendingOutboxMessage]?
    {
        let rows = try await connection.execute(LeadAndPendingStatement(lockKey: lockKey, limit: limit), logger: logger)
        var leading = false
        var result: [PendingOutboxMessage] = []
        for try await (held, id, eventID, topic, key, payload, headers, createdAt, attempts) in rows {
            leading = held
            guard let id, let eventID, let topic, let payload, let headers, let createdAt, let attempts else { continue }
            let headerMap = (try? JSONDecoder().decode([String: String].self, from: Data(headers.utf8))) ?? [:]
            result.append(PendingOutboxMessage(
                id: id,
                message: OutboxMessage(eventID: eventID, topic: topic, key: key, payload: payload, headers: headerMap),
                createdAt: createdAt,
                attempts: attempts))
        }
        return leading ? result : nil
    }

    public static func markSent(_ ids: [Int64], on connection: PostgresConnection, logger: Logger) async throws {
        guard !ids.isEmpty else { return }
        _ = try await connection.execute(MarkSentStatement(ids: ids), logger: logger)
    }

    public static func recordFailure(_ id: Int64, error: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = \(error) WHERE id = \(id)", logger: logger)
    }

    /// Number of messages not yet published, for metrics and the fault harness.
    public static func unsentCount(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query("SELECT count(*)::int FROM outbox WHERE sent_at IS NULL", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Deletes published rows older than `age`; they are kept a while to help investigations.
    public static func purgeSent(olderThan age: Duration, on connection: PostgresConnection, logger: Logger) async throws {
        let seconds = Double(age.components.seconds)
        try await connection.execute(
            "DELETE FROM outbox WHERE sent_at < clock_timestamp() - make_interval(secs => \(seconds))", logger: logger)
    }
}

public enum Inbox {
    /// Records that a consumer applied these events, in one statement; returns the ids it had not
    /// recorded before. The caller applies only those (and each once). Call inside the transaction
    /// that applies the events.
    public static func recordFirstApplications(
        of events: [(id: UUID, topic: String)],
        consumer: String,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Set<UUID> {
        var topics: [UUID: String] = [:]
        for event in events where topics[event.id] == nil { topics[event.id] = event.topic }
        guard !topics.isEmpty else { return [] }
        let statement = RecordApplicationsStatement(consumer: consumer, eventIDs: Array(topics.keys), topics: Array(topics.values))
        var recorded = Set<UUID>()
        for try await id in try await connection.execute(statement, logger: logger) { recorded.insert(id) }
        return recorded
    }
}

// Every event a service sends or applies runs these: prepared, Postgres parses and plans them once
// per connection. Parameter types are those PostgresNIO gives the values.

private struct EnqueueStatement: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO outbox (event_id, topic, message_key, payload, headers) VALUES ($1, $2, $3, $4, $5::jsonb)
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .text, .text, .bytea, .text]
    typealias Row = ()

    var row: OutboxRow

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(row.message.eventID)
        bindings.append(row.message.topic)
        bindings.append(row.message.key)
        try bindings.append(row.message.payload)
        bindings.append(row.headersJSON)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}

/// Several messages in one statement; their ids (the relay's order) follow the array's order.
private struct EnqueueAllStatement: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO outbox (event_id, topic, message_key, payload, headers)
        SELECT m.event_id, m.topic, CASE WHEN m.keyed THEN m.message_key END, m.payload, m.headers::jsonb
        FROM unnest($1::uuid[], $2::text[], $3::bool[], $4::text[], $5::bytea[], $6::text[]) WITH ORDINALITY
            AS m(event_id, topic, keyed, message_key, payload, headers, position)
        ORDER BY m.position
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuidArray, .textArray, .boolArray, .textArray, .byteaArray, .textArray]
    typealias Row = ()

    var rows: [OutboxRow]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(rows.map(\.message.eventID))
        bindings.append(rows.map(\.message.topic))
        // An array element cannot be NULL here, so a missing key travels as a flag.
        bindings.append(rows.map { $0.message.key != nil })
        bindings.append(rows.map { $0.message.key ?? "" })
        bindings.append(rows.map { ByteBuffer(bytes: $0.message.payload) })
        bindings.append(rows.map(\.headersJSON))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}

private struct RecordApplicationsStatement: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO inbox (consumer, event_id, topic) SELECT $1, event.id, event.topic FROM unnest($2::uuid[], $3::text[]) AS event(id, topic)
        ON CONFLICT DO NOTHING RETURNING event_id
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .uuidArray, .textArray]
    typealias Row = UUID

    var consumer: String
    var eventIDs: [UUID]
    var topics: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(consumer)
        bindings.append(eventIDs)
        bindings.append(topics)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(UUID.self) }
}

/// The lock is taken once (a materialised CTE) and the outbox is read only when it was granted;
/// the left join yields one row of NULLs when there is nothing to read, so the answer always
/// says whether the lock was granted.
private struct LeadAndPendingStatement: PostgresPreparedStatement {
    static let sql = """
        WITH lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(hashtext($1)) AS held)
        SELECT lock.held, o.id, o.event_id, o.topic, o.message_key, o.payload, o.headers::text, o.created_at, o.attempts
        FROM lock LEFT JOIN LATERAL (
            SELECT * FROM outbox WHERE lock.held AND sent_at IS NULL ORDER BY id LIMIT $2
        ) o ON true
        ORDER BY o.id
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8]
    typealias Row = (Bool, Int64?, UUID?, String?, String?, Data?, String?, Date?, Int?)

    var lockKey: String
    var limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(lockKey)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

private struct MarkSentStatement: PostgresPreparedStatement {
    static let sql = "UPDATE outbox SET sent_at = clock_timestamp() WHERE id = ANY($1)"
    static let bindingDataTypes: [PostgresDataType] = [.int8Array]
    typealias Row = ()

    var ids: [Int64]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
