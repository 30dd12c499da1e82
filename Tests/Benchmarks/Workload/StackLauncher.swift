import Foundation
import LocalStack

/// Starts the nine service processes of the local stack for a benchmark or harness run, over the
/// Postgres, Kafka and Kannel that `deploy/local/benchmark` started, in schemas of their own.
public enum StackLauncher {
    public static func start(root: String, schemaPrefix: String, extraEnvironment: [String: String] = [:]) async throws -> PlatformStack {
        let environment = StackEnvironment.current
        guard let binDirectory = environment.binDirectory, environment.hasDevKafka, environment.hasPostgres else {
            throw StackError("run this through deploy/local/benchmark, which starts Postgres, the dev Kafka cluster and Kannel")
        }
        let options = PlatformStack.Options(
            schemaPrefix: schemaPrefix, logLevel: "warning", bcryptCost: 4,
            // SMS go out whatever the time of day, and an SMS in doubt is resent after seconds, not a minute.
            extraEnvironment: ["SMS_QUIET_HOURS": "off", "SMS_RECONCILE_WAIT_SECONDS": "5"].merging(extraEnvironment) { $1 })
        let stack = try PlatformStack(root: root, binDirectory: binDirectory, environment: environment, options: options)
        try await stack.launch(binDirectory: binDirectory) { print($0) }
        return stack
    }
}
