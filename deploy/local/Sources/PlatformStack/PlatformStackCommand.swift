import ArgumentParser
import Dispatch
import Foundation
import LocalStack

/// Starts the platform's services on the local stack, shows it doing its main job, and keeps it
/// running until Ctrl-C. Postgres, the dev Kafka cluster and Kannel must be up (`deploy/local/stack`
/// starts them and this command).
@main
struct PlatformStackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform-stack",
        abstract: "Run every service of one city and its districts on this machine, and play a demand through its life.")

    @Option(help: "Repository root.")
    var root = FileManager.default.currentDirectoryPath

    @Option(help: "Folder of the built executables.")
    var bin: String

    @Flag(help: "Start the stack without playing the demonstration.")
    var noDemo = false

    @Flag(help: "Stop after the demonstration instead of waiting for Ctrl-C.")
    var exitAfterDemo = false

    func run() async throws {
        let environment = StackEnvironment.current
        let stack = try PlatformStack(root: root, binDirectory: bin, environment: environment)
        try await stack.launch(binDirectory: bin, progress: say)
        for process in stack.processes {
            say("  \(process.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(process.baseURL)   log: \(process.logPath)")
        }
        var exitCode: Int32 = 0
        if !noDemo {
            do {
                try await Demonstration(stack: stack, say: say).run()
            } catch {
                say("The demonstration failed: \(error)")
                exitCode = 1
            }
        }
        if exitAfterDemo || exitCode != 0 {
            await stop(stack)
            if exitCode != 0 { throw ExitCode(exitCode) }
            return
        }
        say("\nThe stack is running. Try the APIs (README shows curl calls); Ctrl-C stops everything.")
        await waitForSignal()
        await stop(stack)
    }

    func stop(_ stack: PlatformStack) async {
        say("Stopping the services")
        let statuses = await stack.stop()
        for (name, status) in statuses.sorted(by: { $0.key < $1.key }) where status != 0 && status != nil {
            say("  \(name) exited with \(status!)")
        }
    }

    func waitForSignal() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
                source.setEventHandler {
                    if once.claim() { continuation.resume() }
                }
                source.resume()
                SignalSources.keep(source)
            }
        }
    }
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}

enum SignalSources {
    nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []
    static func keep(_ source: any DispatchSourceSignal) { sources.append(source) }
}
