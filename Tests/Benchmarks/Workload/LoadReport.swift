import Foundation

/// What one load benchmark run measured, as printed and as written to its JSON file.
public struct LoadReport: Codable, Sendable {
    public struct Saturation: Codable, Sendable {
        public struct ProgramCPU: Codable, Sendable {
            public var program: String
            public var milliseconds: Double

            /// The sum over every program but the benchmark and the kernel's own threads
            /// (`kworker/1:2`, named with a slash).
            static func platformSum(_ programs: [ProgramCPU]) -> Double {
                programs.filter { $0.program != benchmarkProgram && !$0.program.contains("/") }.reduce(0) { $0 + $1.milliseconds }
            }
        }
        public var journeys: Int
        public var failed: Int
        public var seconds: Double
        public var journeysPerSecond: Double
        /// Every commit in the stack's database during the phase, over the journeys finished.
        public var postgresCommitsPerJourney: Double
        public var postgresCommitsPerSecond: Double
        public var kafkaMessagesPerJourney: Double
        public var kafkaMessagesPerSecond: Double
        /// Where the time went: CPU per journey by program, largest first.
        public var cpuMillisecondsPerJourney: [ProgramCPU]
        public var apiCalls: [LatencySummary]
        public var profile: Profiler.Profile?
        /// Postgres's busiest statements, per journey (calls and execution time).
        public var postgresStatements: [StatementCost]?

        /// The load benchmark's own program, which shares the cores but is not the platform.
        static let benchmarkProgram = "load-benchmark"

        var benchmarkCPUPerJourney: Double {
            cpuMillisecondsPerJourney.filter { $0.program == Self.benchmarkProgram }.reduce(0) { $0 + $1.milliseconds }
        }

        var platformCPUPerJourney: Double { ProgramCPU.platformSum(cpuMillisecondsPerJourney) }
    }

    /// The stack with nothing to do, after the warm-up: what it costs just to run (consumers
    /// polling, timers, relays' idle looks), whatever the load.
    public struct Resting: Codable, Sendable {
        public var seconds: Double
        /// CPU milliseconds per second of the phase, by program, largest first.
        public var cpuMillisecondsPerSecond: [Saturation.ProgramCPU]

        var platformCPUPerSecond: Double { Saturation.ProgramCPU.platformSum(cpuMillisecondsPerSecond) }
    }

    public struct HalfLoad: Codable, Sendable {
        public var targetJourneysPerSecond: Double
        public var journeys: Int
        public var failed: Int
        /// Starts not made because too many journeys were under way.
        public var skipped: Int
        public var journeysPerSecond: Double
        /// The calls answered at once (the latency goal's).
        public var apiCalls: [LatencySummary]
        /// The reads that waited at a service for a hand-off (`Prefer: wait`): they last as long as
        /// the hand-off takes.
        public var waitingReads: [LatencySummary]
        /// Outbox row written → inbox row of the consumer that applied it, by producer → consumer.
        public var kafkaHops: [LatencySummary]
        public var submitToFirstSMS: LatencySummary?
        public var demandsWithoutSMS: Int
        /// The office's dashboard and list in the portal, read while the journeys run.
        public var portalPages: [LatencySummary]
        /// The API calls the office's page makes, timed one at a time beside it.
        public var portalPageCalls: [LatencySummary]
    }

    public struct Round: Codable, Sendable {
        /// Demands held by the county intake when the round began.
        public var storedDemands: Int
        public var saturation: Saturation?
        public var halfLoad: HalfLoad?
    }

    public struct Target: Codable, Sendable {
        public var name: String
        public var goal: String
        public var measured: String
        public var met: Bool
        /// How far from the goal, when missed.
        public var shortBy: String?
    }

    public var startedAt = Date()
    public var processorCount = ProcessInfo.processInfo.activeProcessorCount
    public var memoryGiB = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
    public var settings: LoadRun.Settings
    public var ceilings: MachineCeilings?
    public var resting: Resting?
    public var rounds: [Round] = []
    public var memory: [MemorySummary] = []
    public var targets: [Target] = []

    public init(settings: LoadRun.Settings) {
        self.settings = settings
    }

    mutating func evaluateTargets() {
        targets = []
        if let round = rounds.first, let first = round.saturation {
            let label = "at \(round.storedDemands) stored"
            targets.append(Self.atLeast("completed journeys per second, \(label)", goal: 60, measured: first.journeysPerSecond, unit: "/s"))
            targets.append(Self.atMost("platform CPU per journey (Postgres, services, Kafka, Kannel), \(label)", goal: 20,
                measured: first.platformCPUPerJourney, unit: " ms"))
            targets.append(Self.atMost("Postgres commits per journey, \(label)", goal: 20, measured: first.postgresCommitsPerJourney, unit: ""))
            targets.append(Self.atMost("the benchmark's own CPU per journey, \(label)", goal: 5, measured: first.benchmarkCPUPerJourney, unit: " ms"))
        }
        for round in rounds {
            guard let half = round.halfLoad else { continue }
            let label = "at \(round.storedDemands) stored"
            if let worst = half.apiCalls.filter({ $0.name != "every API call" }).max(by: { $0.p99 < $1.p99 }) {
                targets.append(Self.atMost("p99 of every API call at half load, \(label) (worst: \(worst.name))", goal: 50,
                    measured: worst.p99, unit: " ms"))
            }
            if let page = half.portalPages.first(where: { $0.name == "every portal page" }) {
                targets.append(Self.atMost("portal page p99 at half load (office dashboard and list), \(label)", goal: 150,
                    measured: page.p99, unit: " ms"))
            }
            if let sms = half.submitToFirstSMS {
                targets.append(Self.atMost("submit → SMS at the gateway p99, \(label)", goal: 1000, measured: sms.p99, unit: " ms"))
            }
        }
        if let worst = memory.max(by: { $0.peakMiB < $1.peakMiB }) {
            targets.append(Self.atMost("peak RSS of every service (worst: \(worst.service))", goal: 150, measured: worst.peakMiB, unit: " MiB"))
        }
        if rounds.count > 1, let first = rounds.first, let last = rounds.last,
            let small = first.saturation?.journeysPerSecond, let large = last.saturation?.journeysPerSecond, small > 0
        {
            let ratio = large / small * 100
            targets.append(Self.atLeast("throughput at \(last.storedDemands) stored vs \(first.storedDemands) stored", goal: 80,
                measured: ratio, unit: " %"))
        }
    }

    static func atLeast(_ name: String, goal: Double, measured: Double, unit: String) -> Target {
        Target(name: name, goal: "≥ \(format(goal))\(unit)", measured: format(measured) + unit, met: measured >= goal,
            shortBy: measured >= goal ? nil : String(format: "%@%@ short (%.0f%% of the goal)", format(goal - measured), unit, measured / goal * 100))
    }

    static func atMost(_ name: String, goal: Double, measured: Double, unit: String) -> Target {
        Target(name: name, goal: "< \(format(goal))\(unit)", measured: format(measured) + unit, met: measured < goal,
            shortBy: measured < goal ? nil : String(format: "%@%@ over (%.1f× the goal)", format(measured - goal), unit, measured / goal))
    }

    static func format(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.1f", value) }
}
