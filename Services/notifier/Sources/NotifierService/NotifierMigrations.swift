import DemandStore
import PostgresStorage

/// The notifier's schema: its copy of every tier's directory, one intent per (event, rule,
/// recipient), and every delivery report Kannel sent back.
enum NotifierMigrations {
    static let all: [Migration] = [
        DirectoryStore.migration(version: 10),
        Migration(version: 11, name: "sms intents", statements: [
            """
            CREATE TABLE sms_intents (
                id uuid PRIMARY KEY,
                event_id uuid NOT NULL,
                rule_id text NOT NULL,
                recipient text NOT NULL,
                recipient_name text,
                phone text,
                tenant text NOT NULL,
                demand_id uuid,
                text text NOT NULL,
                urgent boolean NOT NULL DEFAULT false,
                state text NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL,
                in_flight_since timestamptz,
                uncertain_resends integer NOT NULL DEFAULT 0,
                last_error text,
                created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                accepted_at timestamptz,
                delivered_at timestamptz,
                UNIQUE (event_id, rule_id, recipient)
            )
            """,
            "CREATE INDEX sms_intents_due ON sms_intents (next_attempt_at) WHERE state = 'pending'",
            "CREATE INDEX sms_intents_in_flight ON sms_intents (in_flight_since) WHERE state = 'inFlight'",
            "CREATE INDEX sms_intents_demand ON sms_intents (demand_id, created_at)",
        ]),
        Migration(version: 12, name: "sms delivery reports", statements: [
            """
            CREATE TABLE sms_delivery_reports (
                id bigserial PRIMARY KEY,
                intent_id uuid NOT NULL,
                report_type integer NOT NULL,
                answer text,
                received_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """,
            "CREATE INDEX sms_delivery_reports_intent ON sms_delivery_reports (intent_id)",
        ]),
        Migration(version: 13, name: "sms trace context", statements: [
            // The trace of the event that asked for the SMS, so that sending it joins that trace.
            "ALTER TABLE sms_intents ADD COLUMN trace_headers jsonb",
        ]),
    ]
}
