import Foundation
import LocalStack
import Synchronization

/// Breaks the running stack on purpose, one fault at a time at random moments: kill -9 of a
/// service process (every kind in turn, in random order), a Kafka broker down and up again, a
/// fast restart of Postgres, Kannel stopped for a while. Bounded by time and count.
public struct FaultInjector: Sendable {
    /// The kinds of fault, as named on the command line.
    public enum Kind: String, CaseIterable, Sendable {
        case kill, broker, postgres, kannel

        /// Parses a comma-separated list such as `postgres,kannel`.
        public static func parseList(_ text: String) throws -> Set<Kind> {
            var kinds: Set<Kind> = []
            for name in text.split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let kind = Kind(rawValue: trimmed) else {
                    throw StackError("unknown fault kind '\(trimmed)'; known: \(allCases.map(\.rawValue).joined(separator: ", "))")
                }
                kinds.insert(kind)
            }
            guard !kinds.isEmpty else { throw StackError("no fault kind given") }
            return kinds
        }
    }

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

        public var kind: Kind {
            switch self {
            case .kill: .kill
            case .brokerOutage: .broker
            case .postgresRestart: .postgres
            case .kannelOutage: .kannel
            }
        }

        public var kindDescription: String {
            switch kind {
            case .kill: "kill -9 of a service"
            case .broker: "Kafka broker down"
            case .postgres: "Postgres restart"
            case .kannel: "Kannel stopped"
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
    public let kinds: Set<Kind>

    public init(
        stack: PlatformStack, infrastructure: InfrastructureControl, brokers: Int = 3, pause: ClosedRange<Double> = 2...6,
        kinds: Set<Kind> = Set(Kind.allCases)
    ) {
        self.stack = stack
        self.infrastructure = infrastructure
        self.brokers = brokers
        self.pause = pause
        self.kinds = kinds
    }

    /// Injects faults of the chosen kinds until `duration` has passed or `limit` faults were
    /// injected; the first ones are one of each kind. Leaves everything running when it returns.
    public func run(for duration: Duration, limit: Int, log: @Sendable (String) -> Void) async -> [Record] {
        let start = ContinuousClock.now
        var records: [Record] = []
        var generator = SystemRandomNumberGenerator()
        var victims: [String] = []
        var plan = Kind.allCases.filter(kinds.contains).shuffled(using: &generator)
        let others = Kind.allCases.filter { $0 != .kill && kinds.contains($0) }
        while ContinuousClock.now - start < duration, records.count < limit {
            try? await Task.sleep(for: .seconds(Double.random(in: pause, using: &generator)))
            if victims.isEmpty { victims = stack.processes.map(\.name).shuffled(using: &generator) }
            let choice = plan.isEmpty ? nextKind(others: others, using: &generator) : plan.removeFirst()
            let fault: Fault =
                switch choice {
                case .kill: .kill(victims.removeFirst())
                case .broker: .brokerOutage(broker: Int.random(in: 1...brokers, using: &generator), .seconds(Double.random(in: 3...8, using: &generator)))
                case .postgres: .postgresRestart
                case .kannel: .kannelOutage(.seconds(Double.random(in: 4...12, using: &generator)))
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

    /// After one of each, two in three faults are kills (there are nine processes to cover) when
    /// kills are chosen at all.
    private func nextKind(others: [Kind], using generator: inout SystemRandomNumberGenerator) -> Kind {
        if kinds.contains(.kill), others.isEmpty || Int.random(in: 0..<9, using: &generator) < 6 { return .kill }
        return others.randomElement(using: &generator)!
    }

    func inject(_ fault: Fault, using generator: inout SystemRandomNumberGenerator) async throws {
        switch fault {
        case .kill(let name):
            let process = stack.process(name)
            await process.kill9()
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
        Dictionary(grouping: records, by: \.fault.kindDescription).map { ($0.key, $0.value.count) }.sorted { $0.kind < $1.kind }
    }
}
