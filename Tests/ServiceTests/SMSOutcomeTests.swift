import Foundation
import LocalStack
import Logging
import Messaging
@testable import NotifierService
import PostgresNIO
import PostgresStorage
import Testing

/// Send outcomes and delivery reports recorded in groups, on a real Postgres.
@Suite("SMS outcomes", .enabled(if: StackEnvironment.current.hasPostgres))
struct SMSOutcomeTests {
    let logger = ReportingHistory.quietLogger("sms-outcome-test")

    /// One message of the scenario: where it stands, and what is learnt about it, in arrival order.
    struct Case: Sendable {
        var state: String
        var lastError: String?
        var outcomes: [@Sendable (UUID) -> SMSOutcome]
        var expectedState: String
        var expectedError: String?
        /// Whether `accepted_at` and `delivered_at` are set in the end.
        var accepted: Bool
        var delivered: Bool
    }

    static let cases: [Case] = [
        // The sender's answer, then both of Kannel's reports.
        Case(state: "inFlight", lastError: "x", outcomes: [{ .accepted(intent: $0) }, { .deliveryReport(intent: $0, type: 8, answer: "ok") },
            { .deliveryReport(intent: $0, type: 1, answer: nil) }], expectedState: "delivered", expectedError: nil, accepted: true, delivered: true),
        // Waiting for a retry when the network said it has it.
        Case(state: "pending", lastError: "timeout", outcomes: [{ .deliveryReport(intent: $0, type: 8, answer: nil) }],
            expectedState: "accepted", expectedError: "timeout", accepted: true, delivered: false),
        Case(state: "inFlight", lastError: "no answer", outcomes: [{ .accepted(intent: $0) }], expectedState: "accepted", expectedError: nil,
            accepted: true, delivered: false),
        Case(state: "inFlight", lastError: nil, outcomes: [{ .deliveryReport(intent: $0, type: 1, answer: nil) },
            { .deliveryReport(intent: $0, type: 16, answer: "rejected") }], expectedState: "failed", expectedError: "delivery report 16: rejected",
            accepted: true, delivered: true),
        // The sender's success counts only for a message in flight.
        Case(state: "pending", lastError: "timeout", outcomes: [{ .accepted(intent: $0) }], expectedState: "pending", expectedError: "timeout",
            accepted: false, delivered: false),
        Case(state: "failed", lastError: "gave up", outcomes: [{ .deliveryReport(intent: $0, type: 1, answer: nil) }],
            expectedState: "failed", expectedError: "gave up", accepted: false, delivered: false),
    ]

    func insert(_ id: UUID, _ state: String, lastError: String?, on database: Database) async throws {
        try await database.query(
            """
            INSERT INTO sms_intents (id, event_id, rule_id, recipient, tenant, text, state, next_attempt_at, last_error)
            VALUES (\(id), \(UUID()), 'rule', 'someone', 'maojian', '短信', \(state), now(), \(lastError))
            """)
    }

    @Test("A group's outcomes in a few statements end where recording them one by one ends")
    func groupMatchesOneByOne() async throws {
        let database = ReportingHistory().database("sms_outcomes", logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await MigrationRunner.apply(MessagingTables.migrations + NotifierMigrations.all, to: database)
            let grouped = Self.cases.map { _ in UUID() }
            let oneByOne = Self.cases.map { _ in UUID() }
            for (index, scenario) in Self.cases.enumerated() {
                try await insert(grouped[index], scenario.state, lastError: scenario.lastError, on: database)
                try await insert(oneByOne[index], scenario.state, lastError: scenario.lastError, on: database)
            }
            let all = zip(Self.cases, grouped).flatMap { scenario, id in scenario.outcomes.map { $0(id) } }
            try await database.transaction { [logger] connection in try await SMSOutcome.record(all, on: connection, logger: logger) }
            for (scenario, id) in zip(Self.cases, oneByOne) {
                for outcome in scenario.outcomes {
                    try await database.transaction { [logger] connection in try await SMSOutcome.record([outcome(id)], on: connection, logger: logger) }
                }
            }

            for (index, scenario) in Self.cases.enumerated() {
                for id in [grouped[index], oneByOne[index]] {
                    let rows = try await database.query(
                        "SELECT state, last_error, accepted_at IS NOT NULL, delivered_at IS NOT NULL FROM sms_intents WHERE id = \(id)")
                    let (state, lastError, accepted, delivered) = try #require(try rows.decode((String, String?, Bool, Bool).self).first)
                    #expect(state == scenario.expectedState, "case \(index)")
                    #expect(lastError == scenario.expectedError, "case \(index)")
                    #expect(accepted == scenario.accepted, "case \(index)")
                    #expect(delivered == scenario.delivered, "case \(index)")
                }
            }

            let reports = try await database.query(
                "SELECT intent_id, report_type, answer FROM sms_delivery_reports WHERE intent_id = ANY(\(grouped)) ORDER BY id")
            let stored = try reports.decode((UUID, Int, String?).self).map { "\(grouped.firstIndex(of: $0.0)!):\($0.1):\($0.2 ?? "-")" }
            #expect(stored == ["0:8:ok", "0:1:-", "1:8:-", "3:1:-", "3:16:rejected", "5:1:-"])
        }
    }
}
