import Foundation

/// Breaks and mends the infrastructure under a running local stack (Postgres, Kannel) through
/// `deploy/local/infra-control`, so the scripts that started it stay the one place that knows how.
public struct InfrastructureControl: Sendable {
    public let root: String

    /// - Parameter root: The repository root.
    public init(root: String) {
        self.root = root
    }

    /// Fast restart: every open connection is cut, as in a crash or a failover.
    public func restartPostgres() async throws { try await run("restart-postgres") }
    /// Stops smsbox, bearerbox (given time to write its store), then fakesmsc; accepted messages stay in bearerbox's store.
    public func stopKannel() async throws { try await run("stop-kannel") }
    public func startKannel() async throws { try await run("start-kannel") }
    /// Stops only smsbox, Kannel's HTTP side: the notifier cannot hand over SMS.
    public func stopSMSBox() async throws { try await run("stop-smsbox") }
    public func startSMSBox() async throws { try await run("start-smsbox") }

    private func run(_ command: String) async throws {
        _ = try await runToCompletion(root + "/deploy/local/infra-control", [command])
    }
}
