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
        // The HTTP server, PostgresNIO and AsyncHTTPClient all do their I/O on NIO's shared event
        // loops; running the service's tasks there too spares a thread hop at every await on I/O.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
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
}
