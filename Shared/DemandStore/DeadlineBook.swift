import DemandDomain
import Foundation
import InputValidation
import Logging
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy

/// The deadline rows of the steps a service owns, kept equal to what the planner computes from each
/// demand's history. Alert flags survive a rewrite as long as the step and its due time are the same,
/// so each warning and each overdue alert fires once.
public struct DeadlineBook: Sendable {
    public let ownedSteps: Set<DemandStep>
    public let logger: Logger

    public init(ownedSteps: Set<DemandStep>, logger: Logger) {
        self.ownedSteps = ownedSteps
        self.logger = logger
    }

    /// Rewrites a demand's deadline rows from its history.
    public func sync(_ demand: Demand, planner: DeadlinePlanner, on connection: PostgresConnection) async throws {
        let open = try planner.openDeadlines(for: demand).filter { ownedSteps.contains($0.step) }
        let statement = SyncDeadlinesStatement(
            demandID: demand.id, tenant: demand.tenant.rawValue,
            deadlinesJSON: String(decoding: try EventCoding.encoder().encode(open), as: UTF8.self),
            fingerprint: planner.calendar.fingerprint)
        _ = try await connection.execute(statement, logger: logger)
    }

    /// Demands whose deadline rows were computed with another calendar than the tier's current one.
    public func staleDemandIDs(fingerprint: (TenantID) -> String, on connection: PostgresConnection) async throws -> [UUID] {
        let rows = try await connection.query(
            "SELECT DISTINCT demand_id, tenant, calendar_fingerprint FROM deadlines", logger: logger)
        var stale: [UUID] = []
        for try await (id, tenant, stored) in rows.decode((UUID, String, String).self)
        where fingerprint(TenantID(rawValue: tenant)) != stored {
            stale.append(id)
        }
        return stale
    }
}

/// Makes a demand's deadline rows those of `$2`, its open deadlines (``StepDeadline``s as JSON), in
/// one statement (prepared: every transition runs it): the others deleted, these written, their
/// alert flags kept while a step's start and due time stay the same.
private struct SyncDeadlinesStatement: PostgresPreparedStatement {
    static let sql = """
        WITH open AS (
            SELECT * FROM jsonb_to_recordset($2::jsonb) AS o(step text, "startedAt" timestamptz, "budgetDays" integer,
                "dueAt" timestamptz, "warnAt" timestamptz, "pausedSince" timestamptz)
        ), cleared AS (
            DELETE FROM deadlines WHERE demand_id = $1 AND step NOT IN (SELECT step FROM open)
        )
        INSERT INTO deadlines AS d (demand_id, step, tenant, started_at, budget_days, due_at, warn_at, paused_since,
            warned, overdue_alerted, next_alert_at, calendar_fingerprint)
        SELECT $1, o.step, $3, o."startedAt", o."budgetDays", o."dueAt", o."warnAt", o."pausedSince", false, false,
            CASE WHEN o."dueAt" IS NULL THEN NULL ELSE o."warnAt" END, $4
        FROM open AS o
        ON CONFLICT (demand_id, step) DO UPDATE SET
            started_at = EXCLUDED.started_at, budget_days = EXCLUDED.budget_days, due_at = EXCLUDED.due_at,
            warn_at = EXCLUDED.warn_at, paused_since = EXCLUDED.paused_since,
            calendar_fingerprint = EXCLUDED.calendar_fingerprint,
            warned = CASE WHEN d.started_at = EXCLUDED.started_at AND d.due_at IS NOT DISTINCT FROM EXCLUDED.due_at
                THEN d.warned ELSE false END,
            overdue_alerted = CASE WHEN d.started_at = EXCLUDED.started_at AND d.due_at IS NOT DISTINCT FROM EXCLUDED.due_at
                THEN d.overdue_alerted ELSE false END,
            next_alert_at = CASE
                WHEN EXCLUDED.due_at IS NULL THEN NULL
                WHEN d.started_at = EXCLUDED.started_at AND d.due_at IS NOT DISTINCT FROM EXCLUDED.due_at THEN
                    CASE WHEN NOT d.warned THEN EXCLUDED.warn_at WHEN NOT d.overdue_alerted THEN EXCLUDED.due_at ELSE NULL END
                ELSE EXCLUDED.warn_at END
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .text, .text, .text]
    typealias Row = ()

    var demandID: UUID
    var tenant: String
    var deadlinesJSON: String
    var fingerprint: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(demandID)
        bindings.append(deadlinesJSON)
        bindings.append(tenant)
        bindings.append(fingerprint)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
