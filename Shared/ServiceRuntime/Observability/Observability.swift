import Foundation
import InputValidation
import Logging
import Metrics
import Prometheus
import Synchronization
import Tenancy

/// Process-wide logging and metrics, set up once (swift-log and swift-metrics allow one bootstrap
/// per process; tests that start several services in one process share it).
public enum Observability {
    /// The registry `/metrics` exposes.
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped = Mutex(false)

    public static func bootstrap(logLevel: Logger.Level, json: Bool = true) {
        let first = bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardOutput(label: label)
            handler.logLevel = logLevel
            return handler
        }
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
    }

    /// The Prometheus text exposition of every metric.
    public static func exposition() -> String {
        registry.emitToString()
    }
}

/// One JSON object per line on standard output: time, level, label, message, metadata. Phone
/// numbers in messages and metadata are masked before they are written.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [
            "time": Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)),
            "level": event.level.rawValue,
            "logger": label,
            "message": maskPhoneNumbers(in: "\(event.message)"),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = maskPhoneNumbers(in: "\(value)")
        }
        if event.level >= .error { fields["source"] = "\(event.file):\(event.line)" }
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }
}
