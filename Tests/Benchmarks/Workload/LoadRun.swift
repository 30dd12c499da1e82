import DemandDomain
import Foundation
import LocalStack
import PlatformAPI
import Synchronization
import Tenancy

/// The load benchmark: demand journeys through the public APIs as fast as the stack takes them
/// (saturation), then at half that rate (latencies), once per size of stored data.
public struct LoadRun: Sendable {
    public struct Settings: Codable, Sendable {
        public var actors: Int
        public var saturation: Double
        public var halfLoad: Double
        public var warmUpJourneys: Int
        /// Ends each saturation phase after this many journeys, if it comes before the time limit.
        public var saturationJourneys: Int?
        public var storedDemands: [Int]
        public var mix: JourneyMix
        public var profileSeconds: Int

        public init(actors: Int, saturationSeconds: Int, halfLoadSeconds: Int, warmUpJourneys: Int, saturationJourneys: Int? = nil,
            storedDemands: [Int], mix: JourneyMix, profileSeconds: Int)
        {
            self.saturationJourneys = saturationJourneys
            self.actors = actors
            saturation = Double(saturationSeconds)
            halfLoad = Double(halfLoadSeconds)
            self.warmUpJourneys = warmUpJourneys
            self.storedDemands = storedDemands
            self.mix = mix
            self.profileSeconds = profileSeconds
        }
    }

    public let stack: PlatformStack
    public let settings: Settings
    let recorder = PhaseRecorder()

    public init(stack: PlatformStack, settings: Settings) {
        self.stack = stack
        self.settings = settings
    }

    public func run() async throws -> LoadReport {
        let memory = MemorySampler(processes: stack.processes)
        let sampling = Task { await memory.run() }
        defer { sampling.cancel() }
        return try await StackDatabase.with(stack) { database in
            let recorder = recorder
            var client = PlatformClient(stack: stack) { operation, duration, _ in recorder.record(operation, duration) }
            // The journeys check states and the latest step, never the whole history.
            client.prefersMinimalDemands = true
            let runner = JourneyRunner(client: client, cast: try await Cast.login(client))
            let driver = JourneyDriver(runner: runner, mix: settings.mix)
            var report = LoadReport(settings: settings)

            print("Warm-up: \(settings.warmUpJourneys) journeys")
            let warmUp = await driver.closedLoop(actors: settings.actors, duration: .seconds(300), limit: settings.warmUpJourneys,
                label: "warm-up")
            try requireMostFinished(warmUp, phase: "warm-up")
            try await waitUntilDrained(database)
            report.resting = try await rest(for: Self.restingSeconds)

            print("Machine ceilings: pgbench and the Kafka producer")
            report.ceilings = try await MachineCeilings.measure(stack: stack)
            print(String(format: "  Postgres %.0f commits/s (pgbench, %d clients); Kafka %.0f messages/s of %d bytes",
                report.ceilings!.postgresCommitsPerSecond, report.ceilings!.pgbenchClients,
                report.ceilings!.kafkaMessagesPerSecond, report.ceilings!.kafkaMessageBytes))

            let steadyFrom = ContinuousClock.now
            for (index, size) in settings.storedDemands.enumerated() {
                print("Round \(index + 1) of \(settings.storedDemands.count): about \(size) demands stored")
                try await Preloader(database: database).fill(toDemands: size)
                try await waitUntilDrained(database)
                let stored = try await database.demandCounts()["intake-maojian"] ?? 0
                var round = LoadReport.Round(storedDemands: stored)
                round.saturation = try await saturate(driver, database, profile: index == 0 && settings.profileSeconds > 0)
                try await waitUntilDrained(database)
                round.halfLoad = try await halfLoad(driver, database, rate: max(1, round.saturation!.journeysPerSecond / 2))
                try await waitUntilDrained(database)
                report.rounds.append(round)
            }
            report.memory = memory.summary(steadyFrom: steadyFrom, to: .now)
            report.evaluateTargets()
            return report
        }
    }

