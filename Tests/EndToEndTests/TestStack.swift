import DemandDomain
import Foundation
import InputValidation
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
    /// Receives every service's spans (tracing is on in the test stack).
    let traces = TraceCollector()

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
        // Quiet hours and the automatic pairing reminder off: the SMS tests must not depend on the
        // time of day or the day of the month they run on (the pairing test asks for reminders itself).
        let options = PlatformStack.Options(
            schemaPrefix: "e2e_", logLevel: "info", bcryptCost: 4, deadlineScanIntervalMilliseconds: 500,
            // The tests stand behind 127.0.0.1 as a proxy, so they can log in "from" other addresses.
            extraEnvironment: ["SMS_QUIET_HOURS": "off", "PAIRING_REMINDER_DAY": "off", "RETURN_REMINDERS": "off", "SMS_RECONCILE_WAIT_SECONDS": "30",
                "HTTP_TRUSTED_PROXIES": "127.0.0.1",
                "OTEL_EXPORTER_OTLP_ENDPOINT": try await traces.start(), "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"])
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
/// The error a call that must fail answered with; nil when it succeeded.
func apiRefusal(_ call: () async throws -> Void) async -> APICallError? {
    do {
        try await call()
        return nil
    } catch { return error as? APICallError }
}

func kinds(_ demand: DemandSnapshot) -> [String] {
    demand.history.map(\.kind)
}

/// Runs a command to its end; its output (both streams, the last 6000 characters) comes back for
/// a failure message.
func runCommand(_ arguments: [String]) async throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("command-\(UUID()).log")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    process.standardOutput = handle
    process.standardError = handle
    try process.runWithSignalsUnblocked()
    await process.waitForExit()
    try handle.close()
    let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(at: output)
    return (process.terminationStatus, String(text.suffix(6000)))
}
