import Foundation
@testable import Kafka
import LocalStack
import Logging
import Synchronization
import Testing

/// Runs against the dev Kafka cluster that `deploy/local/test` starts (or any cluster whose
/// bootstrap servers and dev control URL are in the environment).
@Suite("Kafka client against the dev cluster", .enabled(if: StackEnvironment.current.hasDevKafka), .timeLimit(.minutes(3)))
struct KafkaTests {
    let environment = StackEnvironment.current
    var bootstrap: String { environment.kafkaBootstrapServers! }
    var control: DevClusterControl { DevClusterControl(baseURL: environment.kafkaDevControlURL!) }
    let logger: Logger = {
        var logger = Logger(label: "kafka-test")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .error
        return logger
    }()

    func uniqueTopic(_ name: String) -> String { "test.\(name).\(UUID().uuidString.prefix(8).lowercased())" }

    func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: .init(bootstrapServers: bootstrap, clientID: "test-producer"), logger: logger)
    }

    func consumer(group: String, pollStep: Duration = .seconds(1)) throws -> KafkaConsumer {
        try KafkaConsumer(
            configuration: .init(bootstrapServers: bootstrap, groupID: group, clientID: "test-consumer",
                overrides: ["session.timeout.ms": "6000"].merging(
                    ProcessInfo.processInfo.environment["TEST_KAFKA_DEBUG"].map { ["debug": $0] } ?? [:]) { $1 }),
            logger: logger, pollStep: pollStep)
    }

    /// Reads until `count` messages arrived or `seconds` passed, and returns what arrived.
    func read(_ consumer: KafkaConsumer, count: Int, within seconds: Double = 30, store: Bool = true) async throws
        -> [KafkaConsumerMessage]
    {
        let received = Mutex<[KafkaConsumerMessage]>([])
        let reader = Task {
            for try await message in consumer.messages {
                if store { try consumer.storeOffset(for: message) }
                let total = received.withLock { $0.append(message); return $0.count }
                if total >= count { break }
            }
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !reader.isCancelled, ContinuousClock.now < deadline, received.withLock({ $0.count }) < count {
            try await Task.sleep(for: .milliseconds(50))
        }
        reader.cancel()
        _ = await reader.result
        return received.withLock { $0 }
    }

    @Test("Messages with keys and headers come back as sent, in order per key")
    func roundTrip() async throws {
        let topic = uniqueTopic("roundtrip")
        try await control.createTopic(topic, partitions: 4)
        let producer = try producer()
        let messages = (0..<200).map { index in
            KafkaProducerMessage(topic: topic, key: "demand-\(index % 10)", value: Array("payload-\(index)".utf8),
                headers: [KafkaHeader(key: "ce-type", string: "test.v1"), KafkaHeader(key: "empty", value: nil)])
        }
        let reports = await producer.send(messages)
        #expect(reports.allSatisfy { (try? $0.get()) != nil })
        await producer.shutdown()

        let consumer = try consumer(group: "roundtrip-\(UUID())")
        try consumer.subscribe(topics: [topic])
        let received = try await read(consumer, count: 200)
        try await consumer.close()
        #expect(received.count == 200)
        #expect(Set(received.map { String(decoding: $0.value, as: UTF8.self) }).count == 200)
        let first = try #require(received.first)
        #expect(first.header("ce-type")?.stringValue == "test.v1")
        #expect(first.headers.contains(KafkaHeader(key: "empty", value: nil)))
        for key in 0..<10 {
            let values = received.filter { $0.keyString == "demand-\(key)" }.map { String(decoding: $0.value, as: UTF8.self) }
            let expected = stride(from: key, to: 200, by: 10).map { "payload-\($0)" }
            #expect(values == expected, "order of key \(key)")
        }
        // One key always lands on one partition.
        let partitionsPerKey = Dictionary(grouping: received, by: { $0.keyString! }).mapValues { Set($0.map(\.partition)).count }
        #expect(partitionsPerKey.values.allSatisfy { $0 == 1 })
    }

    @Test("A consumer that commits, closes and reopens resumes after its last commit")
    func resumeAfterCommit() async throws {
        let topic = uniqueTopic("resume")
        try await control.createTopic(topic, partitions: 1)
        let producer = try producer()
        _ = await producer.send((0..<20).map { KafkaProducerMessage(topic: topic, key: "k", value: Array("m\($0)".utf8)) })
        await producer.shutdown()
        let group = "resume-\(UUID())"

        let first = try consumer(group: group)
        try first.subscribe(topics: [topic])
        // Process and store only the first 12 of what arrives.
        var processed = 0
        for try await message in first.messages {
            try first.storeOffset(for: message)
            processed += 1
            if processed == 12 { break }
        }
        try await first.commit()
        #expect(try await first.committedOffset(topic: topic, partition: 0) == 12)
        try await first.close()

        let second = try consumer(group: group)
        try second.subscribe(topics: [topic])
        let rest = try await read(second, count: 8)
        try await second.close()
        #expect(rest.map { String(decoding: $0.value, as: UTF8.self) } == (12..<20).map { "m\($0)" })
    }

    @Test("A batch with a linger gathers what arrives within it; without one it is what was ready")
    func lingeringBatches() async throws {
        let topic = uniqueTopic("linger")
        try await control.createTopic(topic, partitions: 1)
        let prompt = try consumer(group: "prompt-\(UUID())")
        let patient = try consumer(group: "patient-\(UUID())")
        try prompt.subscribe(topics: [topic])
        try patient.subscribe(topics: [topic])
        let firstBatches = [prompt.batches(), patient.batches(linger: .seconds(3))].map { batches in
            Task { () -> [String] in
                for try await batch in batches { return batch.map { String(decoding: $0.value, as: UTF8.self) } }
                return []
            }
        }
        try await eventuallyTrue(within: .seconds(30)) { !prompt.assignment.isEmpty && !patient.assignment.isEmpty }
        let producer = try producer()
        _ = await producer.send([KafkaProducerMessage(topic: topic, key: "k", value: Array("m0".utf8))])
        try await Task.sleep(for: .milliseconds(800))
        _ = await producer.send((1..<5).map { KafkaProducerMessage(topic: topic, key: "k", value: Array("m\($0)".utf8)) })
        await producer.shutdown()
        #expect(try await firstBatches[0].value == ["m0"])
        #expect(try await firstBatches[1].value == ["m0", "m1", "m2", "m3", "m4"])
        try await prompt.close()
        try await patient.close()
    }

    @Test("A waiting poll ends as soon as its task is cancelled or its consumer closes, not at the end of its wait")
    func pollsWakeUp() async throws {
        let topic = uniqueTopic("quiet")
        try await control.createTopic(topic, partitions: 1)
        // Each blocking poll waits up to a minute: only a wake can end these within seconds.
        let consumer = try consumer(group: "quiet-\(UUID())", pollStep: .seconds(60))
        let reader = consumer.reader(topics: [topic])
        try consumer.subscribe(topics: consumer.readerTopics)
        let serving = Task { try await consumer.serveGroupEvents() }
        let readerBatches = reader.batches()
        let reading = Task { () -> Int in
            var batches = 0
            for try await _ in readerBatches { batches += 1 }
            return batches
        }
        try await eventuallyTrue(within: .seconds(30)) { !consumer.assignment.isEmpty }
        try await Task.sleep(for: .milliseconds(300))

        var started = ContinuousClock.now
        serving.cancel()
        try await serving.value
        #expect(ContinuousClock.now - started < .seconds(5), "the group's poll ended only when its wait ran out")

        started = ContinuousClock.now
        try await consumer.close()
        #expect(try await reading.value == 0)
        #expect(ContinuousClock.now - started < .seconds(5), "the reader's poll ended only when its wait ran out")
    }

    /// Waits until `condition` holds, polling every 50 ms.
    func eventuallyTrue(within limit: Duration, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            try #require(ContinuousClock.now < deadline, "the condition did not hold within \(limit)")
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("A regular-expression subscription reads every matching topic")
    func regexSubscription() async throws {
        let prefix = "test.rx\(UUID().uuidString.prefix(6).lowercased())"
        try await control.createTopic("\(prefix).a.status", partitions: 2)
        try await control.createTopic("\(prefix).b.status", partitions: 2)
        let producer = try producer()
        _ = await producer.send([
            KafkaProducerMessage(topic: "\(prefix).a.status", key: "1", value: Array("a".utf8)),
            KafkaProducerMessage(topic: "\(prefix).b.status", key: "2", value: Array("b".utf8)),
        ])
        await producer.shutdown()
        let consumer = try consumer(group: "rx-\(UUID())")
        try consumer.subscribe(topics: ["^\(prefix.replacingOccurrences(of: ".", with: "\\."))\\..*\\.status$"])
        let received = try await read(consumer, count: 2)
        try await consumer.close()
        #expect(Set(received.map(\.topic)) == ["\(prefix).a.status", "\(prefix).b.status"])
    }

    /// Reads a reader's batches until `count` messages arrived or `seconds` passed, storing offsets.
    func read(_ reader: KafkaConsumer.Reader, count: Int, within seconds: Double = 30) async throws -> [KafkaConsumerMessage] {
        let received = Mutex<[KafkaConsumerMessage]>([])
        let reading = Task {
            for try await batch in reader.batches() {
                for message in batch { try reader.storeOffset(for: message) }
                if received.withLock({ $0.append(contentsOf: batch); return $0.count }) >= count { break }
            }
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline, received.withLock({ $0.count }) < count {
            try await Task.sleep(for: .milliseconds(50))
        }
        reading.cancel()
        _ = await reading.result
        return received.withLock { $0 }
    }

    @Test("Readers sharing one group member each get their own topics, in order, also when a partition falls back to the member")
    func readersShareAMember() async throws {
        let prefix = "test.rd\(UUID().uuidString.prefix(6).lowercased())"
        let (statusA, statusB, inbox) = ("\(prefix).a.status", "\(prefix).b.status", "\(prefix).a.inbox")
        for topic in [statusA, statusB, inbox] { try await control.createTopic(topic, partitions: 1) }
        let producer = try producer()
        func send(_ topic: String, _ range: Range<Int>) async {
            _ = await producer.send(range.map { KafkaProducerMessage(topic: topic, key: "k", value: Array("\($0)".utf8)) })
        }
        await send(statusA, 0..<3)
        await send(statusB, 0..<2)
        await send(inbox, 0..<4)
        let member = try consumer(group: "rd-\(UUID())")
        let statuses = member.reader(topics: ["^\(prefix.replacingOccurrences(of: ".", with: "\\."))\\..*\\.status$"])
        let inboxReader = member.reader(topics: [inbox])
        try member.subscribe(topics: member.readerTopics)
        let serving = Task { try await member.serveGroupEvents() }
        func values(_ messages: [KafkaConsumerMessage], of topic: String) -> [String] {
            messages.filter { $0.topic == topic }.map { String(decoding: $0.value, as: UTF8.self) }
        }
        let firstStatuses = try await read(statuses, count: 5)
        #expect(values(firstStatuses, of: statusA) == ["0", "1", "2"] && values(firstStatuses, of: statusB) == ["0", "1"])
        let firstInbox = try await read(inboxReader, count: 4)
        #expect(values(firstInbox, of: inbox) == ["0", "1", "2", "3"] && firstInbox.count == 4)

        // As when librdkafka clears a partition's forwarding after it was assigned again: its next
        // messages reach the member's own queue, which hands the partition back to its reader.
        member.detachFromReader(KafkaTopicPartition(topic: inbox, partition: 0))
        await send(inbox, 4..<8)
        let again = try await read(inboxReader, count: 4)
        #expect(values(again, of: inbox) == ["4", "5", "6", "7"])
        await producer.shutdown()
        serving.cancel()
        _ = await serving.result
        try await member.close()
    }

    @Test("An idempotent producer loses and duplicates nothing while a broker goes down and up")
    func brokerDownAndUp() async throws {
        let topic = uniqueTopic("faults")
        try await control.createTopic(topic, partitions: 6)
        let producer = try producer()
        let count = 3000
        let sending = Task {
            await producer.send((0..<count).map {
                KafkaProducerMessage(topic: topic, key: "k\($0 % 50)", value: Array(String($0).utf8))
            })
        }
        try await Task.sleep(for: .milliseconds(20))
        try await control.setBrokerDown(2)
        try await Task.sleep(for: .seconds(2))
        try await control.setBrokerUp(2)
        let reports = await sending.value
        let failures = reports.compactMap { result -> KafkaError? in
            if case .failure(let error) = result { return error } else { return nil }
        }
        #expect(failures.isEmpty, "delivery failures: \(failures.prefix(3))")
        await producer.shutdown()

        let consumer = try consumer(group: "faults-\(UUID())")
        try consumer.subscribe(topics: [topic])
        let received = try await read(consumer, count: count)
        // Anything more within two seconds would be a duplicate.
        let extra = try await read(consumer, count: 1, within: 2)
        try await consumer.close()
        #expect(extra.isEmpty, "duplicates after the expected messages: \(extra.count)")
        let values = received.map { Int(String(decoding: $0.value, as: UTF8.self))! }
        #expect(values.count == count, "received \(values.count) messages for \(count) sent")
        let missing = Set(0..<count).subtracting(values).sorted()
        let lost = missing.count
        #expect(lost == 0, "\(lost) messages lost, for example \(missing.prefix(5))")
        for key in 0..<50 {
            let ordered = received.filter { $0.keyString == "k\(key)" }.map { Int(String(decoding: $0.value, as: UTF8.self))! }
            #expect(ordered == ordered.sorted(), "order of key k\(key)")
        }
    }

    @Test("librdkafka's errors arrive typed, with its names")
    func typedErrors() async throws {
        #expect {
            try KafkaProducer(configuration: .init(bootstrapServers: bootstrap, clientID: "x", overrides: ["no.such.property": "1"]),
                logger: logger)
        } throws: { error in
            let kafkaError = error as! KafkaError
            return kafkaError.code == .invalidArgument && kafkaError.message.contains("no.such.property")
        }
        #expect(KafkaError.Code(name: "TOPIC_ALREADY_EXISTS") == .topicAlreadyExists)
        #expect(KafkaError.Code.timedOut.name == "_TIMED_OUT")
        // The dev cluster does not implement CreateTopics: the admin client says so in time.
        let admin = try KafkaAdminClient(bootstrapServers: bootstrap, logger: logger)
        await #expect(throws: KafkaError.self) {
            try await admin.createTopics([KafkaTopicSpecification(name: uniqueTopic("admin"), partitions: 3)], timeout: .seconds(2))
        }
        #expect(try await admin.listTopics().isEmpty == false)
        await #expect(throws: DevClusterControl.ControlError.self) { try await control.setBrokerDown(99) }
    }
}

/// Creates topics through the Kafka protocol; needs a real Apache Kafka cluster
/// (`KAFKA_REAL_BOOTSTRAP_SERVERS`), because the dev cluster does not implement CreateTopics.
@Suite("Kafka admin against Apache Kafka",
    .enabled(if: ProcessInfo.processInfo.environment["KAFKA_REAL_BOOTSTRAP_SERVERS"] != nil))
struct KafkaAdminTests {
    @Test("Creating topics is idempotent")
    func createTopics() async throws {
        let bootstrap = ProcessInfo.processInfo.environment["KAFKA_REAL_BOOTSTRAP_SERVERS"]!
        let admin = try KafkaAdminClient(bootstrapServers: bootstrap, logger: Logger(label: "admin-test"))
        let name = "test.admin.\(UUID().uuidString.prefix(8).lowercased())"
        let spec = KafkaTopicSpecification(name: name, partitions: 3)
        #expect(try await admin.createTopics([spec]) == [name: .created])
        #expect(try await admin.createTopics([spec]) == [name: .alreadyExisted])
        #expect(try await admin.listTopics()[name] == 3)
    }
}