    /// How long the stack is watched doing nothing.
    static let restingSeconds = 10

    /// The CPU the stack uses with no journeys at all, per second.
    func rest(for seconds: Int) async throws -> LoadReport.Resting {
        print("At rest: \(seconds) s without journeys")
        let before = CPUAccount.snapshot()
        let start = ContinuousClock.now
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = (ContinuousClock.now - start).seconds
        let cpu = CPUAccount.snapshot().since(before)
        let resting = LoadReport.Resting(seconds: elapsed, cpuMillisecondsPerSecond: cpu.map {
            .init(program: $0.program, milliseconds: $0.seconds * 1000 / elapsed)
        })
        print(String(format: "  at rest: platform CPU %.1f ms/s", resting.platformCPUPerSecond))
        return resting
    }

    /// As many journeys as `actors` people can play back to back.
    func saturate(_ driver: JourneyDriver, _ database: StackDatabase, profile: Bool) async throws -> LoadReport.Saturation {
        print(String(format: "  saturation: %d actors for %.0f s", settings.actors, settings.saturation))
        let commitsBefore = try await database.commitsSoFar()
        try await database.resetStatementStatistics()
        let cpuBefore = CPUAccount.snapshot()
        let wallStart = Date()
        let start = ContinuousClock.now
        recorder.begin()
        async let profiled: Profiler.Profile? = profile && Profiler.isAvailable
            ? try? Profiler.record(seconds: min(settings.profileSeconds, Int(settings.saturation))) : nil
        let results = await driver.closedLoop(actors: settings.actors, duration: .seconds(settings.saturation),
            limit: settings.saturationJourneys, label: "saturation")
        let elapsed = ((results.map(\.finishedAt).max() ?? .now) - start).seconds
        let cpu = CPUAccount.snapshot().since(cpuBefore)
        let profileTaken = await profiled
        try requireMostFinished(results, phase: "saturation")
        // Postgres's statistics are updated about once a second.
        try await Task.sleep(for: .milliseconds(1500))
        let commits = try await database.commitsSoFar() - commitsBefore
        let statements = try await database.statementStatistics(top: 20)
        let messages = try await database.messagesPublished(since: wallStart)
        let finished = results.count { $0.failure == nil }
        let perSecond = Double(finished) / elapsed
        let perJourney = Double(max(finished, 1))
        let (calls, waits) = recorder.end()
        let saturation = LoadReport.Saturation(
            journeys: finished, failed: results.count - finished, seconds: elapsed, journeysPerSecond: perSecond,
            postgresCommitsPerJourney: Double(commits) / perJourney, postgresCommitsPerSecond: Double(commits) / elapsed,
            kafkaMessagesPerJourney: Double(messages) / perJourney, kafkaMessagesPerSecond: Double(messages) / elapsed,
            // Every program that used a measurable share, so that the platform's sum is whole.
            cpuMillisecondsPerJourney: cpu.map { .init(program: $0.program, milliseconds: $0.seconds * 1000 / perJourney) }
                .filter { $0.milliseconds >= 0.05 },
            apiCalls: calls.summaries() + waits.summaries(), profile: profileTaken,
            postgresStatements: statements.map { $0.per(perJourney) })
        print(String(format: "  saturation: %.1f journeys/s, %.1f commits and %.1f Kafka messages per journey",
            perSecond, saturation.postgresCommitsPerJourney, saturation.kafkaMessagesPerJourney))
        return saturation
    }

