import DemandDomain
import Foundation
import LocalStack
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    @Suite("Tracing")
    struct TracingTests {
        @Test("One escalated journey is one connected trace across both tiers' services, Kafka and the SMS")
        func escalatedJourneyIsOneTrace() async throws {
            let traceID = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            let rootSpanID = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            var client = try await TestStack.shared.client()
            client.traceParent = "00-\(traceID)-\(rootSpanID)-01"
            let runner = JourneyRunner(client: client, cast: try await TestStack.shared.people())
            _ = try await runner.run(.escalated)

            // Every service that takes part, including the consumers that follow the journey.
            let expected: Set<String> = [
                "intake-maojian", "dispatch-maojian", "intake-shiyan", "dispatch-shiyan", "handling", "notifier", "reporting",
            ]
            // Connected: every span's parent is the journey's root or another span of the trace. A
            // parent may reach the collector a batch later than its child, so wait for it.
            func orphans(_ spans: [TraceCollector.Span]) -> [TraceCollector.Span] {
                let ids = Set(spans.map(\.spanID)).union([rootSpanID])
                return spans.filter { $0.parentSpanID.map { !ids.contains($0) } ?? true }
            }
            var spans: [TraceCollector.Span] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                spans = await TestStack.shared.traces.spans(ofTrace: traceID)
                if expected.isSubset(of: Set(spans.map(\.service))), spans.contains(where: { $0.name == "sms send" }),
                    orphans(spans).isEmpty
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            let services = Set(spans.map(\.service))
            #expect(expected.isSubset(of: services), "services in the trace: \(services.sorted())")
            #expect(spans.contains { $0.name == "sms send" }, "no SMS span in the trace")
            #expect(spans.contains { $0.name.hasSuffix(" receive") }, "no consumer span in the trace")
            #expect(orphans(spans).isEmpty, "spans whose parent is not in the trace: \(orphans(spans).prefix(5))")
            #expect(spans.count > 20)
        }
    }
}
