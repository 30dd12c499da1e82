import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Logging
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceLifecycle
import ServiceRuntime
import Tenancy

/// Builds reporting (one process for every tier): the consumers of every tier's status and
/// directory topics into the read model (and of the matters cadres solved on the spot from the
/// pairing topics), and the figures API.
public func buildReportingApplication(settings: RuntimeSettings) async throws -> some ApplicationProtocol {
    let rules = try TierRules.load(settings)
    let runtime = try await PlatformRuntime(settings: settings, migrations: ReportingMigrations.all)
    let reporting = ReportingWorkflow(runtime: runtime, rules: rules)
    let router = runtime.router()
    let reader = try SettingsReader()
    let returns = ReturnsDesk(reporting: reporting)
    ReportingRoutes(reporting: reporting, returns: returns, distribution: BriefingDistribution(reporting: reporting)).register(on: router)
    // `RETURN_REMINDERS=off`: no automatic reminders (the office's button still sends them).
    let reminderScan: [any Service] = reader.string("return.reminders", default: "on") == "off" ? [] : [
        RepeatingWork("Return reminder scan", every: .seconds(try reader.int("return.reminder.scan.seconds", default: 3600, range: 1...86_400)),
            logger: runtime.logger) { _ = try await returns.sendDueReminders(today: CivilDate(Date())) }
    ]
    let directory = try runtime.consumer(name: "directory", topics: [Topics.allDirectories]) { event, connection in
        guard event.header.type == EventType.directoryEntry else {
            throw EventRejection(code: "UNKNOWN_EVENT_TYPE", reason: "directory topics do not take \(event.header.type)")
        }
        try await reporting.directory.upsert(try event.decode(DirectoryEntry.self).data, on: connection)
    }
    // The figures may lag by half a second; gathering the events of that time makes one transaction of many.
    let status = try runtime.batchConsumer(name: statusConsumerName, topics: [Topics.allStatus], linger: .milliseconds(500)) {
        events, connection in
        try await reporting.readModel.apply(events, on: connection)
    }
    let pairing = try runtime.consumer(name: "pairing", topics: [Topics.allPairing], accepts: EventConsumer.only([EventType.selfResolvedMatter])) {
        event, connection in
        try await SelfResolvedMatters.apply(event, on: connection, logger: runtime.logger)
    }
    return try runtime.application(
        router: router, openAPI: try resourceText("openapi", "yaml", bundle: .module), services: [directory, status, pairing] + reminderScan)
}

/// The inbox name of the status consumer; the rebuild uses it too, so that events it replayed are
/// no-ops for the service afterwards.
let statusConsumerName = "status"

public struct RebuildSummary: Sendable {
    public var applied: Int
    public var seconds: Double
}

/// Drops the read model and replays every tier's status topics from their beginning into it.
///
/// Stop the reporting service first. The replay reads with a consumer group of its own until no
/// event has come for `idle`; the events it applied are in the inbox under the service's consumer
/// name, so when the service starts again its own group carries on without counting any twice.
public func rebuildReadModel(
    settings: RuntimeSettings,
    topics: [String] = [Topics.allStatus],
    idle: Duration = .seconds(5),
    progress: @escaping @Sendable (Int) -> Void = { _ in }
) async throws -> RebuildSummary {
    let runtime = try await PlatformRuntime(settings: settings, migrations: ReportingMigrations.all)
    let readModel = ReadModel(logger: runtime.logger)
    let counter = ProgressCounter()
    let started = ContinuousClock.now
    return try await withThrowingTaskGroup(of: Void.self, returning: RebuildSummary.self) { group in
        group.addTask { await runtime.database.client.run() }
        defer { group.cancelAll() }
        try await MigrationRunner.apply(MessagingTables.migrations + ReportingMigrations.all, to: runtime.database)
        try await runtime.database.transaction { connection in
            try await connection.execute("TRUNCATE daily_counts, monthly_counts, entry_counts, demand_facts, ratings", logger: runtime.logger)
            try await connection.execute("DELETE FROM inbox WHERE consumer = \(statusConsumerName)", logger: runtime.logger)
        }
        let replay = try runtime.batchConsumer(name: statusConsumerName, group: "rebuild.\(UUID().uuidString.prefix(8))", topics: topics) {
            events, connection in
            try await readModel.apply(events, on: connection)
            let applied = counter.increment(by: events.count)
            if (applied - events.count) / 5000 < applied / 5000 { progress(applied) }
        }
        let replaying = Task { try await replay.run() }
        // Caught up when nothing has come for `idle` (after the first event, or after a minute).
        while true {
            try await Task.sleep(for: .milliseconds(250))
            let quiet = ContinuousClock.now - counter.lastChange
            if (counter.value > 0 && quiet > idle) || quiet > .seconds(60) { break }
        }
        replaying.cancel()
        _ = await replaying.result
        return RebuildSummary(applied: counter.value, seconds: Double((ContinuousClock.now - started).components.seconds))
    }
}

final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var changed = ContinuousClock.now

    var value: Int { lock.withLock { count } }
    var lastChange: ContinuousClock.Instant { lock.withLock { changed } }

    func increment(by added: Int) -> Int {
        lock.withLock {
            count += added
            changed = .now
            return count
        }
    }
}
