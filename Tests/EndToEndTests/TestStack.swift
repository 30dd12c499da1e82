import DemandDomain
import Foundation
import LocalStack
import PlatformAPI
import Testing

/// One running platform for the end-to-end tests: nine separate service processes over the
/// Postgres, dev Kafka cluster and Kannel that `deploy/local/test` started. Started on first use;
/// `deploy/local/test` stops whatever is left when the run ends.
actor TestStack {
    static let shared = TestStack()

    private var stack: PlatformStack?
    private var cast: Cast?

    static var available: Bool {
        let environment = StackEnvironment.current
        return environment.hasDevKafka && environment.hasPostgres && environment.hasBinaries
    }

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func start() async throws -> PlatformStack {
        if let stack { return stack }
        let environment = StackEnvironment.current
        // Quiet hours off: the SMS tests must not depend on the time of day they run at.
        let options = PlatformStack.Options(
            schemaPrefix: "e2e_", logLevel: "info", bcryptCost: 4, deadlineScanIntervalMilliseconds: 500,
            // The tests stand behind 127.0.0.1 as a proxy, so they can log in "from" other addresses.
            extraEnvironment: ["SMS_QUIET_HOURS": "off", "SMS_RECONCILE_WAIT_SECONDS": "5", "HTTP_TRUSTED_PROXIES": "127.0.0.1"])
        let stack = try PlatformStack(root: Self.repositoryRoot, binDirectory: environment.binDirectory!, environment: environment,
            options: options)
        try await stack.launch(binDirectory: environment.binDirectory!)
        self.stack = stack
        return stack
    }

    func client() async throws -> PlatformClient {
        PlatformClient(stack: try await start())
    }

    func people() async throws -> Cast {
        if let cast { return cast }
        let cast = try await Cast.login(try await client())
        self.cast = cast
        return cast
    }

    func runner() async throws -> JourneyRunner {
        JourneyRunner(client: try await client(), cast: try await people())
    }
}

/// The kinds of transition of a history, in order.
func kinds(_ demand: DemandSnapshot) -> [String] {
    demand.history.map(\.kind)
}