    /// Journeys started at `rate` per second, whatever the answers take: the latencies people see.
    func halfLoad(_ driver: JourneyDriver, _ database: StackDatabase, rate: Double) async throws -> LoadReport.HalfLoad {
        print(String(format: "  half load: %.1f journeys/s for %.0f s", rate, settings.halfLoad))
        let wallStart = Date()
        let start = ContinuousClock.now
        recorder.begin()
        let pages = LatencyBook()
        let pageCalls = LatencyBook()
        async let pagesRead = PortalReader(base: stack.url(.portal), book: pages, client: PlatformClient(stack: stack), calls: pageCalls).read(for: .seconds(settings.halfLoad))
        let (results, skipped) = await driver.openLoop(rate: rate, duration: .seconds(settings.halfLoad),
            maximumInFlight: settings.actors * 8, label: "half load")
        _ = try await pagesRead
        let elapsed = ((results.map(\.finishedAt).max() ?? .now) - start).seconds
        let (api, waits) = recorder.end()
        try requireMostFinished(results, phase: "half load")
        try await waitUntilDrained(database)

        let hops = LatencyBook()
        for hop in try await database.hops(since: wallStart) {
            hops.record("\(hop.producer) → \(hop.consumer)", microseconds: UInt64(max(0, hop.microseconds)))
        }
        let outcomes = results.compactMap(\.outcome)
        let accepted = try await database.firstSMSAccepted(demands: outcomes.map(\.countyDemand))
        let sms = LatencyBook()
        for outcome in outcomes {
            guard let at = accepted[outcome.countyDemand] else { continue }
            sms.record("submit → first SMS accepted by Kannel", microseconds: UInt64(max(0, at.timeIntervalSince(outcome.submittedAt) * 1e6)))
        }
        let finished = results.count { $0.failure == nil }
        let half = LoadReport.HalfLoad(
            targetJourneysPerSecond: rate, journeys: finished, failed: results.count - finished, skipped: skipped,
            journeysPerSecond: Double(finished) / elapsed, apiCalls: api.summaries(all: "every API call"),
            waitingReads: waits.summaries(),
            kafkaHops: hops.summaries(all: "every hop"), submitToFirstSMS: sms.summaries().first,
            demandsWithoutSMS: outcomes.count - accepted.count, portalPages: pages.summaries(all: "every portal page"),
            portalPageCalls: pageCalls.summaries())
        print(String(format: "  half load: %.1f journeys/s; API p99 %.1f ms; hop p99 %.1f ms; submit → SMS p99 %.0f ms; portal page p99 %.1f ms",
            half.journeysPerSecond, half.apiCalls.last?.p99 ?? 0, half.kafkaHops.last?.p99 ?? 0, half.submitToFirstSMS?.p99 ?? 0,
            half.portalPages.last?.p99 ?? 0))
        return half
    }

    /// A load phase whose journeys mostly fail measures errors, not the platform: stop and say so.
    func requireMostFinished(_ results: [JourneyResult], phase: String) throws {
        let failures = results.compactMap(\.failure)
        guard failures.count * 2 > results.count else { return }
        throw StackError("\(failures.count) of \(results.count) \(phase) journeys failed; the first: \(failures[0])")
    }

    func waitUntilDrained(_ database: StackDatabase) async throws {
        _ = try await eventually("outboxes and SMS drained", timeout: .seconds(600), every: .milliseconds(500)) {
            let outbox = try await database.unsentOutbox().values.reduce(0, +)
            let sms = try await database.unsentSMS()
            return outbox == 0 && sms == 0 ? true : nil
        }
    }
}

/// Collects API latencies into the book of the current phase; calls between phases are not kept.
final class PhaseRecorder: Sendable {
    /// The calls answered at once, and apart from them the reads that waited for a change.
    private let current = Mutex<(calls: LatencyBook, waits: LatencyBook)?>(nil)

    func begin() { current.withLock { $0 = (LatencyBook(), LatencyBook()) } }

    func end() -> (calls: LatencyBook, waits: LatencyBook) {
        current.withLock { books in
            defer { books = nil }
            return books ?? (LatencyBook(), LatencyBook())
        }
    }

    func record(_ operation: String, _ duration: Duration) {
        guard let books = current.withLock({ $0 }) else { return }
        (operation.hasSuffix(PlatformClient.waitingSuffix) ? books.waits : books.calls).record(operation, duration)
    }
}
