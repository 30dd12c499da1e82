import Foundation
import Hummingbird
import Logging
import NIOCore

/// An OTLP/HTTP (JSON) trace receiver for the tests: the stack's services export their spans here
/// (`OTEL_EXPORTER_OTLP_ENDPOINT`), and a test reads back the spans of one trace.
actor TraceCollector {
    struct Span: Sendable, Hashable {
        var service: String
        var name: String
        var kind: String
        var traceID: String
        var spanID: String
        var parentSpanID: String?
    }

    private var spans: [Span] = []
    private(set) var endpoint = ""

    /// Starts the receiver on a free loopback port; it runs until the test process ends.
    func start() async throws -> String {
        if !endpoint.isEmpty { return endpoint }
        let router = Router()
        router.post("v1/traces") { [self] request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 32 << 20)
            await self.receive(Data(body.readableBytesView))
            return .ok
        }
        let (portStream, port) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.yield(channel.localAddress?.port ?? 0)
                port.finish()
            },
            logger: Logger(label: "trace-collector"))
        Task { try await app.runService() }
        var bound = 0
        for await value in portStream { bound = value }
        endpoint = "http://127.0.0.1:\(bound)"
        return endpoint
    }

    /// The spans of one trace (ids as lower-case hex).
    func spans(ofTrace traceID: String) -> [Span] {
        spans.filter { $0.traceID == traceID }
    }

    private func receive(_ data: Data) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        for resourceSpans in root["resourceSpans"] as? [[String: Any]] ?? [] {
            let attributes = (resourceSpans["resource"] as? [String: Any])?["attributes"] as? [[String: Any]] ?? []
            let service = attributes.first { $0["key"] as? String == "service.name" }
                .flatMap { ($0["value"] as? [String: Any])?["stringValue"] as? String } ?? "?"
            for scope in resourceSpans["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    guard let trace = Self.hex(span["traceId"]), let id = Self.hex(span["spanId"]) else { continue }
                    spans.append(Span(service: service, name: span["name"] as? String ?? "", kind: "\(span["kind"] ?? "")",
                        traceID: trace, spanID: id, parentSpanID: Self.hex(span["parentSpanId"])))
                }
            }
        }
    }

    /// OTLP/JSON ids are hex by the specification; protobuf's JSON mapping writes bytes as base64.
    /// Either way, lower-case hex here.
    static func hex(_ value: Any?) -> String? {
        guard let text = value as? String, !text.isEmpty else { return nil }
        if text.count % 2 == 0, text.allSatisfy(\.isHexDigit), text.count == 16 || text.count == 32 { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text), !bytes.isEmpty else { return nil }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
