import DemandStore
import PostgresStorage

/// Intake's schema: demands under review, its tier's directory and login accounts, and the
/// idempotency keys of submissions.
enum IntakeMigrations {
    static let all: [Migration] = DemandTables.migrations + [
        DirectoryStore.migration(version: 10),
        Migration(version: 11, name: "accounts", statements: [
            """
            CREATE TABLE accounts (
                login text PRIMARY KEY,
                principal jsonb NOT NULL,
                password_hash text NOT NULL,
                active boolean NOT NULL DEFAULT true,
                updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """
        ]),
        Migration(version: 12, name: "idempotency keys", statements: [
            """
            CREATE TABLE idempotency_keys (
                principal text NOT NULL,
                key text NOT NULL,
                request_hash text NOT NULL,
                demand_id uuid NOT NULL,
                created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (principal, key)
            )
            """
        ]),
        LoginThrottle.migration,
        // NULL: the office's initial password, to be replaced at first login.
        Migration(version: 14, name: "password changes", statements: [
            "ALTER TABLE accounts ADD COLUMN password_changed_at timestamptz"
        ]),
    ]
}
