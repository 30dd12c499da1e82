import ArgumentParser
import DemandDomain
import Foundation
import InputValidation
import LocalStack
import Logging
import Messaging
import PostgresNIO
import PostgresStorage
import ReportingService
import Tenancy

/// Loads a reporting read model with a million demands (two years of three tiers, their units and
/// cadres) and times the figures people ask for most: one month of the city and its subtree.
///
/// Run it with Postgres from the local stack in the environment (`deploy/local/benchmark reporting`).
@main
struct ReportingBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reporting-benchmark",
        abstract: "Time monthly figures for the city and its subtree with N demands in the read model.")

    @Option(help: "Demands to load.")
    var demands = 1_000_000

    @Option(help: "Timed runs of each query.")
    var runs = 30

    @Flag(help: "Keep the schema afterwards.")
    var keep = false

    func run() async throws {
        let environment = StackEnvironment.current
        let schema = "reporting_bench_\(UUID().uuidString.prefix(6).lowercased())"
        var logger = Logger(label: "reporting-benchmark")
        logger.logLevel = .warning
        let database = Database(
            settings: PostgresSettings(host: environment.postgresHost, port: environment.postgresPort, username: environment.postgresUser,
                password: environment.postgresPassword, database: environment.postgresDatabase, schema: schema),
            logger: logger)
        let tree = try TenantTree([
            Tenant(id: "shiyan", name: "十堰市", shortName: "十堰", level: .city, parent: nil, procedure: "shiyan", smsSignature: "",
                platformName: ""),
            Tenant(id: "maojian", name: "茅箭区", shortName: "茅箭", level: .county, parent: "shiyan", procedure: "shiyan",
                smsSignature: "", platformName: ""),
            Tenant(id: "zhangwan", name: "张湾区", shortName: "张湾", level: .county, parent: "shiyan", procedure: "shiyan",
                smsSignature: "", platformName: ""),
        ])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await MigrationRunner.apply(MessagingTables.migrations + ReportingMigrations.all, to: database)
            let loadStart = ContinuousClock.now
            print("Loading \(demands) demands into schema \(schema)…")
            for (label, sql) in ReadModelLoad.statements(demands: demands) {
                let start = ContinuousClock.now
                try await database.query(PostgresQuery(unsafeSQL: sql))
                print("  \(label.padding(toLength: 34, withPad: " ", startingAt: 0)) \(Self.format(ContinuousClock.now - start))")
            }
            try await database.query("ANALYZE")
            let sizes = try await database.query(
                "SELECT (SELECT count(*) FROM demand_facts)::bigint, (SELECT count(*) FROM daily_counts)::bigint")
            for (facts, counters) in try sizes.decode((Int64, Int64).self) {
                print("Loaded in \(Self.format(ContinuousClock.now - loadStart)): \(facts) demand facts, \(counters) daily counters")
            }

            let query = FiguresQuery(logger: logger, tree: tree)
            let month = CivilDate("2025-06-01")!
            var timings: [Duration] = []
            var report: FiguresReport?
            for _ in 0..<runs {
                let start = ContinuousClock.now
                report = try await query.report(tenants: ["shiyan", "maojian", "zhangwan"], from: month,
                    to: month.adding(months: 1).adding(days: -1), label: "2025年6月", enterprises: [:], database: database)
                timings.append(ContinuousClock.now - start)
            }
            timings.sort()
            print("\nMonthly figures, city and subtree (\(runs) runs):")
            print("  min \(Self.format(timings.first!))  p50 \(Self.format(timings[timings.count / 2]))  "
                + "p90 \(Self.format(timings[timings.count * 9 / 10]))  max \(Self.format(timings.last!))")
            let verdict = timings[timings.count / 2] < .milliseconds(200) ? "within" : "OVER"
            print("  target: under 200 ms, median is \(verdict) it")
            if let total = report?.total {
                print("  June 2025, subtree: received \(total.received), closed \(total.closed), satisfaction "
                    + "\(total.satisfactionRate.value.map { String(format: "%.1f%%", $0 * 100) } ?? "-"), overdue now \(total.overdueNow)")
            }
            if !keep { try await database.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \"\(schema)\" CASCADE")) }
        }
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return milliseconds >= 1000 ? String(format: "%.1f s", milliseconds / 1000) : String(format: "%.1f ms", milliseconds)
    }
}

