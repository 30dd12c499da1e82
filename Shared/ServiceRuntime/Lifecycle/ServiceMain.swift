import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Starts a service: builds it, runs it until SIGTERM or SIGINT, and exits non-zero on a
/// configuration error (naming the setting) or a failure.
public enum ServiceMain {
    public static func run(_ build: () async throws -> any ApplicationProtocol) async {
        runTasksOnEventLoops()
        do {
            let app = try await build()
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        } catch {
            FileHandle.standardError.write(Data("fatal: \(error)\n".utf8))
            exit(1)
        }
    }

    /// The HTTP server, PostgresNIO and AsyncHTTPClient all do their I/O on NIO's shared event
    /// loops; running the process's tasks there too spares a thread hop at every await on I/O.
    /// `TASKS_ON_EVENT_LOOPS=false` (environment only: it applies before settings are read) keeps
    /// Swift's own pool, for a library found to block its caller's thread.
    public static func runTasksOnEventLoops() {
        guard ProcessInfo.processInfo.environment["TASKS_ON_EVENT_LOOPS"] != "false" else { return }
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
