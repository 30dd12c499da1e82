import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One spawn at a time in this process. Foundation hands each child one end of a socket pair and
/// learns of the child's end when that socket closes; a child spawned by another thread in the
/// moment between the pair's creation and the spawn would inherit the end, and the first child's
/// exit would go unseen for as long as the second one lives.
private let spawning = Mutex(())

extension Process {
    /// Starts the child with no signal blocked. The threads of Swift's concurrency pool block most
    /// signals and a child inherits its parent thread's mask across exec, so without this pgbench's
    /// time limit never fires and `perf record -- sleep N` never sees its workload end.
    public func runWithSignalsUnblocked() throws {
        #if canImport(Glibc)
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        #endif
        try spawning.withLock { _ in try run() }
    }

    /// Waits, without holding a thread (`waitUntilExit` would hold one of the concurrency pool's
    /// few), until the child has ended; false when `timeout` passes first.
    @discardableResult
    public func waitForExit(within timeout: Duration? = nil) async -> Bool {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while isRunning {
            if let deadline, ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}

/// Runs a program to completion and returns what it printed; throws on a non-zero exit.
public func runToCompletion(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> String {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: executable)
    child.arguments = arguments
    if let environment { child.environment = environment }
    let output = Pipe()
    child.standardOutput = output
    child.standardError = output
    // A blocking read, so on Dispatch's pool: the program's tasks may run on NIO's event loops.
    let reader = Task {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: output.fileHandleForReading.readDataToEndOfFile()) }
        }
    }
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        child.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do {
            try child.runWithSignalsUnblocked()
        } catch {
            child.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    let text = String(decoding: await reader.value, as: UTF8.self)
    guard status == 0 else { throw StackError("\(executable) exited with \(status):\n\(text)") }
    return text
}
