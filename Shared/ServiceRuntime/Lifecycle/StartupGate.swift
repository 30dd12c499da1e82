import ServiceLifecycle
import Synchronization

/// Opens once, when start-up work (migrations) is done; services that need the schema wait for it.
public final class StartupGate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var isOpen: Bool { state.withLock { $0.isOpen } }

    public func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    public func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
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
