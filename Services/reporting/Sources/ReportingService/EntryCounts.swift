import PostgresStorage

/// `entry_counts`: per tier, unit and cadre and per day a demand entered that scope, how many
/// demands entered (not refused, nor merged into another) and how many of those are closed now: the completion rate
/// (办结率) of any period is a sum over its days, not a count over every demand of the period.
///
/// The table is always the sum of what each `demand_facts` row contributes: every write of a fact
/// row takes its old contribution off and adds its new one in the same statement, so events
/// arriving out of order (which the fact row already absorbs) leave it right. The status consumer
/// applies one event at a time, so no two statements change one demand's row at once.
public enum EntryCounts {
    /// The rows a relation `source` of fact rows (with a `sign` column) contributes: the demand's tier
    /// on the day it was received, its lead unit on the day it was given it, and its enterprise's
    /// paired cadre on the day it was received; days are Shanghai's (UTC+8, as `CivilDate`).
    static func contributions(of source: String) -> String {
        """
        SELECT c.tenant, scope.dimension, scope.dimension_key, scope.day,
            sum(c.sign * CASE WHEN c.state NOT IN ('refused', 'merged') THEN 1 ELSE 0 END)::bigint AS entered,
            sum(c.sign * CASE WHEN c.state = 'closed' THEN 1 ELSE 0 END)::bigint AS closed
        FROM \(source) AS c
        CROSS JOIN LATERAL (VALUES
            ('tier', c.tenant, \(shanghaiDay("c.received_at"))),
            ('unit', c.lead_unit_id, \(shanghaiDay("c.assigned_at"))),
            ('cadre', c.paired_cadre_id, \(shanghaiDay("c.received_at")))
        ) AS scope(dimension, dimension_key, day)
        WHERE scope.dimension_key IS NOT NULL AND scope.day IS NOT NULL
        GROUP BY 1, 2, 3, 4
        """
    }

    /// Adds the rows of `contributions(of:)` in the CTE or table `deltas` to the counts.
    static func add(from deltas: String) -> String {
        """
        INSERT INTO entry_counts (tenant, dimension, dimension_key, day, entered, closed)
        SELECT tenant, dimension, dimension_key, day, entered, closed FROM \(deltas) WHERE entered <> 0 OR closed <> 0
        ON CONFLICT (tenant, dimension, dimension_key, day) DO UPDATE
            SET entered = entry_counts.entered + EXCLUDED.entered, closed = entry_counts.closed + EXCLUDED.closed
        """
    }

    private static func shanghaiDay(_ column: String) -> String {
        "(timezone('UTC', \(column)) + interval '8 hours')::date"
    }

    /// The columns of a fact row that decide what it contributes.
    static let factColumns = "tenant, lead_unit_id, paired_cadre_id, state, received_at, assigned_at"

    static let migration = Migration(version: 18, name: "entry counts", statements: [
        """
        CREATE TABLE entry_counts (
            tenant text NOT NULL,
            dimension text NOT NULL,
            dimension_key text NOT NULL,
            day date NOT NULL,
            entered bigint NOT NULL,
            closed bigint NOT NULL,
            PRIMARY KEY (tenant, dimension, dimension_key, day)
        )
        """,
        recount,
    ])

    /// Counts every fact row afresh into an empty table (the migration's backfill; the load
    /// benchmark after it copies fact rows in bulk).
    public static let recount = """
        WITH deltas AS (\(contributions(of: "(SELECT 1 AS sign, \(factColumns) FROM demand_facts)")))
        \(add(from: "deltas"))
        """
}
