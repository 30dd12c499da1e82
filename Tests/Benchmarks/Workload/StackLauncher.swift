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
            // SMS go out whatever the time of day, and an SMS in doubt is resent after seconds, not a minute;
            // the cadres' monthly reminders do not mix with the journeys' SMS.
            extraEnvironment: ["SMS_QUIET_HOURS": "off", "PAIRING_REMINDER_DAY": "off", "RETURN_REMINDERS": "off", "SMS_RECONCILE_WAIT_SECONDS": "30"].merging(extraEnvironment) { $1 })
        let stack = try PlatformStack(root: root, binDirectory: binDirectory, environment: environment, options: options)
        try await stack.launch(binDirectory: binDirectory) { print($0) }
        do {
            try await waitForDirectories(stack)
        } catch {
            await stack.stop()
            throw error
        }
        return stack
    }

    /// Ready is not yet informed: the directories travel over Kafka after the import, and a
    /// journey that starts first meets "unknown unit". Waits until every copy holds what the tier
    /// intakes hold (a tier's dispatch its own tier's, the platform services every tier's).
    static func waitForDirectories(_ stack: PlatformStack) async throws {
        print("Waiting for every service to hold the directories")
        try await StackDatabase.with(stack) { database in
            _ = try await eventually("directories copied to every service", timeout: .seconds(120), every: .milliseconds(250)) {
                let sizes = try await database.directorySizes()
                let owners = sizes.filter { $0.key.hasPrefix("intake-") }
                let complete = sizes.allSatisfy { process, size in
                    if process.hasPrefix("intake-") { return true }
                    if let tier = process.split(separator: "-", maxSplits: 1).dropFirst().first {
                        return size >= owners["intake-\(tier)", default: 0]
                    }
                    return size >= owners.values.reduce(0, +)
                }
                return complete && !owners.isEmpty ? true : nil
            }
        }
    }
}
