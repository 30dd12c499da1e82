import Foundation
import LocalStack
import Synchronization

/// Samples the resident memory of every service process once a second, for its steady state; the
/// peak is the kernel's high-water mark.
public final class MemorySampler: Sendable {
    struct Sample {
        var at: ContinuousClock.Instant
        var bytes: Int
    }

    private let processes: [ServiceProcess]
    private let samples = Mutex<[String: [Sample]]>([:])

    public init(processes: [ServiceProcess]) {
        self.processes = processes
    }

    /// Samples until cancelled.
    public func run(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            let readings = processes.compactMap { process in process.residentBytes().map { (process.name, $0) } }
            samples.withLock { samples in
                for (name, bytes) in readings { samples[name, default: []].append(Sample(at: now, bytes: bytes)) }
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Per service: the peak since it started, and the median of the samples between `from` and `to`
    /// (steady state).
    public func summary(steadyFrom from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> [MemorySummary] {
        let peaks = Dictionary(processes.compactMap { process in process.peakResidentBytes().map { (process.name, $0) } }) { $1 }
        return samples.withLock { samples in
            samples.map { name, list in
                let steady = list.filter { $0.at >= from && $0.at <= to }.map(\.bytes).sorted()
                // The high-water mark is at least every sample; the samples stand in if it could not be read.
                let peak = peaks[name] ?? list.map(\.bytes).max() ?? 0
                return MemorySummary(service: name, peakMiB: Double(peak) / 1_048_576,
                    steadyMiB: steady.isEmpty ? nil : Double(steady[steady.count / 2]) / 1_048_576)
            }.sorted { $0.service < $1.service }
        }
    }
}

public struct MemorySummary: Codable, Sendable {
    public var service: String
    public var peakMiB: Double
    public var steadyMiB: Double?
}
