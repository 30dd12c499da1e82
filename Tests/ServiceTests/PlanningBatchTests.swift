import DemandDomain
import DemandStore
import Foundation
import InputValidation
import LocalStack
import Logging
@testable import Messaging
@testable import NotifierService
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy
import Testing

/// A consumer batch's SMS intents planned together: stored in one statement when the batch is
/// planned, each with its own event, and each person read once per batch; on a real Postgres.
@Suite("SMS planning in batches", .enabled(if: StackEnvironment.current.hasPostgres))
struct PlanningBatchTests {
    let logger = ReportingHistory.quietLogger("planning-batch-test")
    static let cadre = DirectoryPerson(id: "cadre-batch", tenant: "shiyan", name: "包联干部", role: .cadre, phone: MobileNumber("13900001111"))

    func planner(_ directory: DirectoryStore) throws -> IntentPlanner {
        let url = try #require(NotifierResources.bundle.url(forResource: "sms-templates", withExtension: "json"))
        let tierRules = TierRules(tree: SMSRuleTests.tree, procedures: ProcedureProfile.presets,
            calendars: TierCalendars(official: try WorkingCalendar.official()))
        return IntentPlanner(rules: try RuleBook(data: Data(contentsOf: url), tenants: SMSRuleTests.tree), tierRules: tierRules,
            directory: directory, quietHours: { _ in nil }, maximumEventAge: .seconds(3600), directoryGrace: .seconds(120),
            logger: logger)
    }

    /// A monthly reminder to the cadre, as the pairing topic carries it.
    static func reminder(month: Int) throws -> IncomingEvent {
        let reminder = PairingReminderEvent(tenant: "shiyan", cadreID: cadre.id, month: try #require(CalendarMonth(year: 2026, month: month)),
            enterprises: 3, withoutContact: 1, withoutStatus: 0)
        let body = try EventCoding.encode(CloudEvent(source: "/tiers/shiyan/test", type: EventType.pairingReminder, subject: cadre.id,
            time: Date(), tenant: "shiyan", data: reminder))
        return IncomingEvent(header: try EventCoding.header(of: body), body: body, topic: Topics.pairing("shiyan"), partition: 0, offset: 0)
    }

    func intentCount(on connection: PostgresConnection) async throws -> Int {
        try await connection.query("SELECT count(*)::int FROM sms_intents", logger: logger).collect().first!.decode(Int.self)
    }

    func withDatabase(_ name: String, _ body: (Database) async throws -> Void) async throws {
        let database = ReportingHistory().database(name, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await MigrationRunner.apply(MessagingTables.migrations + NotifierMigrations.all, to: database)
            try await body(database)
        }
    }

    @Test("A batch's intents are stored when it is planned, each with its event, and a person is read once per batch")
    func batchStoresTogether() async throws {
        try await withDatabase("planning_batch") { database in
            let directory = DirectoryStore(logger: logger)
            let planner = try planner(directory)
            let events = [try Self.reminder(month: 10), try Self.reminder(month: 11)]
            try await database.transaction { [logger] connection in
                try await directory.upsert(.person(Self.cadre), on: connection)
                try await planner.run(on: connection) {
                    try await planner.plan(events[0], on: connection)
                    // Gone from the table, the cadre is still known to the batch that read them.
                    try await connection.query("DELETE FROM directory", logger: logger)
                    try await planner.plan(events[1], on: connection)
                    #expect(try await intentCount(on: connection) == 0, "stored before the batch was planned")
                }
            }
            let rows = try await database.query("SELECT event_id, phone, text FROM sms_intents ORDER BY text")
            let stored = try rows.decode((UUID, String?, String).self)
            #expect(Set(stored.map(\.0)) == Set(events.map(\.header.id)))
            #expect(stored.allSatisfy { $0.1 == "13900001111" })
            #expect(stored.map(\.2).first?.contains("10月") == true)
        }
    }

    @Test("Outside a batch an event's intents are stored at once; a batch that fails stores nothing")
    func withoutAndFailing() async throws {
        struct HandlerFailed: Error {}
        try await withDatabase("planning_batch_failing") { database in
            let directory = DirectoryStore(logger: logger)
            let planner = try planner(directory)
            try await database.transaction { connection in
                try await directory.upsert(.person(Self.cadre), on: connection)
                try await planner.plan(try Self.reminder(month: 9), on: connection)
                #expect(try await intentCount(on: connection) == 1)
                await #expect(throws: HandlerFailed.self) {
                    try await planner.run(on: connection) {
                        try await planner.plan(try Self.reminder(month: 10), on: connection)
                        throw HandlerFailed()
                    }
                }
                #expect(try await intentCount(on: connection) == 1)
            }
        }
    }
}
