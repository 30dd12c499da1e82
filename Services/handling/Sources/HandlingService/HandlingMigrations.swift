import DemandStore
import PostgresStorage

/// Handling's schema: the demand table of every tier with row-level security on top.
///
/// The policy mirrors ``AccessPolicy``: each transaction says whose it is (`app.scope`,
/// `app.tenants`, `app.unit`, `app.enterprise`, `app.cadre`), and Postgres shows and changes only
/// the rows that person may see. `FORCE` makes the policy bind the table's owner too (the service's
/// own role), so a query the application forgot to narrow still cannot leak another tier's rows.
enum HandlingMigrations {
    static let all: [Migration] = DemandTables.migrations(own: own, categoryVersion: 11, mergerVersion: 12)

    private static let own: [Migration] = [
        Migration(version: 10, name: "row-level security on demands", statements: [
            "ALTER TABLE demands ENABLE ROW LEVEL SECURITY",
            "ALTER TABLE demands FORCE ROW LEVEL SECURITY",
            """
            CREATE POLICY demands_visible ON demands FOR ALL
            USING (
                coalesce(current_setting('app.scope', true), '') = 'system'
                OR tenant = ANY (string_to_array(coalesce(current_setting('app.tenants', true), ''), ','))
                OR (coalesce(current_setting('app.unit', true), '') <> '' AND current_setting('app.unit', true) = ANY (unit_ids))
                OR (coalesce(current_setting('app.enterprise', true), '') <> '' AND enterprise_id = current_setting('app.enterprise', true))
                OR (coalesce(current_setting('app.cadre', true), '') <> '' AND paired_cadre_id = current_setting('app.cadre', true))
            )
            """,
        ]),
        // The promised day of a class-B answer whose reminder was sent (``PromiseScanner``).
        Migration(version: 13, name: "class-B promise reminders", statements: [
            "ALTER TABLE demands ADD COLUMN promise_reminded_on date"
        ]),
    ]
}
