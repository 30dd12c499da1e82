import Foundation
import LocalStack
import Synchronization

/// Breaks the running stack on purpose, one fault at a time at random moments: kill -9 of a
/// service process (every kind in turn, in random order), a Kafka broker down and up again, a
/// fast restart of Postgres, Kannel stopped for a while. Bounded by time and count.
public struct FaultInjector: Sendable {
    public enum Fault: Sendable, CustomStringConvertible {
        case kill(String)
        case brokerOutage(broker: Int, Duration)
        case postgresRestart
        case kannelOutage(Duration)

        public var description: String {
            switch self {
            case .kill(let name): "kill -9 \(name)"
            case .brokerOutage(let broker, let duration): "Kafka broker \(broker) down for \(Self.format(duration))"
            case .postgresRestart: "Postgres restarted"
            case .kannelOutage(let duration): "Kannel stopped for \(Self.format(duration))"
            }
        }

        public var kind: String {
            switch self {
            case .kill: "kill -9 of a service"
            case .brokerOutage: "Kafka broker down"
            case .postgresRestart: "Postgres restart"
            case .kannelOutage: "Kannel stopped"
            }
        }

        static func format(_ duration: Duration) -> String { String(format: "%.1f s", duration.seconds) }
    }

    public struct Record: Sendable {
        public var fault: Fault
        public var at: Duration
        public var error: String?
    }

    public let stack: PlatformStack
    public let infrastructure: InfrastructureControl
    public let brokers: Int
    /// The pause between two faults is drawn from this range.
    public let pause: ClosedRange<Double>

    public init(stack: PlatformStack, infrastructure: InfrastructureControl, brokers: Int = 3, pause: ClosedRange<Double> = 2...6) {
        self.stack = stack
        self.infrastructure = infrastructure
        self.brokers = brokers
        self.pause = pause
    }

    /// Injects faults until `duration` has passed or `limit` faults were injected; the first four
    /// are one of each kind. Leaves everything running when it returns.
    public func run(for duration: Duration, limit: Int, log: @Sendable (String) -> Void) async -> [Record] {
        let start = ContinuousClock.now
        var records: [Record] = []
        var generator = SystemRandomNumberGenerator()
        var victims: [String] = []
        var plan: [Int] = [0, 1, 2, 3].shuffled(using: &generator)
        while ContinuousClock.now - start < duration, records.count < limit {
            try? await Task.sleep(for: .seconds(Double.random(in: pause, using: &generator)))
            if victims.isEmpty { victims = stack.processes.map(\.name).shuffled(using: &generator) }
            // After one of each, two in three faults are kills: there are nine processes to cover.
            let choice = plan.isEmpty ? (Int.random(in: 0..<9, using: &generator) < 6 ? 0 : Int.random(in: 1...3, using: &generator))
                : plan.removeFirst()
            let fault: Fault =
                switch choice {
                case 0: .kill(victims.removeFirst())
                case 1: .brokerOutage(broker: Int.random(in: 1...brokers, using: &generator), .seconds(Double.random(in: 3...8, using: &generator)))
                case 2: .postgresRestart
                default: .kannelOutage(.seconds(Double.random(in: 4...12, using: &generator)))
                }
            let at = ContinuousClock.now - start
            log(String(format: "  fault at %5.1f s: %@", at.seconds, fault.description))
            var record = Record(fault: fault, at: at)
            do {
                try await inject(fault, using: &generator)
            } catch {
                record.error = "\(error)"
                log("  fault \(fault) did not go as planned: \(error)")
            }
            records.append(record)
        }
        return records
    }

    func inject(_ fault: Fault, using generator: inout SystemRandomNumberGenerator) async throws {
        switch fault {
        case .kill(let name):
            let process = stack.process(name)
            process.kill9()
            // Down for a moment, as a supervisor would restart it.
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...2000, using: &generator)))
            try process.start()
            try await process.waitUntilReady(timeout: .seconds(120))
        case .brokerOutage(let broker, let duration):
            let control = try devCluster()
            try await control.setBrokerDown(broker)
            try await Task.sleep(for: duration)
            try await control.setBrokerUp(broker)
        case .postgresRestart:
            try await infrastructure.restartPostgres()
        case .kannelOutage(let duration):
            try await infrastructure.stopKannel()
            try await Task.sleep(for: duration)
            try await infrastructure.startKannel()
        }
    }

    func devCluster() throws -> DevClusterControl {
        guard let url = stack.environment.kafkaDevControlURL else { throw StackError("broker faults need the dev Kafka cluster") }
        return DevClusterControl(baseURL: url)
    }

    /// Brings back whatever a failed fault may have left down: every broker, Kannel, every process.
    public func mendEverything() async {
        if let control = try? devCluster() {
            for broker in 1...brokers { try? await control.setBrokerUp(broker) }
        }
        for process in stack.processes where !process.isRunning {
            try? process.start()
            try? await process.waitUntilReady(timeout: .seconds(120))
        }
    }

    /// How many faults of each kind a run injected.
    public static func tally(_ records: [Record]) -> [(kind: String, count: Int)] {
        Dictionary(grouping: records, by: \.fault.kind).map { ($0.key, $0.value.count) }.sorted { $0.kind < $1.kind }
    }
}
