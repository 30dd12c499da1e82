import Foundation
import Kafka
import LocalStack
import Logging

/// What the machine itself can do, measured in the same run: raw Postgres commits per second and
/// raw produce rate to the Kafka cluster. The platform's own figures are read against these.
public struct MachineCeilings: Codable, Sendable {
    /// pgbench, one one-row insert per transaction, on the stack's own Postgres server.
    public var postgresCommitsPerSecond: Double
    public var pgbenchClients: Int
    /// Messages per second the platform's producer (idempotent, acks=all) gets acknowledged.
    public var kafkaMessagesPerSecond: Double
    public var kafkaMessageBytes: Int

    public static func measure(stack: PlatformStack, pgbenchTransactions: Int = 40_000, kafkaMessages: Int = 50_000) async throws -> MachineCeilings {
        let clients = 8
        let commits = try await pgbench(stack.environment, clients: clients, transactionsPerClient: pgbenchTransactions / clients)
        let produce = try await kafkaProduceRate(stack, messages: kafkaMessages, bytes: 1024)
        return MachineCeilings(postgresCommitsPerSecond: commits, pgbenchClients: clients, kafkaMessagesPerSecond: produce,
            kafkaMessageBytes: 1024)
    }

    /// Runs pgbench against a table of its own; durability is the server's, the same as the services'.
    static func pgbench(_ environment: StackEnvironment, clients: Int, transactionsPerClient: Int) async throws -> Double {
        guard let binaries = ProcessInfo.processInfo.environment["POSTGRES_BIN_DIR"] else {
            throw StackError("POSTGRES_BIN_DIR is not set (deploy/local/benchmark sets it)")
        }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("pgbench-insert-\(UUID()).sql")
        try "INSERT INTO public.pgbench_ceiling (value) VALUES (1);\n".write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let connection = ["-h", environment.postgresHost, "-p", String(environment.postgresPort), "-U", environment.postgresUser]
        var variables = ProcessInfo.processInfo.environment
        variables["PGPASSWORD"] = environment.postgresPassword
        _ = try await runToCompletion(binaries + "/psql", connection + ["-d", environment.postgresDatabase, "-qc",
            "DROP TABLE IF EXISTS public.pgbench_ceiling; CREATE TABLE public.pgbench_ceiling (id bigserial PRIMARY KEY, value int)"],
            environment: variables)
        // A fixed number of transactions, so that every run does the same work.
        let output = try await runToCompletion(binaries + "/pgbench", connection + [
            "-n", "-c", String(clients), "-j", "2", "-t", String(transactionsPerClient), "-f", script.path, environment.postgresDatabase,
        ], environment: variables)
        _ = try await runToCompletion(binaries + "/psql", connection + ["-d", environment.postgresDatabase, "-qc", "DROP TABLE public.pgbench_ceiling"],
            environment: variables)
        // "tps = 1234.567 (without initial connection time)"
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst(6).split(separator: " ").first ?? "")
        else { throw StackError("pgbench printed no tps line:\n\(output)") }
        return value
    }

    static func kafkaProduceRate(_ stack: PlatformStack, messages: Int, bytes: Int) async throws -> Double {
        guard let servers = stack.environment.kafkaBootstrapServers, let control = stack.environment.kafkaDevControlURL else {
            throw StackError("the Kafka produce ceiling needs the dev Kafka cluster")
        }
        let topic = "bench.produce-ceiling"
        try await DevClusterControl(baseURL: control).createTopic(topic, partitions: 6)
        var logger = Logger(label: "workload.kafka")
        logger.logLevel = .warning
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: servers, clientID: "produce-ceiling"), logger: logger)
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: bytes)
        // Warm-up: metadata and the producer id.
        _ = await producer.send([KafkaProducerMessage(topic: topic, key: "warm-up", value: payload)])
        let start = ContinuousClock.now
        var failed = 0
        let batch = 1000
        for offset in stride(from: 0, to: messages, by: batch) {
            let reports = await producer.send((offset..<min(offset + batch, messages)).map {
                KafkaProducerMessage(topic: topic, key: String($0), value: payload)
            })
            failed += reports.count { (try? $0.get()) == nil }
        }
        let elapsed = (ContinuousClock.now - start).seconds
        await producer.shutdown()
        guard failed == 0 else { throw StackError("\(failed) of \(messages) messages to \(topic) were not acknowledged") }
        return Double(messages) / elapsed
    }
}
