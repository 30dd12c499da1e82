import DemandDomain
import Foundation
import InputValidation
import Kafka
import LocalStack
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceLifecycle
import Synchronization
import Tenancy
import Testing

@Suite("Postgres migrations, outbox and inbox", .enabled(if: infrastructureAvailable), .timeLimit(.minutes(3)))
struct MessagingTests {
    static let exampleMigrations = MessagingTables.migrations + [
        Migration(version: 10, name: "applied events", statements: [
            "CREATE TABLE applied (event_id uuid PRIMARY KEY, body text NOT NULL)",
        ])
    ]

    @Test("Migrations apply once when several replicas start together")
    func concurrentMigrations() async throws {
        let schema = uniqueName("migrate")
        try await withDatabase(schema: schema) { database in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await MigrationRunner.apply(Self.exampleMigrations, to: database) }
                }
                try await group.waitForAll()
            }
            #expect(try await database.count("schema_migrations") == 3)
            // Applying again changes nothing; an edited migration is refused.
            try await MigrationRunner.apply(Self.exampleMigrations, to: database)
            var edited = Self.exampleMigrations
            edited[2].statements = ["CREATE TABLE applied (event_id uuid PRIMARY KEY)"]
            await #expect(throws: MigrationError.self) { try await MigrationRunner.apply(edited, to: database) }
        }
    }

    @Test("Outbox rows are published exactly once across a relay restart, in order per key")
    func relayRestart() async throws {
        let schema = uniqueName("relay")
        let topic = "test.\(schema)"
        try await control.createTopic(topic, partitions: 3)
        let producer = try producer()
        try await withDatabase(schema: schema) { database in
            try await MigrationRunner.apply(MessagingTables.migrations, to: database)
            let messages = (0..<600).map { index in
                try! OutboxMessage.event("test.v1", topic: topic, source: "/test", tenant: "maojian", subject: "demand-\(index % 7)",
                    time: Date(), data: ["index": index])
            }
            try await database.transaction { connection in
                try await Outbox.enqueue(messages, on: connection, logger: testLogger)
            }
            // First relay publishes two small batches, then stops as a graceful shutdown would.
            let first = OutboxRelay(database: database, producer: producer, logger: testLogger, batchSize: 100)
            try await first.publishBatch()
            try await first.publishBatch()
            #expect(try await first.unsentCount() == 400)
            // A new relay (a restarted process) publishes the rest.
            let second = OutboxRelay(database: database, producer: producer, logger: testLogger, batchSize: 100)
            let running = Task { try await second.run() }
            #expect(try await eventually { try await second.unsentCount() == 0 })
            running.cancel()
            _ = await running.result
        }
        await producer.shutdown()
        let received = try await readTopic(topic, count: 601, within: 8)
        let ids = received.compactMap { $0.header(EventHeader.id)?.stringValue }
        #expect(ids.count == 600)
        #expect(Set(ids).count == 600)
        for key in 0..<7 {
            let indexes = received.filter { $0.keyString == "demand-\(key)" }.map { message -> Int in
                let event = try! EventCoding.decode([String: Int].self, from: Data(message.value))
                return event.data["index"]!
            }
            #expect(indexes == indexes.sorted(), "order of demand-\(key)")
        }
    }

    @Test("A batching transaction records its messages together at its end, in order, keys, headers and bytes as given; nothing when it throws")
    func batchedEnqueue() async throws {
        let schema = uniqueName("batch")
        try await withDatabase(schema: schema) { database in
            try await MigrationRunner.apply(MessagingTables.migrations, to: database)
            // Bytes that are not UTF-8 (a dead letter's copy of a foreign message), JSON, nothing; one message without a key.
            let payloads = [Data([0xff, 0x00, 0xfe]), Data(#"{"a":1}"#.utf8), Data()]
            let messages = payloads.enumerated().map { index, payload in
                OutboxMessage(eventID: UUID(), topic: "t\(index)", key: index == 1 ? nil : "k\(index)", payload: payload,
                    headers: ["h": "\(index)"])
            }
            let heldBack = try await database.transaction { connection in
                try await Outbox.batching(on: connection, logger: testLogger) {
                    for message in messages { try await Outbox.enqueue([message], on: connection, logger: testLogger) }
                    return try await connection.query("SELECT count(*)::int FROM outbox", logger: testLogger).collect()
                        .decode(Int.self).first
                }
            }
            #expect(heldBack == 0)
            let rows = try await database.query("SELECT event_id, topic, message_key, payload, headers->>'h' FROM outbox ORDER BY id")
                .decode((UUID, String, String?, Data, String).self)
            #expect(rows.map(\.0) == messages.map(\.eventID))
            #expect(rows.map(\.1) == messages.map(\.topic))
            #expect(rows.map(\.2) == messages.map(\.key))
            #expect(rows.map(\.3) == payloads)
            #expect(rows.map(\.4) == ["0", "1", "2"])

            struct Stop: Error {}
            await #expect(throws: Stop.self) {
                try await database.transaction { connection in
                    try await Outbox.batching(on: connection, logger: testLogger) {
                        try await Outbox.enqueue(messages, on: connection, logger: testLogger)
                        throw Stop()
                    }
                }
            }
            #expect(try await database.count("outbox") == 3)
        }
    }

    @Test("The relay looks when woken, not in a loop; after finding another replica's relay at work it looks again soon")
    func relayLooksWhenWoken() async throws {
        let schema = uniqueName("wake")
        let topic = "test.\(schema)"
        try await control.createTopic(topic, partitions: 1)
        let producer = try producer()
        try await withDatabase(schema: schema) { database in
            try await MigrationRunner.apply(MessagingTables.migrations, to: database)
            @Sendable func enqueue() async throws {
                try await database.transaction { connection in
                    try await Outbox.enqueue([try .event("test.v1", topic: topic, source: "/test", tenant: "maojian", subject: "d1",
                        time: Date(), data: ["n": 1])], on: connection, logger: testLogger)
                }
            }
            let relay = OutboxRelay(database: database, producer: producer, logger: testLogger, idleInterval: .seconds(60))
            let running = Task { try await relay.run() }
            try await Task.sleep(for: .milliseconds(300))
            // A row nobody woke the relay for waits for the idle look.
            try await enqueue()
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await relay.unsentCount() == 1)
            relay.wake()
            #expect(try await eventually(within: 5) { try await relay.unsentCount() == 0 })

            // Another replica's relay holds the outbox for a second while this one is woken.
            let (held, holding) = AsyncStream.makeStream(of: Void.self)
            let otherReplica = Task {
                try await database.transaction { connection in
                    try await connection.execute("SELECT pg_advisory_xact_lock(hashtext(\("outbox-relay:\(schema)")))",
                        logger: testLogger)
                    holding.yield()
                    try await Task.sleep(for: .seconds(1))
                }
            }
            for await _ in held { break }
            try await enqueue()
            relay.wake()
            let woken = ContinuousClock.now
            try await otherReplica.value
            #expect(try await eventually(within: 5) { try await relay.unsentCount() == 0 })
            #expect(ContinuousClock.now - woken < .seconds(3), "published after the other relay let go, not at the idle look")
            running.cancel()
            _ = await running.result
        }
        await producer.shutdown()
        let received = try await readTopic(topic, count: 2, within: 8)
        #expect(received.count == 2)
    }

    /// A test event's bytes, `["n": n]` about `subject`, as a producer without the outbox sends it (no attribute headers).
    static func testEvent(_ n: Int, subject: String) throws -> [UInt8] {
        Array(try EventCoding.encode(
            CloudEvent(source: "/test", type: "test.v1", subject: subject, time: Date(), tenant: "maojian", data: ["n": n])))
    }

    @Test("The inbox makes a redelivered event a no-op, within a batch and after it; undecodable messages are dead-lettered")
    func inboxAndDeadLetters() async throws {
        let schema = uniqueName("inbox")
        let topic = "tier.maojian.test-\(schema)"
        try await control.createTopic(topic, partitions: 2)
        let deadLetters = Topics.deadLetter("maojian")
        try await control.createTopic(deadLetters, partitions: 1)
        let producer = try producer()
        let bytes = try Self.testEvent(1, subject: "d1")
        // The same event three times (redelivery, a duplicate from a relay restart), garbage, another event.
        _ = await producer.send([
            KafkaProducerMessage(topic: topic, key: "d1", value: bytes),
            KafkaProducerMessage(topic: topic, key: "d1", value: bytes),
            KafkaProducerMessage(topic: topic, key: "d1", value: Array("{not json".utf8)),
            KafkaProducerMessage(topic: topic, key: "d1", value: bytes),
            KafkaProducerMessage(topic: topic, key: "d2", value: try Self.testEvent(2, subject: "d2")),
        ])
        try await withDatabase(schema: schema) { database in
            try await MigrationRunner.apply(Self.exampleMigrations, to: database)
            let relay = OutboxRelay(database: database, producer: producer, logger: testLogger)
            // Lingers, so that the five come as one batch: its inbox statement sees the same event thrice.
            let consumer = EventConsumer(
                name: "test", topics: [topic], source: .ownGroup(consumerConfiguration(group: schema)), database: database,
                logger: testLogger, linger: .seconds(1), afterCommit: { _ in relay.wake() },
                handling: .each { event, connection in
                    let decoded = try event.decode([String: Int].self)
                    try await connection.execute(
                        "INSERT INTO applied (event_id, body) VALUES (\(decoded.id), \(String(decoded.data["n"]!)))", logger: testLogger)
                })
            let group = ServiceGroup(services: [consumer, relay], logger: testLogger)
            let running = Task { try await group.run() }
            #expect(try await eventually { try await database.count("applied") == 2 })
            #expect(try await eventually { try await database.count("outbox WHERE sent_at IS NOT NULL") == 1 })
            // Redelivered in a later batch, before a new event of its partition: once that one is
            // applied, the copy has been passed over.
            _ = await producer.send([
                KafkaProducerMessage(topic: topic, key: "d1", value: bytes),
                KafkaProducerMessage(topic: topic, key: "d1", value: try Self.testEvent(3, subject: "d3")),
            ])
            #expect(try await eventually { try await database.count("applied") >= 3 })
            #expect(try await database.count("applied") == 3)
            #expect(try await database.count("inbox") == 4)
            await group.triggerGracefulShutdown()
            _ = await running.result
        }
        await producer.shutdown()
        let dead = try await readTopic(deadLetters, count: 50, within: 5).filter { $0.header("dlq-topic")?.stringValue == topic }
        #expect(dead.count == 1)
        #expect(dead.first?.header("dlq-reason-code")?.stringValue == "UNDECODABLE_ENVELOPE")
        #expect(dead.first.map { String(decoding: $0.value, as: UTF8.self) } == "{not json")
    }

    @Test("A batch handler's refused event is dead-lettered with its reason; the rest of its batch is applied")
    func batchRefusal() async throws {
        let schema = uniqueName("batch")
        let topic = "tier.maojian.test-\(schema)"
        try await control.createTopic(topic, partitions: 1)
        let deadLetters = Topics.deadLetter("maojian")
        try await control.createTopic(deadLetters, partitions: 1)
        let producer = try producer()
        _ = await producer.send(try (1...3).map { n in
            KafkaProducerMessage(topic: topic, key: "d", value: try Self.testEvent(n, subject: "d\(n)"))
        })
        try await withDatabase(schema: schema) { database in
            try await MigrationRunner.apply(Self.exampleMigrations, to: database)
            let relay = OutboxRelay(database: database, producer: producer, logger: testLogger)
            // Gathers the three into one batch; refuses n = 2 wherever it stands in the batch.
            let consumer = EventConsumer(
                name: "batch", topics: [topic], source: .ownGroup(consumerConfiguration(group: schema)), database: database,
                logger: testLogger, deduplicates: false, linger: .seconds(1), afterCommit: { _ in relay.wake() },
                handling: .batch { events, connection in
                    for (index, event) in events.enumerated() {
                        let decoded = try event.decode([String: Int].self)
                        if decoded.data["n"] == 2 {
                            throw RefusedEvent(index: index, rejection: EventRejection(code: "TEST_REFUSED", reason: "n = 2"))
                        }
                        try await connection.execute(
                            "INSERT INTO applied (event_id, body) VALUES (\(decoded.id), \(String(decoded.data["n"]!)))", logger: testLogger)
                    }
                })
            let group = ServiceGroup(services: [consumer, relay], logger: testLogger)
            let running = Task { try await group.run() }
            #expect(try await eventually { try await database.count("applied") == 2 })
            #expect(try await eventually { try await database.count("outbox WHERE sent_at IS NOT NULL") == 1 })
            let bodies = try await database.query(PostgresQuery(unsafeSQL: "SELECT body FROM applied ORDER BY body")).decode(String.self)
            #expect(bodies == ["1", "3"])
            await group.triggerGracefulShutdown()
            _ = await running.result
        }
        await producer.shutdown()
        let dead = try await readTopic(deadLetters, count: 50, within: 5).filter { $0.header("dlq-topic")?.stringValue == topic }
        #expect(dead.count == 1)
        #expect(dead.first?.header("dlq-reason-code")?.stringValue == "TEST_REFUSED")
    }

    struct DatabaseTrouble: Error {}

    @Test("A consumer that cannot apply what it holds reports how long it has stalled, and nothing once it catches up")
    func stalledConsumer() async throws {
        let schema = uniqueName("stall")
        let topic = "tier.maojian.test-\(schema)"
        try await control.createTopic(topic, partitions: 1)
        let producer = try producer()
        _ = await producer.send([KafkaProducerMessage(topic: topic, key: "d1", value: try Self.testEvent(1, subject: "d1"))])
        let failing = Mutex(true)
        try await withDatabase(schema: schema) { database in
            try await MigrationRunner.apply(Self.exampleMigrations, to: database)
            let consumer = EventConsumer(
                name: "stall", topics: [topic], source: .ownGroup(consumerConfiguration(group: schema)), database: database, logger: testLogger,
                handling: .each { event, connection in
                    if failing.withLock({ $0 }) { throw DatabaseTrouble() }
                    try await connection.execute("INSERT INTO applied (event_id, body) VALUES (\(event.header.id), 'ok')", logger: testLogger)
                })
            #expect(consumer.stalledFor == nil)
            let group = ServiceGroup(services: [consumer], logger: testLogger)
            let running = Task { try await group.run() }
            #expect(try await eventually { (consumer.stalledFor ?? .zero) > .seconds(2) })
            failing.withLock { $0 = false }
            #expect(try await eventually { try await database.count("applied") == 1 })
            #expect(consumer.stalledFor == nil)
            await group.triggerGracefulShutdown()
            _ = await running.result
        }
        await producer.shutdown()
    }

    @Test("Consumers sharing one group member each apply their own topics, and the group commits both")
    func sharedGroupMember() async throws {
        let schema = uniqueName("shared")
        let (first, second) = ("tier.maojian.test-\(schema)-a", "tier.maojian.test-\(schema)-b")
        try await control.createTopic(first, partitions: 2)
        try await control.createTopic(second, partitions: 1)
        let producer = try producer()
        func events(_ topic: String, _ count: Int) throws -> [KafkaProducerMessage] {
            try (0..<count).map { n in KafkaProducerMessage(topic: topic, key: "d\(n)", value: try Self.testEvent(n, subject: "d\(n)")) }
        }
        _ = await producer.send(try events(first, 4) + events(second, 3))
        await producer.shutdown()
        try await withDatabase(schema: schema) { database in
            try await MigrationRunner.apply(Self.exampleMigrations, to: database)
            let member = try KafkaConsumer(configuration: consumerConfiguration(group: schema), logger: testLogger)
            // Each consumer records which consumer applied an event of which topic.
            func consumer(_ name: String, topic: String) -> EventConsumer {
                EventConsumer(name: name, topics: [topic], source: .member(member), database: database, logger: testLogger,
                    handling: .each { event, connection in
                        try await connection.execute(
                            "INSERT INTO applied (event_id, body) VALUES (\(event.header.id), \(name + " " + event.topic))", logger: testLogger)
                    })
            }
            let group = ServiceGroup(
                services: [ConsumerGroupMember(member), consumer("first", topic: first), consumer("second", topic: second)],
                logger: testLogger)
            let running = Task { try await group.run() }
            #expect(try await eventually { try await database.count("applied") == 7 })
            await group.triggerGracefulShutdown()
            try await running.value
            let bodies = try await database.query(PostgresQuery(unsafeSQL: "SELECT body FROM applied")).decode(String.self)
            #expect(bodies.filter { $0 == "first \(first)" }.count == 4)
            #expect(bodies.filter { $0 == "second \(second)" }.count == 3)
        }
        // The member committed what both consumers applied before it left the group.
        let inspector = try KafkaConsumer(configuration: consumerConfiguration(group: schema), logger: testLogger)
        var committed: Int64 = 0
        for partition in Int32(0)..<2 { committed += try await inspector.committedOffset(topic: first, partition: partition) ?? 0 }
        #expect(committed == 4)
        #expect(try await inspector.committedOffset(topic: second, partition: 0) == 3)
        try await inspector.close()
    }
}
