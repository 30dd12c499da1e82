import DemandStore
import PostgresStorage

/// Handling's schema: the demand table of every tier, and when each class-B promise was reminded of.
enum HandlingMigrations {
    static let all: [Migration] = DemandTables.migrations(own: own, categoryVersion: 11, mergerVersion: 12, rowSecurityVersion: 14)

    private static let own: [Migration] = [
        // Handling's first policy, as applied; the shared one replaces it at 14.
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
        // Handling's follower once kept the units of every status event, which the shared policy
        // (14) would let read; access here follows the units holding the demand now.
        Migration(version: 15, name: "no followed units in handling", statements: [
            "SELECT set_config('app.scope', 'system', true)",
            "UPDATE demands SET followed_unit_ids = '{}' WHERE followed_unit_ids <> '{}'",
        ]),
    ]
}
