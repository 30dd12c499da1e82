import Foundation
import Instrumentation
import Logging
import OTel
import ServiceLifecycle
import Synchronization
import Tracing

/// Distributed tracing with swift-otel, off unless an OTLP endpoint is configured
/// (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, with the other standard
/// `OTEL_*` variables: `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_SAMPLER`, …). Spans: each HTTP
/// request (W3C `traceparent` in, and out on calls to other services), each consumed event (the
/// context travels in outbox rows and Kafka headers) and each SMS sent.
public enum PlatformTracing {
    private static let bootstrapped = Mutex(false)

    /// Bootstraps the tracer once per process when an endpoint is set; the returned service exports
    /// the spans and must run beside the server.
    public static func bootstrap(serviceName: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger) throws -> (any Service)?
    {
        guard environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil else {
            return nil
        }
        let first = bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        // Short batches: a span should reach the collector within a second or two.
        configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(500)
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        logger.info("Tracing to OTLP", metadata: [
            "endpoint": "\(environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "")"
        ])
        return service
    }
}
