import DemandDomain
import Foundation
import InputValidation
import Kafka
import LocalStack
import Logging
import Messaging
import PostgresNIO
import PostgresStorage
import Synchronization
import Tenancy

let testLogger: Logger = {
    var logger = Logger(label: "messaging-test")
    logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .error
    return logger
}()

let environment = StackEnvironment.current
let infrastructureAvailable = environment.hasDevKafka && environment.hasPostgres

func uniqueName(_ prefix: String) -> String { "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())" }

func databaseSettings(schema: String) -> PostgresSettings {
    PostgresSettings(
        host: environment.postgresHost, port: environment.postgresPort, username: environment.postgresUser,
        password: environment.postgresPassword, database: environment.postgresDatabase, schema: schema)
}

/// Runs `body` with a database whose pool is running, then stops the pool.
func withDatabase<T: Sendable>(schema: String, _ body: @Sendable (Database) async throws -> T) async throws -> T {
    let database = Database(settings: databaseSettings(schema: schema), logger: testLogger)
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
        group.addTask { await database.client.run() }
        defer { group.cancelAll() }
        return try await body(database)
    }
}

func producer() throws -> KafkaProducer {
    try KafkaProducer(configuration: .init(bootstrapServers: environment.kafkaBootstrapServers!, clientID: "messaging-test"),
        logger: testLogger)
}

func consumerConfiguration(group: String) -> KafkaConsumerConfiguration {
    KafkaConsumerConfiguration(bootstrapServers: environment.kafkaBootstrapServers!, groupID: group, clientID: group,
        overrides: ["session.timeout.ms": "6000"])
}

var control: DevClusterControl { DevClusterControl(baseURL: environment.kafkaDevControlURL!) }

/// Reads a topic from the beginning until `count` messages arrived or `seconds` passed.
func readTopic(_ topic: String, count: Int, within seconds: Double = 30) async throws -> [KafkaConsumerMessage] {
    let consumer = try KafkaConsumer(configuration: consumerConfiguration(group: uniqueName("reader")), logger: testLogger)
    try consumer.subscribe(topics: [topic])
    let received = Mutex<[KafkaConsumerMessage]>([])
    let reader = Task {
        for try await message in consumer.messages {
            let total = received.withLock { $0.append(message); return $0.count }
            if total >= count { break }
        }
    }
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline, received.withLock({ $0.count }) < count {
        try await Task.sleep(for: .milliseconds(50))
    }
    reader.cancel()
    _ = await reader.result
    try await consumer.close()
    return received.withLock { $0 }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(within seconds: Double = 20, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

extension Database {
    func count(_ table: String) async throws -> Int {
        let rows = try await query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"))
        return try rows.decode(Int.self).first ?? 0
    }
}
