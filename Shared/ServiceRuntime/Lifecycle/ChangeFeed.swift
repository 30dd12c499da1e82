import ServiceLifecycle
import Synchronization

/// Readers of this process waiting for a record to change, woken by the commits that change it (a
/// long poll instead of a look every few milliseconds: each look is a request and a transaction).
///
/// Records are named as the writers note them in ``PostgresStorage/CommitNotes`` (`demand:<id>`).
/// A wait is a courtesy, not a promise: a change made elsewhere (another instance of the service)
/// is not announced here, and the waiting reader looks again when its wait is over.
public final class ChangeFeed: Sendable {
    /// At most this many waits at once; a read beyond them answers at once.
    public let capacity: Int
    private let waiting = Mutex<Waiting>(Waiting())

    private struct Waiting {
        var byName: [String: [Subscription]] = [:]
        var count = 0
    }

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// Starts watching the record `name`; nil when the feed is full. Subscribe before reading the
    /// record, so that a change committed between the read and the wait is not missed.
    public func subscribe(_ name: String) -> Subscription? {
        waiting.withLock { waiting in
            guard waiting.count < capacity else { return nil }
            let subscription = Subscription(name: name, feed: self)
            waiting.byName[name, default: []].append(subscription)
            waiting.count += 1
            return subscription
        }
    }

    /// Wakes the readers waiting for any of these records.
    public func announce(_ names: Set<String>) {
        let woken = waiting.withLock { waiting in
            names.flatMap { name in
                let subscriptions = waiting.byName.removeValue(forKey: name) ?? []
                waiting.count -= subscriptions.count
                return subscriptions
            }
        }
        for subscription in woken { subscription.fire() }
    }

    /// How many readers are waiting now.
    public var waitingCount: Int { waiting.withLock { $0.count } }

    fileprivate func remove(_ subscription: Subscription) {
        waiting.withLock { waiting in
            guard var subscriptions = waiting.byName[subscription.name],
                let index = subscriptions.firstIndex(where: { $0 === subscription })
            else { return }
            subscriptions.remove(at: index)
            waiting.byName[subscription.name] = subscriptions.isEmpty ? nil : subscriptions
            waiting.count -= 1
        }
    }

    /// One reader's watch of one record, for one wait.
    public final class Subscription: Sendable {
        fileprivate let name: String
        private let feed: ChangeFeed
        private let state = Mutex<State>(State())

        private struct State {
            var announced = false
            var cancelled = false
            var waiter: CheckedContinuation<Void, Never>?
        }

        fileprivate init(name: String, feed: ChangeFeed) {
            self.name = name
            self.feed = feed
        }

        /// Waits until the record is announced changed, at most `timeout`, and no longer than until
        /// the service shuts down; says whether it was announced.
        public func changed(within timeout: Duration) async -> Bool {
            // Shutdown cancels both children: the sleep and the announcement then end unannounced.
            let announced = await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Bool.self) { group in
                    group.addTask { await self.announcement() }
                    group.addTask {
                        try? await Task.sleep(for: timeout)
                        return false
                    }
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }
            }
            return announced || state.withLock { $0.announced }
        }

        /// Stops watching (a subscription that was announced is gone from the feed already).
        public func end() {
            feed.remove(self)
        }

        fileprivate func fire() {
            let waiter = state.withLock { state in
                state.announced = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        /// Returns once announced (true) or cancelled (false).
        private func announcement() async -> Bool {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        guard !state.announced, !state.cancelled else { return true }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
                return state.withLock { $0.announced }
            } onCancel: {
                let waiter = state.withLock { state in
                    state.cancelled = true
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
        }
    }
}
