import DemandDomain
import PostgresStorage

/// Tables of the services that hold demands (intake, dispatch, handling): versions 3 to 9 of their
/// migrations, after the outbox and inbox, and the shared ones added since, which each service numbers
/// among its own.
public enum DemandTables {
    /// Every demand-table migration with the service's `own`, in version order. A shared migration
    /// added after the numbers split is a parameter here, so no service can leave it out.
    public static func migrations(own: [Migration], categoryVersion: Int, mergerVersion: Int, rowSecurityVersion: Int)
        -> [Migration]
    {
        (sharedMigrations + own + [
            categoryMigration(version: categoryVersion), mergerMigration(version: mergerVersion),
            DemandScope.rowSecurityMigration(version: rowSecurityVersion),
        ]).sorted { $0.version < $1.version }
    }

    static let sharedMigrations: [Migration] = [
        Migration(version: 3, name: "demands", statements: [
            """
            CREATE TABLE demands (
                id uuid PRIMARY KEY,
                tenant text NOT NULL,
                state text NOT NULL,
                enterprise_id text,
                enterprise_name text,
                paired_cadre_id text,
                unit_ids text[] NOT NULL DEFAULT '{}',
                lead_unit_id text,
                registration_number text,
                origin_demand_id uuid,
                history_length integer NOT NULL,
                history jsonb NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX demands_tenant_state ON demands (tenant, state, updated_at DESC)",
            "CREATE INDEX demands_enterprise ON demands (enterprise_id, updated_at DESC)",
            "CREATE INDEX demands_cadre ON demands (paired_cadre_id, updated_at DESC)",
            "CREATE INDEX demands_units ON demands USING gin (unit_ids)",
            "CREATE INDEX demands_origin ON demands (origin_demand_id) WHERE origin_demand_id IS NOT NULL",
        ]),
        Migration(version: 4, name: "deadlines", statements: [
            """
            CREATE TABLE deadlines (
                demand_id uuid NOT NULL,
                step text NOT NULL,
                tenant text NOT NULL,
                started_at timestamptz NOT NULL,
                budget_days integer NOT NULL,
                due_at timestamptz,
                warn_at timestamptz,
                paused_since timestamptz,
                warned boolean NOT NULL DEFAULT false,
                overdue_alerted boolean NOT NULL DEFAULT false,
                next_alert_at timestamptz,
                calendar_fingerprint text NOT NULL,
                PRIMARY KEY (demand_id, step)
            )
            """,
            // The scan reads only rows whose alert is due: its cost follows what is due, not all demands.
            "CREATE INDEX deadlines_next_alert ON deadlines (next_alert_at) WHERE next_alert_at IS NOT NULL",
            "CREATE INDEX deadlines_tenant_due ON deadlines (tenant, due_at)",
        ]),
        Migration(version: 5, name: "document sequences", statements: [
            """
            CREATE TABLE document_sequences (
                tenant text NOT NULL,
                kind text NOT NULL,
                year integer NOT NULL,
                last_value integer NOT NULL,
                PRIMARY KEY (tenant, kind, year)
            )
            """
        ]),
        // Where each demand is now, kept current from the status events (``DemandFollower``): `state`
        // follows the demand's own later transitions made by other services (state_sequence says
        // which), `position` its location, also at the parent tier after an escalation (position_depth 1).
        Migration(version: 6, name: "demand positions", statements: [
            """
            ALTER TABLE demands
                ADD COLUMN state_sequence integer NOT NULL DEFAULT 0,
                ADD COLUMN position jsonb,
                ADD COLUMN position_depth integer NOT NULL DEFAULT 0,
                ADD COLUMN position_sequence integer NOT NULL DEFAULT 0,
                ADD COLUMN position_due_at timestamptz
            """,
            "UPDATE demands SET state_sequence = history_length",
        ]),
        // What the office's supervision lists ask: cases under 挂牌督办, and when each was last followed up.
        Migration(version: 7, name: "supervision columns", statements: [
            "ALTER TABLE demands ADD COLUMN flagged boolean NOT NULL DEFAULT false, ADD COLUMN last_follow_up_at timestamptz",
            "CREATE INDEX demands_flagged ON demands (tenant, updated_at DESC) WHERE flagged",
        ]),
        // Class-B answers whose plan the unit has not reported carried out: the ledger of promises.
        Migration(version: 8, name: "class-B promises", statements: [
            "ALTER TABLE demands ADD COLUMN awaiting_completion boolean NOT NULL DEFAULT false, ADD COLUMN planned_completion date",
            "CREATE INDEX demands_awaiting_completion ON demands (tenant, planned_completion) WHERE awaiting_completion",
        ]),
        // Lists show the newest first in pages of fifty: walking this index stops after a page, where
        // sorting every demand of the tier grew with the tier. The current deadline of a row stored
        // before positions were kept is written once from its deadline rows (they change only when the
        // row is saved again, with a position), so that every list reads one indexed column, and the
        // overdue list looks its rows up instead of walking the tier. And the units a demand went to
        // after this service handed it on, as the status events tell: they may read this service's
        // copy (and the files intake keeps with it). One migration, as the numbers after 9 are each
        // service's own.
        Migration(version: 9, name: "newest first; current deadlines; followed units", statements: [
            "CREATE INDEX demands_recent ON demands (updated_at DESC)",
            "UPDATE demands d SET position_due_at = (SELECT min(due_at) FROM deadlines WHERE demand_id = d.id) WHERE position IS NULL",
            "CREATE INDEX demands_due ON demands (position_due_at) WHERE position_due_at IS NOT NULL",
            "ALTER TABLE demands ADD COLUMN followed_unit_ids text[] NOT NULL DEFAULT '{}'",
        ]),
    ]

    /// The demand's category as a column, for the lists' category filter; a stored row's is the
    /// category of the latest content in its history (a submission, an edit, a resubmission or an
    /// escalation's receipt). The numbers after 9 are each service's own, so each names its version.
    static func categoryMigration(version: Int) -> Migration {
        Migration(version: version, name: "demand categories", statements: [
            "ALTER TABLE demands ADD COLUMN category text",
            // Every row, where row-level security would show the migration none.
            "SELECT set_config('app.scope', 'system', true)",
            categoryBackfill,
        ])
    }

    /// How a merged demand joined another (并单): a merged demand shows where that one is, so its rows
    /// are found by the demand they joined. Kept beside the history, as a service that handed the
    /// demand on learns of the merger from its status event only. And the demand's industry group,
    /// for the queues of dispatchers who keep one group's demands (Shiyan city), written for stored
    /// rows from their history as the category is.
    static func mergerMigration(version: Int) -> Migration {
        Migration(version: version, name: "merged demands; industry groups", statements: [
            "ALTER TABLE demands ADD COLUMN merger jsonb",
            "CREATE INDEX demands_merged_into ON demands (((merger->>'intoDemandID')::uuid)) WHERE merger IS NOT NULL",
            "ALTER TABLE demands ADD COLUMN industry_group text",
            "SELECT set_config('app.scope', 'system', true)",
            latestContentBackfill(column: "industry_group", field: "industryGroup"),
        ])
    }

    /// Every stored row's category from its history.
    public static let categoryBackfill = latestContentBackfill(column: "category", field: "category")

    /// Writes a column of every stored row from a field of the latest content in its history.
    static func latestContentBackfill(column: String, field: String) -> String {
        """
        UPDATE demands d SET \(column) = (
            SELECT h.transition->'action'->'payload'->'content'->>'\(field)'
            FROM jsonb_array_elements(d.history) WITH ORDINALITY AS h(transition, position)
            WHERE h.transition->'action'->'payload'->'content'->>'\(field)' IS NOT NULL
            ORDER BY h.position DESC LIMIT 1)
        """
    }
}
