import DemandStore
import PostgresStorage

/// Intake's schema: demands under review, its tier's directory and login accounts, and the
/// idempotency keys of submissions.
enum IntakeMigrations {
    static let all: [Migration] = DemandTables.migrations(own: own, categoryVersion: 27, mergerVersion: 31, rowSecurityVersion: 35)

    private static let own: [Migration] = [
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
        // A password its owner set at /me/password, which no re-import of the roster replaces. Existing
        // accounts past their initial password cannot tell an owner's choice from a roster's, so they
        // are all kept: a re-import must never undo a password someone chose.
        Migration(version: 15, name: "passwords chosen by their owners", statements: [
            "ALTER TABLE accounts ADD COLUMN chosen_by_owner boolean NOT NULL DEFAULT false",
            "UPDATE accounts SET chosen_by_owner = true WHERE password_changed_at IS NOT NULL",
        ]),
        // A login is a name within a unit (002 §1); '' is the tier's own organs and its enterprises.
        // Existing accounts were unique by name alone and stay so under the tier level.
        Migration(version: 16, name: "logins within units", statements: [
            "ALTER TABLE accounts ADD COLUMN unit_id text NOT NULL DEFAULT ''",
            "ALTER TABLE accounts DROP CONSTRAINT accounts_pkey",
            "ALTER TABLE accounts ADD PRIMARY KEY (unit_id, login)",
        ]),
        // The mobile number a person gave themselves, which a re-import of the roster keeps.
        Migration(version: 17, name: "mobile numbers chosen by their owners", statements: [
            "ALTER TABLE accounts ADD COLUMN chosen_phone text"
        ]),
        PairingDesk.migration,
        PairingDesk.appraisalMigration,
        PairingDesk.allocationMigration,
        PairingDesk.proposalMigration,
        PairingDesk.profileMigration,
        DemandAttachments.migration,
        IntakeWorkflow.accountsMigration,
        PairingDesk.resolvedOnSpotMigration,
        IntakeWorkflow.applicationsMigration,
        PairingDesk.promptLetterMigration,
        IntakeWorkflow.noticesMigration,
        IntakeWorkflow.briefsMigration,
        IntakeWorkflow.unitInterviewsMigration,
        PairingDesk.workingGroupsMigration,
        PairingDesk.priorityListsMigration,
    ]
}
