import Foundation
import LocalStack
import PlatformAPI

/// The fault harness: journeys run while the stack is broken on purpose, then the audit.
///
/// 1. Reference journeys, one of each kind, with nothing broken: what the services should hold.
/// 2. Journeys by `actors` concurrent people for `duration`, while the injector breaks things.
/// 3. Everything mended, in-flight journeys finished, outboxes and SMS drained; then the audit,
///    repeated until it passes or `settleTimeout` runs out (consumers may still be catching up).
public struct FaultDrill: Sendable {
    public struct Settings: Sendable {
        public var duration: Duration
        public var actors: Int
        public var faultLimit: Int
        public var faultKinds: Set<FaultInjector.Kind>
        public var mix: JourneyMix
        /// How long one step of a journey keeps trying through faults.
        public var patience: Duration
        public var settleTimeout: Duration

        public init(duration: Duration = .seconds(90), actors: Int = 6, faultLimit: Int = 40,
            faultKinds: Set<FaultInjector.Kind> = Set(FaultInjector.Kind.allCases), mix: JourneyMix = .standard,
            patience: Duration = .seconds(180), settleTimeout: Duration = .seconds(180))
        {
            self.duration = duration
            self.actors = actors
            self.faultLimit = faultLimit
            self.faultKinds = faultKinds
            self.mix = mix
            self.patience = patience
            self.settleTimeout = settleTimeout
        }
    }

    public struct Report: Sendable {
        public var checks: [ConsistencyAudit.Check]
        public var faults: [FaultInjector.Record]
        public var journeys: Int
        public var passed: Bool { checks.allSatisfy(\.passed) }
    }

    public let stack: PlatformStack
    public let settings: Settings
    public let log: @Sendable (String) -> Void

    public init(stack: PlatformStack, settings: Settings, log: @escaping @Sendable (String) -> Void) {
        self.stack = stack
        self.settings = settings
        self.log = log
    }

    public func run() async throws -> Report {
        try await StackDatabase.with(stack) { database in
            let client = PlatformClient(stack: stack)
            let cast = try await Cast.login(client)
            let runner = JourneyRunner(client: client, cast: cast, patience: settings.patience, handOffTimeout: settings.patience)
            let audit = ConsistencyAudit(database: database)
            try await waitUntilDrained(database, timeout: settings.settleTimeout)

            log("Reference journeys, nothing broken:")
            var outcomes: [JourneyKind: JourneyOutcome] = [:]
            for kind in JourneyKind.allCases where settings.mix.weights[kind, default: 0] > 0 {
                outcomes[kind] = try await runner.run(kind)
            }
            try await waitUntilDrained(database, timeout: settings.settleTimeout)
            var references: [JourneyKind: JourneyPicture] = [:]
            for (kind, outcome) in outcomes {
                references[kind] = try await audit.picture(of: outcome)
                log("  \(kind.rawValue): held by \(references[kind]!.holdings.count) services, \(references[kind]!.sms.count) SMS")
            }

            let phoneNetwork = stack.environment.fakeSMSCLog.map(FakeSMSCLog.init(path:))
            // Kannel may still be passing on SMS the notifier has handed over (the reference journeys', or an
            // earlier test's, to the same cadre with the same text): the drill's count starts once it is quiet.
            try await waitUntilQuiet(phoneNetwork)
            let firstLine = phoneNetwork?.lineCount() ?? 0
            log("Journeys by \(settings.actors) people for \(Self.seconds(settings.duration)) while faults are injected:")
            let injector = FaultInjector(
                stack: stack, infrastructure: InfrastructureControl(root: stack.root), kinds: settings.faultKinds)
            async let faults = injector.run(for: settings.duration, limit: settings.faultLimit, log: log)
            let results = await JourneyDriver(runner: runner, mix: settings.mix).closedLoop(
                actors: settings.actors, duration: settings.duration, label: "faults")
            let records = await faults
            await injector.mendEverything()
            log("Faults: " + FaultInjector.tally(records).map { "\($0.count)× \($0.kind)" }.joined(separator: ", "))

            log("Settling, then auditing \(results.count) journeys:")
            try? await waitUntilDrained(database, timeout: settings.settleTimeout)
            let deadline = ContinuousClock.now + settings.settleTimeout
            var checks = try await audit.audit(results: results, references: references, phoneNetwork: phoneNetwork,
                phoneNetworkFrom: firstLine)
            while !checks.allSatisfy(\.passed), ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(3))
                checks = try await audit.audit(results: results, references: references, phoneNetwork: phoneNetwork,
                    phoneNetworkFrom: firstLine)
            }
            return Report(checks: checks, faults: records, journeys: results.count)
        }
    }

    /// Waits until no outbox holds an unsent message and the notifier has no SMS left to send.
    func waitUntilDrained(_ database: StackDatabase, timeout: Duration) async throws {
        _ = try await eventually("outboxes and SMS drained", timeout: timeout, every: .milliseconds(500)) {
            let outbox = try await database.unsentOutbox().values.reduce(0, +)
            let sms = try await database.unsentSMS()
            return outbox == 0 && sms == 0 ? true : nil
        }
        // Consumers apply what was just published.
        try await Task.sleep(for: .seconds(2))
    }

    /// Waits until the phone network has received nothing new for three seconds (at most a minute).
    func waitUntilQuiet(_ phoneNetwork: FakeSMSCLog?) async throws {
        guard let phoneNetwork else { return }
        var lines = phoneNetwork.lineCount()
        var quietSince = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now - quietSince < .seconds(3), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            let now = phoneNetwork.lineCount()
            if now != lines { (lines, quietSince) = (now, ContinuousClock.now) }
        }
    }

    static func seconds(_ duration: Duration) -> String { String(format: "%.0f s", duration.seconds) }

    /// The audit as a table, one line per check, then each violation.
    public static func table(_ report: Report) -> String {
        var lines = ["", "Check                                                   Checked  Result"]
        for check in report.checks {
            let result = check.passed ? "ok" : "FAILED (\(check.violations.count))"
            lines.append(check.name.padding(toLength: 56, withPad: " ", startingAt: 0) + String(format: "%7d  ", check.checked) + result)
        }
        for check in report.checks where !check.passed {
            lines.append("\n\(check.name):")
            lines += check.violations.prefix(20).map { "  - " + $0 }
            if check.violations.count > 20 { lines.append("  … and \(check.violations.count - 20) more") }
        }
        lines.append(report.passed ? "\nEvery check passed." : "\nThe run FAILED.")
        return lines.joined(separator: "\n")
    }
}
