import ArgumentParser
import DemandDomain
import IntakeService
import ServiceRuntime
import Tenancy

/// A tier's intake service. `intake` (or `intake serve`) runs it; `intake import-directory FILE`
/// loads a directory file into its database. Settings come from the environment (README).
@main
struct Intake: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "A tier's intake: submissions, cadre review, registration numbers, the tier's directory.",
        subcommands: [Serve.self, ImportDirectory.self],
        defaultSubcommand: Serve.self)

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the service until SIGTERM or SIGINT.")

        func run() async throws {
            await ServiceMain.run {
                try await buildIntakeApplication(
                    settings: try await RuntimeSettings.load(service: .intake, perTier: true, defaultPort: 8081))
            }
        }
    }

    struct ImportDirectory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-directory", abstract: "Load a directory file (units, people, enterprises) into this tier.")

        @Argument(help: "Path of the directory JSON file.")
        var file: String

        func run() async throws {
            let settings = try await RuntimeSettings.load(service: .intake, perTier: true, defaultPort: 8081)
            let summary = try await importDirectory(file: file, settings: settings)
            print("imported \(summary.units) units, \(summary.people) people, \(summary.enterprises) enterprises, \(summary.logins) logins into \(settings.tier!)")
        }
    }
}
