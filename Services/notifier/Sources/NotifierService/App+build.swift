import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Messaging
import PlatformEvents
import PlatformWire
import PostgresStorage
import ServiceRuntime
import Tenancy

/// Builds the notifier (one process for every tier): consumers of every tier's status and
/// directory topics, the SMS sender, and the delivery-report endpoint.
public func buildNotifierApplication(settings: RuntimeSettings) async throws -> some ApplicationProtocol {
    let reader = try SettingsReader()
    let rulesData: Data
    if let path = reader.string("sms.rules.file") {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(setting: "SMS_RULES_FILE", problem: "names a file that cannot be read: \(path)")
        }
        rulesData = data
    } else {
        rulesData = Data(try resourceText("sms-templates", "json", bundle: .module).utf8)
    }
    let rules: RuleBook
    do {
        rules = try RuleBook(data: rulesData, tenants: settings.tenants)
    } catch {
        throw ConfigurationError(setting: "SMS rules", problem: "\(error)")
    }
    let quietHoursSetting = reader.string("sms.quiet.hours", default: "tenant")
    let quietOverride: QuietHours?? =
        switch quietHoursSetting {
        case "tenant": .none
        case "off": .some(nil)
        default: .some(QuietHours(quietHoursSetting))
        }
    if case .some(nil) = quietOverride, quietHoursSetting != "off" {
        throw ConfigurationError(setting: "SMS_QUIET_HOURS", problem: "must be tenant, off, or HH:MM-HH:MM")
    }
    let deliveryReportKey = reader.string("sms.dlr.key", default: "development-delivery-reports", isSecret: true)
    if settings.isProduction, reader.string("sms.dlr.key") == nil {
        throw ConfigurationError(setting: "SMS_DLR_KEY", problem: "is required in production")
    }
    let kannel = KannelGateway.Settings(
        sendSMSURL: reader.string("kannel.sendsms.url", default: "http://127.0.0.1:13013/cgi-bin/sendsms"),
        username: reader.string("kannel.user", default: "platform"),
        password: reader.string("kannel.password", default: "platform-sms", isSecret: true),
        sender: reader.string("sms.sender", default: "10690001"),
        deliveryReportBaseURL: reader.string("notifier.public.url", default: "http://127.0.0.1:\(settings.httpPort)"),
        deliveryReportKey: deliveryReportKey,
        timeout: .seconds(10))
    let senderSettings = SMSSender.Settings(
        messagesPerSecond: try reader.double("sms.rate.limit", default: 50),
        maxAttempts: try reader.int("sms.max.attempts", default: 8, range: 1...100),
        reconcileWait: .seconds(try reader.int("sms.reconcile.wait.seconds", default: 60, range: 1...86_400)))

    let tierRules = try TierRules.load(settings)
    let runtime = try await PlatformRuntime(settings: settings, migrations: NotifierMigrations.all)
    let directory = DirectoryStore(logger: runtime.logger)
    let planner = IntentPlanner(
        rules: rules, tierRules: tierRules, directory: directory,
        quietHours: { tenant in
            if case .some(let override) = quietOverride { return override }
            return settings.tenants[tenant]?.quietHours ?? .standard
        },
        maximumEventAge: .seconds(try reader.int("sms.max.event.age.seconds", default: 86_400, range: 60...31_536_000)),
        directoryGrace: .seconds(try reader.int("sms.directory.grace.seconds", default: 120, range: 0...86_400)),
        logger: runtime.logger)
    // Send outcomes and delivery reports come in twos and threes per message; written together.
    // A sending slot waits for the group's commit: with a gateway answering in 10 ms, eight slots
    // still record about 130 messages a second, above the default rate limit of 50.
    let outcomes = GroupCommitter<SMSOutcome>(database: runtime.database, gathering: .milliseconds(50)) { [logger = runtime.logger] in
        try await SMSOutcome.record($0, on: $1, logger: logger)
    }
    let sender = SMSSender(database: runtime.database, gateway: KannelGateway(settings: kannel), settings: senderSettings,
        outcomes: outcomes, logger: runtime.logger)
    let router = runtime.router()
    NotifierRoutes(runtime: runtime, deliveryReportKey: deliveryReportKey, reports: outcomes, wakeSender: { sender.wakeUps.signal() })
        .register(on: router)
    // Directory first, so that recipients are known when their first event comes.
    let directoryConsumer = try runtime.consumer(name: "directory", topics: [Topics.allDirectories]) { event, connection in
        guard event.header.type == EventType.directoryEntry else {
            throw EventRejection(code: "UNKNOWN_EVENT_TYPE", reason: "directory topics do not take \(event.header.type)")
        }
        try await directory.upsert(try event.decode(DirectoryEntry.self).data, on: connection)
    }
    // Each consumer batch's intents are stored together, and each person looked up once (`scope`).
    let statusConsumer = try runtime.consumer(name: "status", topics: [Topics.allStatus], afterCommit: { sender.wakeUps.signal() },
        scope: planner)
    {
        event, connection in
        try await planner.plan(event, on: connection)
    }
    // Matters solved on the spot are reporting's; nobody is texted about them.
    let pairingConsumer = try runtime.consumer(name: "pairing", topics: [Topics.allPairing],
        accepts: EventConsumer.except([EventType.selfResolvedMatter]), afterCommit: { sender.wakeUps.signal() }, scope: planner)
    {
        event, connection in
        try await planner.plan(event, on: connection)
    }
    let reportsConsumer = try runtime.consumer(name: "reports", topics: [Topics.allReports], afterCommit: { sender.wakeUps.signal() },
        scope: planner)
    {
        event, connection in
        try await planner.plan(event, on: connection)
    }
    return try runtime.application(
        router: router, openAPI: try resourceText("openapi", "yaml", bundle: .module),
        services: [directoryConsumer, statusConsumer, pairingConsumer, reportsConsumer, sender])
}
