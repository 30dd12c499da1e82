import ArgumentParser
import Foundation
import LocalStack
import ServiceRuntime
import Workload

/// Measures the whole platform on this machine. `deploy/local/benchmark load` starts the
/// infrastructure and runs this.
@main
struct LoadBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-benchmark",
        abstract: "Play demand journeys through the public APIs and print throughput, latencies, memory and the machine's ceilings.")

    @Option(help: "People playing journeys at the same time in the saturation phase.")
    var actors = 48

    @Option(help: "Seconds of the saturation phase of each round.")
    var saturationSeconds = 60

    @Option(help: "Journeys that end the saturation phase early (default: it runs its seconds).")
    var journeys: Int?

    @Option(help: "Seconds of the half-load phase of each round.")
    var halfLoadSeconds = 45

    @Option(help: "Journeys played before measuring (also the template the stored demands are copied from).")
    var warmUp = 60

    @Option(help: "Demands stored before each round, comma-separated.")
    var stored = "10000,100000,1000000"

    @Option(help: "Journey mix as kind=weight pairs (district, escalated, returned, unsatisfied).")
    var mix = JourneyMix.standard.description

    @Option(help: "Seconds of perf profile taken during the first saturation phase (0: none).")
    var profileSeconds = 15

    @Option(help: "Folder for the JSON result file.")
    var output = "benchmark-results"

    @Option(help: "Repository root.")
    var root = FileManager.default.currentDirectoryPath

    func validate() throws {
        guard actors > 0, saturationSeconds > 0, halfLoadSeconds > 0, warmUp > 0, (journeys ?? 1) > 0 else {
            throw ValidationError("actors, phase lengths and warm-up must be positive")
        }
        guard !storedSizes.isEmpty else { throw ValidationError("--stored needs at least one positive number") }
    }

    var storedSizes: [Int] { stored.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 } }

    func run() async throws {
        // The actors' calls are all I/O on NIO's event loops; their tasks run there too, sparing
        // a thread hop at every await (the program shares the two cores with what it measures).
        ServiceMain.runTasksOnEventLoops()
        let settings = LoadRun.Settings(
            actors: actors, saturationSeconds: saturationSeconds, halfLoadSeconds: halfLoadSeconds, warmUpJourneys: warmUp, saturationJourneys: journeys,
            storedDemands: storedSizes, mix: try JourneyMix(parsing: mix), profileSeconds: profileSeconds)
        // The gateway's rate limit would otherwise be what the run measures.
        let stack = try await StackLauncher.start(root: root, schemaPrefix: "load_", extraEnvironment: ["SMS_RATE_LIMIT": "2000"])
        let report: LoadReport
        do {
            report = try await LoadRun(stack: stack, settings: settings).run()
        } catch {
            await stack.stop()
            // Postgres errors describe themselves only when reflected.
            print("Load run failed: \(String(reflecting: error))")
            throw ExitCode.failure
        }
        await stack.stop()
        print(report.summary)
        let file = try write(report)
        print("\nResult file: \(file)")
    }

    func write(_ report: LoadReport) throws -> String {
        let folder = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: root))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: report.startedAt).replacingOccurrences(of: ":", with: "")
        let file = folder.appendingPathComponent("load-\(stamp).json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(report).write(to: file)
        return file.path
    }
}
