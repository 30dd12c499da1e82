import ArgumentParser
import DemandDomain
import PostgresStorage
import ReportingService
import ServiceRuntime
import Tenancy

/// Reporting, for every tier. `reporting` (or `reporting serve`) runs it; `reporting rebuild`
/// drops the read model and replays the status topics into it. Settings come from the environment.
@main
struct Reporting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reporting",
        abstract: "Statistics, ledgers and monthly briefings from the event stream.",
        subcommands: [Serve.self, Rebuild.self],
        defaultSubcommand: Serve.self)

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the service until SIGTERM or SIGINT.")

        func run() async throws {
            await ServiceMain.run {
                try await buildReportingApplication(
                    settings: try await RuntimeSettings.load(service: .reporting, perTier: false, defaultPort: 8085))
            }
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop the read model and replay every tier's status topics into it (stop the service first).")

        func run() async throws {
            let settings = try await RuntimeSettings.load(service: .reporting, perTier: false, defaultPort: 8085)
            print("Rebuilding the read model of \(settings.postgres.schema) from the status topics…")
            let summary = try await rebuildReadModel(settings: settings) { applied in print("  \(applied) events applied") }
            print("Done: \(summary.applied) events in \(summary.seconds) s")
        }
    }
}
