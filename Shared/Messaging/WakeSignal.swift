import Synchronization

/// Lets one task sleep until another signals it, or a timeout passes. A signal sent while nobody
/// waits is kept, so the next wait returns at once.
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var generation = 0
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Forgets a signal sent while nobody waited: the caller is about to look anyway, and anything
    /// signalled from now on is after that look began.
    public func clear() {
        state.withLock { $0.pending = false }
    }

    /// Returns when signalled, after `timeout`, or when the task is cancelled, whichever comes first.
    public func wait(timeout: Duration) async {
        await withTaskCancellationHandler {
            await waitForSignal(timeout: timeout)
        } onCancel: {
            signal()
        }
    }

    private func waitForSignal(timeout: Duration) async {
        let generation: Int? = state.withLock { state in
            if state.pending {
                state.pending = false
                return nil
            }
            state.generation += 1
            return state.generation
        }
        guard let generation else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.expire(generation)
        }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                // A signal or the timer may have come before the waiter was installed.
                guard state.generation == generation, !state.pending else {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer.cancel()
    }

    private func expire(_ generation: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation else { return nil }
            state.generation += 1
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
