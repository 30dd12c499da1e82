import Logging
import PostgresNIO
import Synchronization

/// Runs database operations in tasks of their own and abandons one that still waits after its
/// connection has been closed for `grace` (see ``Database``): PostgresNIO loses the reply promise
/// of a query written to a connection that has just closed, and such a query never returns.
///
/// One monitor task per database checks the running operations twice a second, and only while
/// there are any.
final class LostQueryWatchdog: Sendable {
    /// What the monitor knows of one operation: the connection it runs on, once it has one.
    final class Watch: Sendable {
        private let state = Mutex<(connection: PostgresConnection?, closedSince: ContinuousClock.Instant?)>((nil, nil))

        func started(on connection: PostgresConnection) {
            state.withLock { $0 = (connection, nil) }
        }

        /// Whether the operation's connection has been closed for at least `grace` by `now`.
        func isLost(grace: Duration, now: ContinuousClock.Instant) -> Bool {
            state.withLock { state in
                guard let connection = state.connection, connection.isClosed else {
                    state.closedSince = nil
                    return false
                }
                let since = state.closedSince ?? now
                state.closedSince = since
                return now - since >= grace
            }
        }
    }

    private struct Operation: Sendable {
        let watch: Watch
        let abandon: @Sendable () -> Void
        let site: String
    }

    private struct Registry: Sendable {
        var nextID: UInt64 = 0
        var running: [UInt64: Operation] = [:]
        var isMonitoring = false
    }

    private let grace: Duration
    private let logger: Logger
    private let registry = Mutex(Registry())

    init(grace: Duration, logger: Logger) {
        self.grace = grace
        self.logger = logger
    }

    func run<Value: Sendable>(
        file: String, line: Int,
        _ operation: @escaping @Sendable (Watch) async throws -> Value
    ) async throws -> Value {
        let watch = Watch()
        let outcome = Outcome<Value>()
        let task = Task {
            do {
                outcome.finish(.success(try await operation(watch)))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        let id = register(Operation(watch: watch, abandon: {
            outcome.finish(.failure(ConnectionLostError(file: file, line: line)))
            task.cancel()
        }, site: "\(file):\(line)"))
        defer { registry.withLock { _ = $0.running.removeValue(forKey: id) } }
        return try await withTaskCancellationHandler {
            try await outcome.value()
        } onCancel: {
            task.cancel()
        }
    }

    private func register(_ operation: Operation) -> UInt64 {
        let (id, startMonitor) = registry.withLock { registry in
            registry.nextID += 1
            registry.running[registry.nextID] = operation
            defer { registry.isMonitoring = true }
            return (registry.nextID, !registry.isMonitoring)
        }
        if startMonitor { Task.detached { [self] in await monitor() } }
        return id
    }

    private func monitor() async {
        while true {
            try? await Task.sleep(for: .milliseconds(500))
            let now = ContinuousClock.now
            let lost: [Operation]? = registry.withLock { registry in
                if registry.running.isEmpty {
                    registry.isMonitoring = false
                    return nil
                }
                let lost = registry.running.filter { $0.value.watch.isLost(grace: grace, now: now) }
                for id in lost.keys { registry.running.removeValue(forKey: id) }
                return Array(lost.values)
            }
            guard let lost else { return }
            for operation in lost {
                logger.warning("Database operation abandoned: its connection closed and its query was never answered",
                    metadata: ["code.site": "\(operation.site)"])
                operation.abandon()
            }
        }
    }
}

/// The result of an operation, delivered once to whoever waits for it: the operation itself or
/// the watchdog, whichever comes first.
private final class Outcome<Value: Sendable>: Sendable {
    private enum State {
        case pending(CheckedContinuation<Value, any Error>?)
        case finished(Result<Value, any Error>)
        case delivered
    }

    private let state = Mutex<State>(.pending(nil))

    func finish(_ result: Result<Value, any Error>) {
        let waiting: CheckedContinuation<Value, any Error>? = state.withLock { state in
            guard case .pending(let continuation) = state else { return nil }
            state = continuation == nil ? .finished(result) : .delivered
            return continuation
        }
        waiting?.resume(with: result)
    }

    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .finished(let result):
                    state = .delivered
                    return result
                case .pending:
                    state = .pending(continuation)
                    return nil
                case .delivered:
                    preconditionFailure("an outcome is awaited once")
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
