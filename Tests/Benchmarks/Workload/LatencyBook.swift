import Histogram
import Synchronization

/// Latencies by name (an API operation, a Kafka hop), each in its own HdrHistogram of microseconds.
public final class LatencyBook: Sendable {
    private let histograms = Mutex<[String: Histogram<UInt64>]>([:])

    public init() {}

    public func record(_ name: String, _ duration: Duration) {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        record(name, microseconds: UInt64(max(0, microseconds)))
    }

    public func record(_ name: String, microseconds: UInt64) {
        histograms.withLock { histograms in
            // Up to ten minutes at three significant digits.
            _ = histograms[name, default: Histogram(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)]
                .record(min(microseconds, 600_000_000))
        }
    }

    /// One line per name, sorted by name; `all` adds a line over every name together.
    public func summaries(all: String? = nil) -> [LatencySummary] {
        histograms.withLock { histograms in
            var lines = histograms.map { LatencySummary(name: $0.key, histogram: $0.value) }.sorted { $0.name < $1.name }
            if let all, !histograms.isEmpty {
                var total = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
                for histogram in histograms.values { total.add(histogram) }
                lines.append(LatencySummary(name: all, histogram: total))
            }
            return lines
        }
    }
}

/// Percentiles of one histogram, in milliseconds.
public struct LatencySummary: Codable, Sendable {
    public var name: String
    public var count: UInt64
    public var p50: Double
    public var p99: Double
    public var p999: Double
    public var max: Double

    init(name: String, histogram: Histogram<UInt64>) {
        self.name = name
        count = histogram.totalCount
        p50 = Double(histogram.valueAtPercentile(50)) / 1000
        p99 = Double(histogram.valueAtPercentile(99)) / 1000
        p999 = Double(histogram.valueAtPercentile(99.9)) / 1000
        max = Double(histogram.max) / 1000
    }
}
