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
import ServiceRuntime
import Tenancy

/// Builds a tier's intake: its HTTP API, the consumer of escalations from the tiers below, the
/// follower of status events (where its demands are now), the review deadline scan, and the
/// runtime underneath.
public func buildIntakeApplication(settings: RuntimeSettings) async throws -> some ApplicationProtocol {
    let (runtime, intake) = try await makeIntake(settings: settings)
    let router = runtime.router(largeBodies: [
        "/admin/directory": IntakeRoutes.directoryFileLimit, "/demands/*/attachments": DemandAttachments.bodyLimit,
    ])
    IntakeRoutes(intake: intake).register(on: router)
    let reader = try SettingsReader()
    let pairing = PairingDesk(intake: intake, reminderSchedule: try pairingReminderSchedule(reader))
    PairingRoutes(desk: pairing).register(on: router)
    // The parent's and the children's pairings, so that no two tiers pair one enterprise (000 Q26).
    let relatedTiers = PairingDesk.relatedTiers(of: intake.tier.id, in: settings.tenants)
    let relatedPairings = try relatedTiers.isEmpty ? [] : [
        runtime.consumer(name: "related-directories", topics: relatedTiers.map(Topics.directory)) { event, connection in
            guard event.header.type == EventType.directoryEntry else {
                throw EventRejection(code: "UNKNOWN_EVENT_TYPE", reason: "directory topics do not take \(event.header.type)")
            }
            try await pairing.recordRelated(try event.decode(DirectoryEntry.self).data, on: connection)
        }
    ]
    let reminderScan = RepeatingWork("Pairing reminder scan",
        every: .seconds(try reader.int("pairing.reminder.scan.seconds", default: 3600, range: 1...86_400)), logger: runtime.logger) {
        try await pairing.sendDueReminders(today: CivilDate(Date()))
    }
    let escalations = try runtime.consumer(name: "escalations", topics: [Topics.intakeInbox(intake.tier.id)]) {
        event, connection in
        try await intake.receiveEscalation(event, on: connection)
    }
    let follower = DemandFollower(tier: intake.tier.id, recorder: intake.recorder) { $0 == .awaitingReview }
    let statuses = try runtime.batchConsumer(name: "status", topics: follower.topics, accepts: follower.accepts, deduplicates: false,
        linger: DemandFollower.linger
    ) { events, connection in
        try await follower.follow(events, on: connection)
    }
    let scanner = DeadlineScanner(database: runtime.database, recorder: intake.recorder,
        interval: settings.deadlineScanInterval, afterCommit: runtime.committed)
    return try runtime.application(
        router: router, openAPI: try resourceText("openapi", "yaml", bundle: .module), services: [escalations, statuses, scanner, reminderScan] + relatedPairings)
}

/// `PAIRING_REMINDER_DAY`: the day of the month (1–28) the cadres who are behind are reminded, or `off`.
func pairingReminderSchedule(_ reader: SettingsReader) throws -> PairingReminderSchedule {
    if reader.string("pairing.reminder.day") == "off" { return PairingReminderSchedule(day: nil) }
    return PairingReminderSchedule(day: try reader.int("pairing.reminder.day", default: PairingReminderSchedule.defaultDay, range: 1...28))
}

func makeIntake(settings: RuntimeSettings) async throws -> (PlatformRuntime, IntakeWorkflow) {
    let rules = try TierRules.load(settings)
    let recomputeLater = StartupWork()
    let runtime = try await PlatformRuntime(
        settings: settings, migrations: IntakeMigrations.all,
        startupTasks: [{ runtime in try await recomputeLater.run(runtime) }], ownSession: DemandScope.serviceSession)
    let hasher = PasswordHasher(cost: settings.auth.bcryptCost)
    let intake = IntakeWorkflow(runtime: runtime, rules: rules, unknownLoginHash: await hasher.hash(UUID().uuidString))
    recomputeLater.set { runtime in _ = try await intake.recorder.recomputeStaleDeadlines(database: runtime.database) }
    return (runtime, intake)
}

/// Loads a directory file into a tier's intake database without a running server (the CLI path of
/// `intake import-directory`); the running intake's relay publishes the entries.
public func importDirectory(file path: String, settings: RuntimeSettings) async throws -> IntakeWorkflow.ImportSummary {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ConfigurationError(setting: "directory file", problem: "cannot be read: \(path)")
    }
    let file: DirectoryFile
    do {
        file = try JSONDecoder().decode(DirectoryFile.self, from: data)
    } catch {
        throw ConfigurationError(setting: "directory file", problem: "is not valid JSON for a directory: \(error)")
    }
    let (runtime, intake) = try await makeIntake(settings: settings)
    return try await withThrowingTaskGroup(of: Void.self, returning: IntakeWorkflow.ImportSummary.self) { group in
        group.addTask { await runtime.database.client.run() }
        defer { group.cancelAll() }
        try await MigrationRunner.apply(MessagingTables.migrations + IntakeMigrations.all, to: runtime.database)
        return try await intake.importDirectory(file)
    }
}

