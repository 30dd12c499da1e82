import DemandStore
import PostgresStorage

/// Reporting's read model.
///
/// - `daily_counts`: one counter per (tier, dimension, day, key, metric), added to once per event
///   (the inbox makes that exactly once). Monthly figures sum about thirty days of a few dozen
///   counters, however many demands there are.
/// - `demand_facts`: one row per demand with its latest state (by transition sequence, so that
///   events arriving out of order do not move it back), when it was received and closed, and its
///   earliest open deadline: for the completion rate and the overdue and unsatisfied lists.
///   `assigned_at` is when its current lead unit was given it, for a unit's completion rate.
/// - `ratings`: every rating, for the list of unsatisfied enterprises.
/// - `entry_counts`: per scope and day a demand entered it, how many entered and are closed now
///   (``EntryCounts``): the completion rate.
/// - `monthly_counts`: the same counters by month: months (and quarters and years) are what people
///   ask for, and a month then reads a few thousand counters instead of tens of thousands.
public enum ReportingMigrations {
    public static let all: [Migration] = [
        DirectoryStore.migration(version: 10),
        Migration(version: 11, name: "read model", statements: [
            """
            CREATE TABLE daily_counts (
                tenant text NOT NULL,
                dimension text NOT NULL,
                day date NOT NULL,
                dimension_key text NOT NULL,
                metric text NOT NULL,
                value bigint NOT NULL,
                PRIMARY KEY (tenant, dimension, day, dimension_key, metric)
            )
            """,
            """
            CREATE TABLE demand_facts (
                demand_id uuid PRIMARY KEY,
                tenant text NOT NULL,
                registration_number text,
                enterprise_id text,
                enterprise_name text,
                paired_cadre_id text,
                category text,
                industry_group text,
                lead_unit_id text,
                lead_unit_name text,
                origin_tenant text,
                state text NOT NULL,
                state_sequence integer NOT NULL,
                received_at timestamptz,
                closed_at timestamptz,
                open_step text,
                open_due_at timestamptz
            )
            """,
            "CREATE INDEX demand_facts_received ON demand_facts (tenant, received_at)",
            """
            CREATE INDEX demand_facts_overdue ON demand_facts (tenant, open_due_at)
                WHERE open_due_at IS NOT NULL AND state NOT IN ('closed', 'escalated')
            """,
            """
            CREATE TABLE ratings (
                transition_id uuid PRIMARY KEY,
                demand_id uuid NOT NULL,
                tenant text NOT NULL,
                lead_unit_id text,
                satisfied boolean NOT NULL,
                comment text,
                rated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX ratings_tenant_time ON ratings (tenant, rated_at)",
        ]),
        Migration(version: 12, name: "monthly counts", statements: [
            """
            CREATE TABLE monthly_counts (
                tenant text NOT NULL,
                dimension text NOT NULL,
                month date NOT NULL,
                dimension_key text NOT NULL,
                metric text NOT NULL,
                value bigint NOT NULL,
                PRIMARY KEY (tenant, dimension, month, dimension_key, metric)
            )
            """
        ]),
        Migration(version: 13, name: "unit and cadre completion", statements: [
            // When the current lead unit was given the demand: a unit's completion rate counts what it was given in the period.
            // Guarded by the dispatch's own sequence, as the state is by its, so that arrival order does not matter.
            "ALTER TABLE demand_facts ADD COLUMN assigned_at timestamptz, ADD COLUMN assigned_sequence integer",
            "CREATE INDEX demand_facts_unit ON demand_facts (lead_unit_id, assigned_at)",
            "CREATE INDEX demand_facts_cadre ON demand_facts (paired_cadre_id, received_at)",
        ]),
        Migration(version: 14, name: "escalated copies", statements: [
            // A subtree's total takes the copies of demands escalated inside it off the sum of its tiers.
            "CREATE INDEX demand_facts_escalated_copies ON demand_facts (tenant, received_at) WHERE origin_tenant IS NOT NULL",
        ]),
        // The democratic appraisal scores the office enters for each unit at the year's end (003 art. 20).
        Migration(version: 15, name: "unit appraisals", statements: [
            """
            CREATE TABLE unit_appraisals (
                tenant text NOT NULL,
                year integer NOT NULL,
                unit_id text NOT NULL,
                score double precision NOT NULL,
                entered_by text NOT NULL,
                entered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (tenant, year, unit_id)
            )
            """
        ]),
        // Periodic returns (001 §4.7, 004 二（六）): what each unit or office sent for each form and
        // period (on time is judged by the first submission), and the day each was reminded.
        Migration(version: 16, name: "periodic returns", statements: [
            """
            CREATE TABLE return_submissions (
                tenant text NOT NULL,
                form_id text NOT NULL,
                period text NOT NULL,
                submitter_id text NOT NULL,
                content jsonb NOT NULL,
                submitted_by text NOT NULL,
                first_submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (tenant, form_id, period, submitter_id)
            )
            """,
            """
            CREATE TABLE return_reminders (
                tenant text NOT NULL,
                month text NOT NULL,
                submitter_id text NOT NULL,
                sent_on date NOT NULL,
                forms text[] NOT NULL,
                PRIMARY KEY (tenant, month, submitter_id, sent_on)
            )
            """,
        ]),
        // The tier's leaders the monthly bulletin goes to, and the months it was issued (once each).
        Migration(version: 17, name: "briefing distribution", statements: [
            """
            CREATE TABLE briefing_recipients (
                tenant text PRIMARY KEY,
                recipients jsonb NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """,
            """
            CREATE TABLE briefing_issues (
                tenant text NOT NULL,
                month text NOT NULL,
                issued_by text NOT NULL,
                issued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                recipients integer NOT NULL,
                PRIMARY KEY (tenant, month)
            )
            """,
        ]),
        EntryCounts.migration,
        SelfResolvedMatters.migration,
    ]
}
