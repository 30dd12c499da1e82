import ServiceLifecycle
import Synchronization

/// Opens once, when start-up work (migrations) is done; services that need the schema wait for it.
public final class StartupGate: Sendable {
    private struct State {
        var isOpen = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters whose task was cancelled before they were registered.
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    public init() {}

    public var isOpen: Bool { state.withLock { $0.isOpen } }

    public func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the gate is open, or at once when the waiting task is cancelled (a service
    /// that stops before start-up work is done must not wait for it).
    public func wait() async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isOpen || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    // Not registered yet (or already resumed by `open`).
                    if !state.isOpen { state.cancelled.insert(id) }
                    return nil as CheckedContinuation<Void, Never>?
                }
                return waiter
            }
            waiter?.resume()
        }
    }
}

/// Runs a service only after the gate opens; if the process stops first, it never runs.
public struct GatedService: Service {
    let gate: StartupGate
    let inner: any Service

    public init(gate: StartupGate, _ inner: any Service) {
        self.gate = gate
        self.inner = inner
    }

    public func run() async throws {
        let opened: Bool = await withTaskGroup(of: Bool.self) { group in
            group.addTask { [gate] in
                await gate.wait()
                return true
            }
            group.addTask {
                try? await gracefulShutdown()
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard opened, !Task.isShuttingDownGracefully else { return }
        try await inner.run()
    }
}
