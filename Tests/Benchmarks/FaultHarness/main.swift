import ArgumentParser
import Foundation
import LocalStack
import Workload

/// Runs journeys on the local stack while breaking it, then checks that nothing was lost or done
/// twice. `deploy/local/benchmark faults` starts the infrastructure and runs this.
@main
struct FaultHarnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault-harness",
        abstract: "Play demand journeys while killing services, a Kafka broker, Postgres and Kannel; then audit every demand and SMS.")

    @Option(help: "Seconds of journeys under faults.")
    var seconds = 300

    @Option(help: "People playing journeys at the same time.")
    var actors = 8

    @Option(help: "The most faults to inject.")
    var faults = 200

    @Option(help: "Kinds of fault to inject, comma-separated: kill, broker, postgres, kannel.")
    var only = FaultInjector.Kind.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Journey mix as kind=weight pairs (district, escalated, returned, unsatisfied).")
    var mix = JourneyMix.standard.description

    @Option(help: "Repository root.")
    var root = FileManager.default.currentDirectoryPath

    func run() async throws {
        let settings = FaultDrill.Settings(
            duration: .seconds(seconds), actors: actors, faultLimit: faults, faultKinds: try FaultInjector.Kind.parseList(only),
            mix: try JourneyMix(parsing: mix))
        let stack = try await StackLauncher.start(root: root, schemaPrefix: "faults_")
        let report: FaultDrill.Report
        do {
            report = try await FaultDrill(stack: stack, settings: settings) { print($0) }.run()
        } catch {
            await stack.stop()
            print("Fault run failed: \(String(reflecting: error))")
            throw ExitCode.failure
        }
        print(FaultDrill.table(report))
        await stack.stop()
        if !report.passed { throw ExitCode(1) }
    }
}

