import Instrumentation
import Tracing

/// W3C trace context (`traceparent`, `tracestate`) carried as string headers: on outbox rows and
/// Kafka messages, and on SMS intents, so that work done later, elsewhere, joins the trace of the
/// request that caused it. With no tracer bootstrapped (the default) these are empty and free.
public enum TraceHeaders {
    /// The headers of the current trace, if any.
    public static func current() -> [String: String] {
        var headers: [String: String] = [:]
        guard let context = ServiceContext.current else { return headers }
        InstrumentationSystem.instrument.inject(context, into: &headers, using: DictionaryInjector())
        return headers
    }

    /// The trace these headers continue (the top level when they carry none).
    public static func context(from headers: [String: String]) -> ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: DictionaryExtractor())
        return context
    }

    struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
            carrier[key] = value
        }
    }

    struct DictionaryExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? {
            carrier[key]
        }
    }
}
