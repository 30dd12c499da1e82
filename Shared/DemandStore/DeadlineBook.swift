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

    /// Rewrites a demand's deadline rows from its history (a save rewrites them with the demand:
    /// ``rows(_:planner:)``).
    public func sync(_ demand: Demand, planner: DeadlinePlanner, on connection: PostgresConnection) async throws {
        let statement = SyncDeadlinesStatement(
            demandID: demand.id, tenant: demand.tenant.rawValue, rows: try rows(try planner.openDeadlines(for: demand), planner: planner))
        _ = try await connection.execute(statement, logger: logger)
    }

    /// The rows of these open deadlines that this service keeps: those of the steps it owns.
    public func rows(_ open: [StepDeadline], planner: DeadlinePlanner) throws -> DeadlineRows {
        let owned = open.filter { ownedSteps.contains($0.step) }
        return DeadlineRows(json: try EventCoding.text(owned),
            fingerprint: planner.calendar.fingerprint)
    }

    /// The part of a statement that makes a demand's deadline rows those of `deadlines` (a JSON array
    /// of ``StepDeadline``s, or NULL to leave them alone), in one pass: the others deleted, these
    /// written, their alert flags kept while a step's start and due time stay the same. Common
    /// table expressions, for a statement's `WITH`; the arguments are its parameters.
    static func rewriting(demand: String, tenant: String, deadlines: String, fingerprint: String) -> String {
        """
        deadlines_open AS (
            SELECT * FROM jsonb_to_recordset(\(deadlines)::jsonb) AS o(step text, "startedAt" timestamptz, "budgetDays" integer,
                "dueAt" timestamptz, "warnAt" timestamptz, "pausedSince" timestamptz)
        ), deadlines_cleared AS (
            DELETE FROM deadlines
            WHERE demand_id = \(demand) AND \(deadlines)::jsonb IS NOT NULL AND step NOT IN (SELECT step FROM deadlines_open)
        ), deadlines_written AS (
            INSERT INTO deadlines AS d (demand_id, step, tenant, started_at, budget_days, due_at, warn_at, paused_since,
                warned, overdue_alerted, next_alert_at, calendar_fingerprint)
            SELECT \(demand), o.step, \(tenant), o."startedAt", o."budgetDays", o."dueAt", o."warnAt", o."pausedSince", false, false,
                CASE WHEN o."dueAt" IS NULL THEN NULL ELSE o."warnAt" END, \(fingerprint)
            FROM deadlines_open AS o
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
        )
        """
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

/// A demand's open deadlines as its deadline rows are to be, for ``DeadlineBook/rewriting(demand:tenant:deadlines:fingerprint:)``.
public struct DeadlineRows: Sendable {
    /// The ``StepDeadline``s, as a JSON array.
    var json: String
    /// The calendar they were computed with.
    var fingerprint: String
}

/// Rewrites one demand's deadline rows (a calendar change; a save does it in its own statement).
private struct SyncDeadlinesStatement: PostgresPreparedStatement {
    static let sql = "WITH \(DeadlineBook.rewriting(demand: "$1", tenant: "$2", deadlines: "$3", fingerprint: "$4")) SELECT 1"
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .text, .text, .text]
    typealias Row = ()

    var demandID: UUID
    var tenant: String
    var rows: DeadlineRows

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(demandID)
        bindings.append(tenant)
        bindings.append(rows.json)
        bindings.append(rows.fingerprint)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
