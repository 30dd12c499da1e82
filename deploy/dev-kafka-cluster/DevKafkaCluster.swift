import ArgumentParser
import Foundation
import Hummingbird
import Kafka
import Logging
import ServiceLifecycle
import UnixSignals

/// Hosts librdkafka's mock Kafka cluster for development and CI.
///
/// Production uses Apache Kafka; this process exists because no Kafka broker can run here. It
/// speaks the real Kafka protocol on 127.0.0.1, prints the bootstrap servers (and writes them to
/// a file), and serves a small loopback HTTP interface over the mock API so that tests and the
/// fault harness can break Kafka on purpose while the services run. SIGTERM or SIGINT stops it.
@main
struct DevKafkaCluster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-kafka-cluster",
        abstract: "Run librdkafka's mock Kafka cluster (development and CI only; production uses Apache Kafka)."
    )

    @Option(help: "Number of brokers.")
    var brokers = 3

    @Option(help: "File to write the bootstrap servers to.")
    var bootstrapFile: String?

    @Option(help: "Loopback port of the control interface (0 picks a free port).")
    var controlPort = 0

    @Option(help: "File to write the control interface's base URL to.")
    var controlFile: String?

    func run() async throws {
        var logger = Logger(label: "dev-kafka-cluster")
        logger.logLevel = .info
        let cluster = try KafkaMockCluster(brokers: brokers, logger: logger)
        emit("bootstrap.servers=\(cluster.bootstrapServers)")
        if let bootstrapFile {
            try cluster.bootstrapServers.write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
        }
        let controlFile = self.controlFile
        let app = Application(
            router: ControlRouter.build(cluster: cluster),
            configuration: .init(address: .hostname("127.0.0.1", port: controlPort), serverName: "dev-kafka-cluster"),
            onServerRunning: { channel in
                let url = "http://127.0.0.1:\(channel.localAddress?.port ?? 0)"
                if let controlFile { try? url.write(toFile: controlFile, atomically: true, encoding: .utf8) }
                emit("control=\(url)")
            },
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
        logger.info("Mock cluster stopped")
        withExtendedLifetime(cluster) {}
    }
}

/// Writes a line to standard output at once (the stack script waits for these lines).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
