import Foundation

#if canImport(Glibc)
import Glibc
#endif

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
        try run()
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
    let reader = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
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
