import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import ServiceRuntime
import Synchronization
import Testing

/// Reads that wait for a change (`Prefer: wait` with `If-None-Match`), in process: a record held in
/// memory, changed by the test, which announces the change as a commit would.
@Suite("Reads that wait for a change", .timeLimit(.minutes(1)))
struct ConditionalReadTests {
    final class Record: Sendable {
        private let value: Mutex<String?>
        init(_ value: String?) { self.value = Mutex(value) }
        var current: String? { value.withLock { $0 } }
        func set(_ new: String?) { value.withLock { $0 = new } }
    }

    /// A router serving `GET /record` from `record` (404 while nil), watching `record` in `feed`.
    func router(_ record: Record, _ feed: ChangeFeed) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.get("record") { request, _ in
            try await ConditionalRead(request).respond(watching: "record", in: feed) {
                guard let value = record.current else { throw APIError.notFound("记录") }
                return try Representation(encoding: ["value": value])
            }
        }
        return router
    }

    /// Longer than any answer given at once takes, even with the whole suite running beside it;
    /// half the ten-second waits the checks that expect one ask for.
    static let atOnce = Duration.seconds(5)

    /// Returns once `count` reads wait in `feed`, so that a change made next is one they wait for.
    func untilWaiting(_ count: Int, in feed: ChangeFeed) async throws {
        while feed.waitingCount < count { try await Task.sleep(for: .milliseconds(10)) }
    }

    struct Answer {
        var status: Int
        var tag: String?
        var body: String
        var took: Duration
    }

    func read(_ client: some TestClientProtocol, wait: Int? = nil, knownTag: String? = nil) async throws -> Answer {
        var headers: HTTPFields = [:]
        if let wait { headers[.prefer] = "wait=\(wait)" }
        if let knownTag { headers[.ifNoneMatch] = knownTag }
        let start = ContinuousClock.now
        return try await client.execute(uri: "/record", method: .get, headers: headers) { response in
            Answer(status: response.status.code, tag: response.headers[.eTag], body: String(buffer: response.body),
                took: ContinuousClock.now - start)
        }
    }

    @Test("A waiting read answers when the change it waits for is announced, and only then")
    func announcedChanges() async throws {
        let (record, feed) = (Record(nil), ChangeFeed())
        try await Application(router: router(record, feed)).test(.router) { client async throws in
            // Not there yet: the read waits for it to exist, and ends when its commit is announced.
            async let appeared = read(client, wait: 10)
            try await untilWaiting(1, in: feed)
            feed.announce(["another record"])
            try await Task.sleep(for: .milliseconds(100))
            #expect(feed.waitingCount == 1)
            record.set("v1")
            feed.announce(["record"])
            let first = try await appeared
            #expect(first.status == 200)
            #expect(first.body.contains("v1"))
            #expect(first.took < Self.atOnce, "answered after \(first.took)")
            let tag = try #require(first.tag)

            // Unchanged: 304 with the same tag, at once without a wait, after the wait with one.
            let plain = try await read(client, knownTag: tag)
            #expect(plain.status == 304 && plain.tag == tag && plain.took < Self.atOnce)
            let waited = try await read(client, wait: 1, knownTag: tag)
            #expect(waited.status == 304 && waited.tag == tag)
            #expect(waited.took >= .milliseconds(900), "answered after \(waited.took)")

            // Changed without an announcement (another instance wrote it): the read sees it at once.
            record.set("v2")
            let changed = try await read(client, wait: 10, knownTag: tag)
            #expect(changed.status == 200 && changed.body.contains("v2") && changed.tag != tag)
            #expect(changed.took < Self.atOnce, "answered after \(changed.took)")

            // Announced but the same (a commit that changed nothing a reader sees): it waits on.
            async let unchanged = read(client, wait: 2, knownTag: changed.tag)
            try await untilWaiting(1, in: feed)
            feed.announce(["record"])
            let same = try await unchanged
            #expect(same.status == 304 && same.took >= .milliseconds(1900), "answered \(same.status) after \(same.took)")

            // Gone from sight since the caller read it: 404 at once; never there: 404 after the wait.
            record.set(nil)
            let gone = try await read(client, wait: 10, knownTag: changed.tag)
            #expect(gone.status == 404 && gone.took < Self.atOnce)
            let missing = try await read(client, wait: 1)
            #expect(missing.status == 404 && missing.took >= .milliseconds(900))
        }
        #expect(feed.waitingCount == 0)
    }

    /// A service that waits for `record` to change and says how its wait ended.
    struct Waiter: Service {
        let subscription: ChangeFeed.Subscription
        let outcome: Record

        func run() async throws {
            let start = ContinuousClock.now
            let announced = await subscription.changed(within: .seconds(30))
            outcome.set("announced: \(announced), after \(ContinuousClock.now - start)")
        }
    }

    @Test("A wait ends when its service shuts down gracefully, not at its end")
    func shutdownEndsWaits() async throws {
        let feed = ChangeFeed()
        let outcome = Record(nil)
        let waiter = Waiter(subscription: try #require(feed.subscribe("record")), outcome: outcome)
        let group = ServiceGroup(services: [waiter], logger: Logger(label: "conditional-read-test"))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(200))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(ContinuousClock.now - start < .seconds(15), "ended after \(ContinuousClock.now - start), the wait being 30 s")
        #expect(outcome.current?.hasPrefix("announced: false") == true, "\(outcome.current ?? "never ended")")
    }

    @Test("A full feed, and a wait longer than ten seconds, are answered without waiting past their limit")
    func limits() async throws {
        let (record, feed) = (Record("v1"), ChangeFeed(capacity: 0))
        try await Application(router: router(record, feed)).test(.router) { client async throws in
            let first = try await read(client)
            let full = try await read(client, wait: 10, knownTag: first.tag)
            #expect(full.status == 304 && full.took < Self.atOnce, "answered after \(full.took)")
        }
        #expect(ConditionalRead.longestWait == .seconds(10))
        let roomy = ChangeFeed(capacity: 1)
        let held = try #require(roomy.subscribe("a"))
        #expect(roomy.subscribe("b") == nil)
        held.end()
        #expect(roomy.waitingCount == 0)
        #expect(roomy.subscribe("b") != nil)
    }
}