/// SQL that fills the read model as two years of events would: one fact row per demand, and the
/// daily counters the events of those demands add up to (by tier, unit and cadre), and the completion counts.
enum ReadModelLoad {
    static func statements(demands: Int) -> [(String, String)] {
        let steps = ["review", "dispatch", "sign", "result", "rating"]
        var statements: [(String, String)] = [
            ("demand facts", """
                INSERT INTO demand_facts (demand_id, tenant, registration_number, enterprise_id, enterprise_name, paired_cadre_id,
                    category, industry_group, lead_unit_id, lead_unit_name, state, state_sequence, received_at, closed_at,
                    open_step, open_due_at)
                SELECT gen_random_uuid(), t.tenant, t.tenant || '-' || i, 'ent-' || (i % 5000), '企业' || (i % 5000),
                    t.tenant || '-cadre-' || (i % 40),
                    (ARRAY['policyImplementation','contractPerformance','landApproval','powerSupply','financing','talent',
                        'recruitment','projectPromotion','businessEnvironment','other'])[1 + i % 10],
                    (ARRAY['economyAndIT','housingAndConstruction','commerce','transport','agriculture','cultureAndTourism'])[1 + i % 6],
                    t.tenant || '-unit-' || (i % 12), '单位' || (i % 12),
                    CASE WHEN i % 10 < 8 THEN 'closed' ELSE 'inProgress' END, 6,
                    received, CASE WHEN i % 10 < 8 THEN received + interval '9 days' END,
                    CASE WHEN i % 10 >= 8 THEN 'result' END, CASE WHEN i % 10 >= 8 THEN received + interval '21 days' END
                FROM generate_series(1, \(demands)) AS i,
                    LATERAL (SELECT (ARRAY['shiyan','maojian','zhangwan'])[1 + i % 3] AS tenant,
                        timestamptz '2024-07-01 00:00+08' + (i::float8 / \(demands) * 730) * interval '1 day' AS received) t
                """),
            ("counters: received by tier, cadre", """
                INSERT INTO daily_counts SELECT tenant, dim, day, key, 'received', count(*)
                FROM (SELECT tenant, (received_at AT TIME ZONE 'Asia/Shanghai')::date AS day, paired_cadre_id FROM demand_facts) f,
                    LATERAL (VALUES ('tier', f.tenant), ('cadre', f.paired_cadre_id)) d(dim, key)
                GROUP BY tenant, dim, day, key
                """),
            ("counters: categories, industry groups", """
                INSERT INTO daily_counts SELECT tenant, 'tier', day, tenant, metric, count(*)
                FROM (SELECT tenant, (received_at AT TIME ZONE 'Asia/Shanghai')::date AS day, category, industry_group FROM demand_facts) f,
                    LATERAL (VALUES ('received.category.' || f.category), ('received.industry.' || f.industry_group)) m(metric)
                GROUP BY tenant, day, metric
                """),
            ("counters: results, ratings, closures", """
                INSERT INTO daily_counts SELECT tenant, dim, day, key, metric, count(*)
                FROM (SELECT tenant, (closed_at AT TIME ZONE 'Asia/Shanghai')::date AS day, lead_unit_id, paired_cadre_id,
                        abs(hashtext(demand_id::text)) AS h FROM demand_facts WHERE closed_at IS NOT NULL) f,
                    LATERAL (VALUES ('tier', f.tenant), ('unit', f.lead_unit_id), ('cadre', f.paired_cadre_id)) d(dim, key),
                    LATERAL (VALUES ('closed'), ('result.' || (ARRAY['A','A','A','B','C'])[1 + h % 5]),
                        (CASE WHEN h % 20 = 0 THEN 'rating.unsatisfied' ELSE 'rating.satisfied' END)) m(metric)
                GROUP BY tenant, dim, day, key, metric
                """),
        ]
        for step in steps {
            let dimensions = step == "review" ? "('tier', f.tenant), ('cadre', f.paired_cadre_id)"
                : (step == "sign" || step == "result") ? "('tier', f.tenant), ('unit', f.lead_unit_id)" : "('tier', f.tenant)"
            statements.append(("counters: step \(step)", """
                INSERT INTO daily_counts SELECT tenant, dim, day, key, metric, count(*)
                FROM (SELECT tenant, (received_at AT TIME ZONE 'Asia/Shanghai')::date AS day, lead_unit_id, paired_cadre_id,
                        abs(hashtext(demand_id::text || '\(step)')) AS h FROM demand_facts) f,
                    LATERAL (VALUES \(dimensions)) d(dim, key),
                    LATERAL (VALUES ('step.\(step).done'), (CASE WHEN h % 10 < 9 THEN 'step.\(step).onTime' END),
                        ('step.\(step).days.' || (h % 160))) m(metric)
                WHERE metric IS NOT NULL
                GROUP BY tenant, dim, day, key, metric
                """))
        }
        statements.append(("entry counts (completion)", EntryCounts.recount))
        statements.append(("monthly counters", """
            INSERT INTO monthly_counts SELECT tenant, dimension, date_trunc('month', day)::date, dimension_key, metric, sum(value)
            FROM daily_counts GROUP BY 1, 2, 3, 4, 5
            """))
        return statements
    }
}
