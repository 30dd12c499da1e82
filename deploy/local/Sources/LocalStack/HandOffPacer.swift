import Synchronization

/// How long each kind of hand-off over Kafka has been taking, learned as journeys run, so that a
/// wait looks first about when the hand-off is likely done instead of asking every few
/// milliseconds from the start: each look costs the platform a request and a query, which a load
/// benchmark would otherwise count as the journey's own cost.
public final class HandOffPacer: Sendable {
    /// A running average of how long waits of each kind took until they saw the hand-off.
    private let typical = Mutex<[String: Duration]>([:])

    public init() {}

    /// Returns what `body` returns once it is not nil. The first look comes after most of the
    /// typical time of this kind of hand-off, the next ones a quarter of it apart (growing), so
    /// a wait usually takes one or two looks; a kind not seen before is polled from the start.
    public func wait<T: Sendable>(
        _ kind: String, for what: String, timeout: Duration, _ body: @Sendable () async throws -> T?
    ) async throws -> T {
        let start = ContinuousClock.now
        let expected = typical.withLock { $0[kind] } ?? .zero
        if expected > .zero { try await Task.sleep(for: min(expected * 0.8, .seconds(2), timeout / 2)) }
        let value = try await eventually(what, timeout: timeout - (ContinuousClock.now - start),
            every: max(expected / 4, .milliseconds(20)), upTo: .milliseconds(500), body)
        learn(kind, took: ContinuousClock.now - start)
        return value
    }

    private func learn(_ kind: String, took: Duration) {
        typical.withLock { known in known[kind] = known[kind].map { $0 * 0.8 + took * 0.2 } ?? took }
    }
}
