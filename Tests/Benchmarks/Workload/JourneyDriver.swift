import DemandDomain
import Foundation
import InputValidation
import LocalStack
import Synchronization
import Tenancy

/// How often each kind of journey is played, as weights ("district=50,escalated=30,...").
public struct JourneyMix: Codable, Sendable, CustomStringConvertible {
    public var weights: [JourneyKind: Int]

    public static let standard = JourneyMix(weights: [.district: 50, .escalated: 30, .returned: 10, .unsatisfied: 10])

    public init(weights: [JourneyKind: Int]) {
        self.weights = weights
    }

    /// Parses `kind=weight` pairs separated by commas; kinds left out are not played.
    public init(parsing text: String) throws {
        var weights: [JourneyKind: Int] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let kind = JourneyKind(rawValue: parts[0]), let weight = Int(parts[1]), weight >= 0 else {
                throw StackError("journey mix '\(pair)' is not kind=weight with kind one of "
                    + JourneyKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            weights[kind] = weight
        }
        guard weights.values.reduce(0, +) > 0 else { throw StackError("the journey mix needs a positive weight") }
        self.weights = weights
    }

    public func pick<Generator: RandomNumberGenerator>(using generator: inout Generator) -> JourneyKind {
        let total = weights.values.reduce(0, +)
        var ticket = Int.random(in: 0..<total, using: &generator)
        for kind in JourneyKind.allCases {
            let weight = weights[kind] ?? 0
            if ticket < weight { return kind }
            ticket -= weight
        }
        return .district
    }

    public var description: String {
        JourneyKind.allCases.compactMap { kind in weights[kind].map { "\(kind.rawValue)=\($0)" } }.joined(separator: ",")
    }
}

/// One played journey.
public struct JourneyResult: Sendable {
    public var kind: JourneyKind
    public var outcome: JourneyOutcome?
    public var failure: JourneyFailure?
    public var duration: Duration
    public var finishedAt: ContinuousClock.Instant
}

/// Plays journeys concurrently, either as many actors as fast as they can (closed loop) or started
/// at a fixed rate whatever the answers take (open loop), and prints a progress line every few
/// seconds.
public struct JourneyDriver: Sendable {
    public let runner: JourneyRunner
    public let mix: JourneyMix
    public let progressEvery: Duration

    public init(runner: JourneyRunner, mix: JourneyMix, progressEvery: Duration = .seconds(5)) {
        self.runner = runner
        self.mix = mix
        self.progressEvery = progressEvery
    }

    /// `actors` journeys at a time until `duration` has passed (or `limit` journeys have started);
    /// journeys under way then are finished.
    public func closedLoop(actors: Int, duration: Duration, limit: Int? = nil, label: String) async -> [JourneyResult] {
        let results = ResultLog()
        let started = SharedCounter()
        let stopAt = ContinuousClock.now + duration
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await progress(results, label: label, until: stopAt) }
            await withTaskGroup(of: Void.self) { people in
                for _ in 0..<actors {
                    people.addTask {
                        var generator = SystemRandomNumberGenerator()
                        while ContinuousClock.now < stopAt, started.increment() <= limit ?? .max {
                            await results.append(play(mix.pick(using: &generator)))
                        }
                    }
                }
            }
            // A journey limit can end the loop before its time is up.
            group.cancelAll()
        }
        return results.all
    }

    /// Starts `rate` journeys per second for `duration`, each on its own; at most `maximumInFlight`
    /// at once (a start that finds that many under way is counted as skipped).
    public func openLoop(rate: Double, duration: Duration, maximumInFlight: Int, label: String) async -> (results: [JourneyResult], skipped: Int) {
        let results = ResultLog()
        let inFlight = SharedCounter()
        var skipped = 0
        let start = ContinuousClock.now
        let stopAt = start + duration
        let interval = Duration.seconds(1 / rate)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await progress(results, label: label, until: stopAt) }
            var next = start
            var generator = SystemRandomNumberGenerator()
            while next < stopAt {
                try? await Task.sleep(until: next)
                next += interval
                guard inFlight.increment() <= maximumInFlight else {
                    inFlight.decrement()
                    skipped += 1
                    continue
                }
                let kind = mix.pick(using: &generator)
                group.addTask {
                    await results.append(play(kind))
                    inFlight.decrement()
                }
            }
        }
        return (results.all, skipped)
    }

    func play(_ kind: JourneyKind) async -> JourneyResult {
        let start = ContinuousClock.now
        do {
            let outcome = try await runner.run(kind)
            let end = ContinuousClock.now
            return JourneyResult(kind: kind, outcome: outcome, duration: end - start, finishedAt: end)
        } catch {
            let end = ContinuousClock.now
            return JourneyResult(kind: kind, failure: error, duration: end - start, finishedAt: end)
        }
    }

    func progress(_ results: ResultLog, label: String, until stopAt: ContinuousClock.Instant) async {
        let start = ContinuousClock.now
        while ContinuousClock.now < stopAt {
            do { try await Task.sleep(for: progressEvery) } catch { return }
            let (done, failed) = results.counts
            let seconds = (ContinuousClock.now - start).seconds
            print(String(format: "  %@ %4.0f s: %d journeys done (%.1f/s), %d failed", label, seconds, done, Double(done) / seconds, failed))
        }
    }
}

final class ResultLog: Sendable {
    private let results = Mutex<[JourneyResult]>([])

    func append(_ result: JourneyResult) {
        results.withLock { $0.append(result) }
    }

    var all: [JourneyResult] { results.withLock { $0 } }
    var counts: (done: Int, failed: Int) {
        results.withLock { results in
            let failed = results.count { $0.failure != nil }
            return (results.count - failed, failed)
        }
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds one and returns the new value.
    func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
    func decrement() { value.subtract(1, ordering: .relaxed) }
}
