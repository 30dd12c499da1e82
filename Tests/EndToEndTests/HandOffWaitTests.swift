import DemandDomain
import Foundation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
@Suite("Reads that wait for a hand-off")
struct HandOffWaitTests {
    /// One read at dispatch that waits up to ten seconds: the answer and how long it took.
    func awaitAtDispatch(_ client: PlatformClient, _ session: Session, _ id: UUID, knownTag: String?) async throws
        -> (answer: (value: DemandProgress, tag: String)?, took: Duration)
    {
        let start = ContinuousClock.now
        let answer: (value: DemandProgress, tag: String)? = try await client.awaitChange(
            .dispatchView, tier: "maojian", id: id, token: session.token, knownTag: knownTag, wait: .seconds(10))
        return (answer, ContinuousClock.now - start)
    }

    @Test("A read at dispatch that waits ends when dispatch commits the change: taking the demand over, routing it, following the unit's signature")
    func waitsEndAtCommits() async throws {
        let stack = TestStack.shared
        let client = try await stack.client()
        let cast = try await stack.people()
        let submitted = try await client.submit(cast.enterprise, form: JourneyRunner.sampleForm(), idempotencyKey: UUID().uuidString)

        // Not at dispatch yet: the read waits until dispatch's consumer has stored it.
        async let arrival = awaitAtDispatch(client, cast.countyDispatcher, submitted.id, knownTag: nil)
        try await Task.sleep(for: .milliseconds(300))
        _ = try await client.approve(cast.cadre, submitted.id)
        let arrived = try await arrival
        let taken = try #require(arrived.answer, "no answer within the wait (\(arrived.took))")
        #expect(taken.value.state == .awaitingDispatch)
        #expect(arrived.took < .seconds(5), "answered after \(arrived.took)")

        // Dispatch's own action, and then the unit's signature as its status event tells dispatch.
        async let routing = awaitAtDispatch(client, cast.countyDispatcher, submitted.id, knownTag: taken.tag)
        try await Task.sleep(for: .milliseconds(300))
        _ = try await client.route(cast.countyDispatcher, submitted.id, lead: "maojian-jxj")
        let routed = try await routing
        let atUnit = try #require(routed.answer, "no answer within the wait (\(routed.took))")
        #expect(atUnit.value.state == .awaitingSignature)
        #expect(routed.took < .seconds(5), "answered after \(routed.took)")

        _ = try await eventually("the unit to hold the demand") {
            try? await client.handle(cast.countyUnit, submitted.id, .sign, ["note": "已签收"])
        }
        let signed = try await awaitAtDispatch(client, cast.countyUnit, submitted.id, knownTag: atUnit.tag)
        let inProgress = try #require(signed.answer, "no answer within the wait (\(signed.took))")
        #expect(inProgress.value.state == .inProgress)
        #expect(signed.took < .seconds(5), "answered after \(signed.took)")

        // Unchanged since: the wait ends with nothing new.
        let still = try await client.awaitChange(.dispatchView, tier: "maojian", id: submitted.id,
            token: cast.countyUnit.token, knownTag: inProgress.tag, wait: .seconds(1)) as (value: DemandProgress, tag: String)?
        #expect(still == nil)

        // Dispatch times the waiting reads apart from the reads answered at once.
        let platform = try await stack.start()
        let (_, data) = try await client.raw("metrics", .GET, platform.url(.dispatch, tier: "maojian") + "/metrics", token: nil)
        let waitingLines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("http_waiting_request_duration_seconds_count") && $0.contains("/demands/{id}") }
        #expect(!waitingLines.isEmpty, "no waiting reads in dispatch's metrics")
    }
}
}
