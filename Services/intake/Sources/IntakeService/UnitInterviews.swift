import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// 约谈 of a unit (003 art. 18; 001 三.3; 004 二.5): the rung of the supervision ladder after urge
/// letters, where the office interviews a unit whose demands are repeatedly or long overdue. Intake
/// keeps the record, as it keeps the office's other letters to the tier's units; the unit's
/// administrators are texted and read their unit's records.
extension IntakeWorkflow {
    static let unitInterviewsMigration = Migration(version: 32, name: "unit interviews", statements: [
        """
        CREATE TABLE unit_interviews (
            id uuid PRIMARY KEY,
            unit_id text NOT NULL,
            held_on date NOT NULL,
            attendees text NOT NULL,
            demands text,
            decision text NOT NULL,
            due_on date,
            recorded_by text NOT NULL,
            recorded_by_name text,
            recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "CREATE INDEX unit_interviews_unit ON unit_interviews (unit_id, held_on DESC)",
    ])

    struct UnitInterview: Codable, Sendable, ResponseEncodable {
        var id: UUID
        var unitID: String
        var unitName: String
        var heldOn: CivilDate
        var attendees: String
        var demands: String?
        var decision: String
        var dueOn: CivilDate?
        var recordedBy: String?
        var recordedAt: Date
    }

    func recordInterview(_ input: UnitInterviewInput, by principal: Principal) async throws -> UnitInterview {
        try principal.require(tier: tier.id, roles: [.office])
        let (heldOn, dueOn) = try input.validated(today: CivilDate(Date()))
        let id = UUID()
        let demands = input.demands.map(\.trimmingWhitespace).flatMap { $0.isEmpty ? nil : $0 }
        let interview = try await runtime.transaction { connection in
            guard let unit = try await directory.unit(input.unitID, on: connection), unit.tenant == tier.id, unit.active else {
                throw APIError.invalid(code: "UNKNOWN_UNIT", message: "本级没有这个单位", field: "unitID")
            }
            try await connection.execute(
                """
                INSERT INTO unit_interviews (id, unit_id, held_on, attendees, demands, decision, due_on, recorded_by, recorded_by_name)
                VALUES (\(id), \(unit.id), \(heldOn.description)::date, \(input.attendees.trimmingWhitespace), \(demands),
                    \(input.decision.trimmingWhitespace), \(dueOn?.description)::date, \(principal.subject), \(principal.name))
                """, logger: logger)
            try await Outbox.enqueue([
                try .event(EventType.unitInterviewRecorded, topic: Topics.pairing(tier.id), source: runtime.eventSource,
                    tenant: tier.id, subject: unit.id, time: Date(), data: UnitInterviewRecordedEvent(
                        tenant: tier.id, interviewID: id, unitID: unit.id, heldOn: heldOn, decision: input.decision.trimmingWhitespace,
                        dueOn: dueOn))
            ], on: connection, logger: logger)
            return try await interviews(id: id, on: connection).first
        }
        guard let interview else { throw APIError.notFound("约谈记录") }
        logger.info("Unit interview recorded", metadata: ["unit": "\(interview.unitID)"])
        return interview
    }

    /// The office's and the inspector's: every record of the tier; a unit's administrators: their unit's.
    func interviews(for principal: Principal) async throws -> [UnitInterview] {
        try principal.require(tier: tier.id, roles: [.office, .inspector, .unitAdmin, .countyAdmin])
        let unit = try principal.readableUnit()
        return try await runtime.database.withConnection { connection in
            try await interviews(unit: unit, on: connection)
        }
    }

    private func interviews(id: UUID? = nil, unit: String? = nil, on connection: PostgresConnection) async throws -> [UnitInterview] {
        let rows = try await connection.query(
            """
            SELECT i.id, i.unit_id, coalesce(u.body->'unit'->>'name', i.unit_id), i.held_on::text, i.attendees, i.demands, i.decision,
                i.due_on::text, i.recorded_by_name, i.recorded_at
            FROM unit_interviews i LEFT JOIN directory u ON u.key = 'unit:' || i.unit_id
            WHERE (\(id)::uuid IS NULL OR i.id = \(id)) AND (\(unit)::text IS NULL OR i.unit_id = \(unit))
            ORDER BY i.held_on DESC, i.recorded_at DESC LIMIT 500
            """, logger: logger)
        var found: [UnitInterview] = []
        for try await (id, unitID, unitName, heldOn, attendees, demands, decision, dueOn, recordedBy, recordedAt)
            in rows.decode((UUID, String, String, String, String, String?, String, String?, String?, Date).self)
        {
            guard let held = CivilDate(heldOn) else { continue }
            found.append(UnitInterview(id: id, unitID: unitID, unitName: unitName, heldOn: held, attendees: attendees, demands: demands,
                decision: decision, dueOn: dueOn.flatMap(CivilDate.init), recordedBy: recordedBy, recordedAt: recordedAt))
        }
        return found
    }
}
