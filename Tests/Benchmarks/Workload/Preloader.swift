import Foundation
import LocalStack
import PostgresNIO
import ReportingService

/// Fills the stack's databases with demands that look like the ones already there, so that a run
/// can show how cost grows with the data: every demand row (and the rows that come with a demand:
/// inbox entries, idempotency keys, SMS, reporting facts and ratings) of a template set is copied
/// with fresh ids and earlier times.
///
/// The template is what the databases hold the first time the preloader runs (the warm-up
/// journeys); it is kept in `bench_template_<table>` tables so that later rounds copy the same rows.
public struct Preloader: Sendable {
    public let database: StackDatabase

    public init(database: StackDatabase) {
        self.database = database
    }

    /// Tables copied per demand, and how a copy's columns differ from the template's.
    struct TableCopy {
        var kinds: [String]
        var table: String
        /// Column → SQL of the copy's value (`g` is the copy's number); uuid and timestamptz columns
        /// get fresh ids and earlier times unless listed.
        var overrides: [String: String] = [:]
    }

    static let tables: [TableCopy] = [
        TableCopy(kinds: ["intake", "dispatch", "handling"], table: "demands"),
        TableCopy(kinds: ["intake", "dispatch", "handling", "notifier", "reporting"], table: "inbox"),
        TableCopy(kinds: ["intake"], table: "idempotency_keys", overrides: ["key": "key || '-' || g"]),
        TableCopy(kinds: ["notifier"], table: "sms_intents"),
        TableCopy(kinds: ["notifier"], table: "sms_delivery_reports"),
        TableCopy(kinds: ["reporting"], table: "demand_facts"),
        TableCopy(kinds: ["reporting"], table: "ratings"),
    ]

    /// Adds copies until the county intake (which sees every demand of the county first) holds
    /// about `target` demands.
    public func fill(toDemands target: Int, county: String = "intake-maojian") async throws {
        guard let countySchema = database.schemas[county] else { throw StackError("no process \(county)") }
        try await snapshotTemplates()
        let templateDemands = try await count("bench_template_demands", in: countySchema)
        let present = try await count("demands", in: countySchema)
        guard templateDemands > 0 else { throw StackError("no template demands in \(county): play some journeys first") }
        let copies = (target - present) / templateDemands
        guard copies > 0 else { return }
        print("  preloading: \(copies) copies of \(templateDemands) template demands (about \(copies * templateDemands) per service)")
        let batch = max(1, 20_000 / templateDemands)
        let start = ContinuousClock.now
        // Copy numbers go on from earlier rounds, so each round's copies lie further back in time.
        let earlierCopies = present / templateDemands
        for first in stride(from: 1, through: copies, by: batch) {
            let last = min(first + batch - 1, copies)
            try await copy(first: earlierCopies + first, last: earlierCopies + last)
            let seconds = (ContinuousClock.now - start).seconds
            print(String(format: "  preloading: %d of %d copies (%.0f s)", last, copies, seconds))
        }
        // Reporting's completion counts are a sum over its fact rows, which were copied in bulk.
        for (_, schema) in database.schemas(of: ["reporting"]) {
            try await database.execute("TRUNCATE entry_counts", inSchema: schema)
            try await database.execute(EntryCounts.recount, inSchema: schema)
        }
        // Fresh statistics for every copied table, so that plans are those of a database this size.
        try await database.execute("ANALYZE")
        // The copies written back to disk now, not while the round measures.
        try await database.execute("CHECKPOINT")
    }

    func snapshotTemplates() async throws {
        for (_, schema, table) in targets() {
            let template = StackDatabase.quoted(schema) + "." + StackDatabase.quoted("bench_template_\(table.table)")
            try await database.execute(
                "CREATE TABLE IF NOT EXISTS \(template) AS SELECT * FROM \(StackDatabase.quoted(schema)).\(StackDatabase.quoted(table.table))")
        }
    }

    func copy(first: Int, last: Int) async throws {
        for (_, schema, table) in targets() {
            let columns = try await database.rows(
                """
                SELECT column_name::text, data_type::text, coalesce(column_default, '') FROM information_schema.columns
                WHERE table_schema = '\(schema)' AND table_name = '\(table.table)' ORDER BY ordinal_position
                """
            ).map { try $0.decode((String, String, String).self) }
            var names: [String] = []
            var values: [String] = []
            for (name, type, defaultValue) in columns where !defaultValue.hasPrefix("nextval(") {
                names.append(StackDatabase.quoted(name))
                if let override = table.overrides[name] {
                    values.append(override)
                } else if type == "uuid" {
                    values.append("CASE WHEN \(StackDatabase.quoted(name)) IS NULL THEN NULL ELSE gen_random_uuid() END")
                } else if type.hasPrefix("timestamp") {
                    // Each copy 20 minutes further back: with a few dozen template demands, a million
                    // demands span about a year.
                    values.append("\(StackDatabase.quoted(name)) - g * interval '20 minutes'")
                } else {
                    values.append(StackDatabase.quoted(name))
                }
            }
            try await database.execute(
                """
                INSERT INTO \(StackDatabase.quoted(schema)).\(StackDatabase.quoted(table.table)) (\(names.joined(separator: ", ")))
                SELECT \(values.joined(separator: ", "))
                FROM \(StackDatabase.quoted(schema)).\(StackDatabase.quoted("bench_template_\(table.table)")), generate_series(\(first), \(last)) AS g
                """)
        }
    }

    func targets() -> [(String, String, TableCopy)] {
        Self.tables.flatMap { table in database.schemas(of: table.kinds).map { ($0.process, $0.schema, table) } }
    }

    func count(_ table: String, in schema: String) async throws -> Int {
        try await database.values("SELECT count(*)::int FROM \(StackDatabase.quoted(schema)).\(StackDatabase.quoted(table))", as: Int.self)
            .first ?? 0
    }
}
