import Synchronization

/// When each kind of hand-off over Kafka is usually done, learned as journeys run, so that a wait
/// looks first when the hand-off is likely done instead of asking every few milliseconds from the
/// start: each look costs the platform a request and a query, which a load benchmark would
/// otherwise count as the journey's own cost.
public final class HandOffPacer: Sendable {
    /// Per kind, the time by which about four waits in five saw the hand-off at their first look.
    private let usual = Mutex<[String: Duration]>([:])

    /// How much a first look that found the hand-off (or did not) moves the usual time down (or up).
    /// Four downs balance one up, so the usual time settles where one first look in five is early.
    static let stepDown = 0.96
    static let stepUp = 1.16

    public init() {}

    /// Returns what `body` returns once it is not nil. The first look comes at the usual time of
    /// this kind of hand-off, the next ones a quarter of it apart (growing); a kind not seen before
    /// is polled from the start.
    public func wait<T: Sendable>(
        _ kind: String, for what: String, timeout: Duration, _ body: @Sendable () async throws -> T?
    ) async throws -> T {
        let start = ContinuousClock.now
        let usual = usualTime(of: kind)
        if let usual { try await Task.sleep(for: min(usual, .seconds(2), timeout / 2)) }
        let looks = Atomic<Int>(0)
        let value = try await eventually(what, timeout: timeout - (ContinuousClock.now - start),
            every: max((usual ?? .zero) / 4, .milliseconds(20)), upTo: .milliseconds(500))
        {
            looks.add(1, ordering: .relaxed)
            return try await body()
        }
        learn(kind, took: ContinuousClock.now - start, looks: looks.load(ordering: .relaxed))
        return value
    }

    /// The learned first-look time of `kind`, nil before its first wait.
    private func usualTime(of kind: String) -> Duration? {
        usual.withLock { $0[kind] }
    }

    /// Records a wait of `kind` that took `looks` looks and `took` in all.
    private func learn(_ kind: String, took: Duration, looks: Int) {
        usual.withLock { known in
            guard let current = known[kind] else {
                known[kind] = took
                return
            }
            known[kind] = current * (looks <= 1 ? Self.stepDown : Self.stepUp)
        }
    }
}
