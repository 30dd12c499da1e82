import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import Kafka
import LocalStack
import Logging
import Messaging
import PlatformEvents
import PostgresNIO
import PostgresStorage
@testable import ReportingService
import ServiceLifecycle
import ServiceRuntime
import Testing
import Tenancy
import PlatformWire
import InputValidation

/// A fixed history of March 2024 in three tiers of their own (so that the test shares Kafka with
/// others safely), played through the domain exactly as the services record it.
struct ReportingHistory {
    let prefix = "r" + UUID().uuidString.prefix(6).lowercased()
    var city: TenantID { TenantID(rawValue: "\(prefix)-city") }
    var countyA: TenantID { TenantID(rawValue: "\(prefix)-a") }
    var countyB: TenantID { TenantID(rawValue: "\(prefix)-b") }

    var tenants: [Tenant] {
        [
            Tenant(id: city, name: "测试市", shortName: "测试", level: .city, parent: nil, procedure: "shiyan", smsSignature: "【测试】",
                platformName: "测试平台"),
            Tenant(id: countyA, name: "甲区", shortName: "甲", level: .county, parent: city, procedure: "shiyan",
                smsSignature: "【甲】", platformName: "测试平台"),
            Tenant(id: countyB, name: "乙区", shortName: "乙", level: .county, parent: city, procedure: "shiyan",
                smsSignature: "【乙】", platformName: "测试平台"),
        ]
    }

    var rules: TierRules {
        TierRules(tree: try! TenantTree(tenants), procedures: ProcedureProfile.presets,
            calendars: TierCalendars(official: try! WorkingCalendar.official()))
    }

    static func at(_ date: String, _ hour: Int) -> Date {
        CivilDate(date)!.startInstant.addingTimeInterval(TimeInterval(hour * 3600))
    }

    func content() -> DemandContent {
        try! DemandForm(
            enterprise: .init(name: "测试企业有限公司", creditCode: "91350100M000100Y43", address: "测试路1号"),
            contact: .init(name: "联系人", title: "经理", phone: "19900009001"), category: .financing, industryGroup: .commerce,
            difficulty: "融资难", helpWanted: "协调贷款"
        ).validated()
    }

    /// Plays actions and returns every status event the services would publish.
    func play(_ tenant: TenantID, _ steps: [(DemandAction, Actor, Date)]) throws -> (Demand, [DemandStatusEvent]) {
        var demand = Demand(id: UUID(), tenant: tenant)
        var events: [DemandStatusEvent] = []
        let planner = rules.planner(for: tenant)
        for (action, actor, time) in steps {
            let before = demand
            let transition = try demand.apply(action, by: actor, at: time, context: rules.context(for: demand, at: time))
            events.append(DemandStatusEvent(demand: demand, transition: transition, openDeadlines: try planner.openDeadlines(for: demand),
                completedSteps: try planner.completions(of: transition, before: before, after: demand)))
        }
        return (demand, events)
    }

    /// A schema of this history's own on the test Postgres, its connections starting with `session`.
    func database(_ name: String, logger: Logger, session: [String: String] = [:]) -> Database {
        let environment = StackEnvironment.current
        var settings = PostgresSettings(host: environment.postgresHost, port: environment.postgresPort,
            username: environment.postgresUser, password: environment.postgresPassword, database: environment.postgresDatabase,
            schema: "\(name)_\(prefix)")
        settings.sessionParameters = session
        return Database(settings: settings, logger: logger)
    }

    /// A demand store of this history's own (the tables intake, dispatch and handling share, under
    /// row-level security) for `body`, as a service's own pool, in the service's scope, running.
    func withDemandStore(_ name: String, logger: Logger, _ body: (Database) async throws -> Void) async throws {
        let database = database(name, logger: logger, session: DemandScope.serviceSession)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await MigrationRunner.apply(
                MessagingTables.migrations + DemandTables.migrations(own: [], categoryVersion: 10, mergerVersion: 11, rowSecurityVersion: 12),
                to: database)
            try await body(database)
        }
    }

    /// A logger that keeps a test's output to errors.
    static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .error
        return logger
    }

    func number(_ tenant: TenantID, _ kind: DocumentNumber.Kind, _ sequence: Int) -> DocumentNumber {
        DocumentNumber(office: tenant.rawValue, kind: kind, year: 2024, sequence: sequence)
    }

    func unit(_ id: String, _ tenant: TenantID) -> UnitRef { UnitRef(id: id, name: "单位\(id)", tenant: tenant) }

    /// Every event of the month, keyed by the tier whose status topic carries it.
    func events() throws -> [(TenantID, DemandStatusEvent)] {
        let enterprise = Actor(role: .enterprise, tenant: countyA, id: "e1", enterpriseID: "ent-a")
        let party = EnterpriseParty(id: "ent-a", tenant: countyA, pairedCadreID: "cadre-a")
        let cadre = Actor(role: .cadre, tenant: countyA, id: "cadre-a")
        let dispatcher = Actor(role: .dispatcher, tenant: countyA, id: "disp-a")
        let unitA1 = Actor(role: .unitAdmin, tenant: countyA, id: "ua1", unitID: "a-u1")
        let unitA2 = Actor(role: .unitAdmin, tenant: countyA, id: "ua2", unitID: "a-u2")
        func submit(_ sequence: Int) -> DemandAction {
            .submit(Submission(content: content(), enterprise: party, registrationNumber: number(countyA, .registration, sequence)))
        }
        func dispatch(_ unit: UnitRef, _ sequence: Int) -> DemandAction {
            .dispatch(Assignment(leadUnit: unit, number: number(unit.tenant, .dispatch, sequence)))
        }
        let a = Self.at
        // D1: review on time, dispatch on time, signing late, answered A, satisfied.
        let (_, d1) = try play(countyA, [
            (submit(1), enterprise, a("2024-03-04", 9)), (.approve(Approval()), cadre, a("2024-03-04", 15)),
            (dispatch(unit("a-u1", countyA), 1), dispatcher, a("2024-03-05", 10)), (.sign(Signature()), unitA1, a("2024-03-07", 9)),
            (.submitResult(ResultReport(resultClass: .a, answer: "已解决")), unitA1, a("2024-03-08", 10)),
            (.rate(Rating(satisfied: true)), enterprise, a("2024-03-08", 12)),
        ])
        // D2: review late, routed, returned, routed again, B, unsatisfied, A, satisfied.
        let (_, d2) = try play(countyA, [
            (submit(2), enterprise, a("2024-03-11", 9)), (.approve(Approval()), cadre, a("2024-03-13", 10)),
            (dispatch(unit("a-u2", countyA), 2), dispatcher, a("2024-03-13", 11)),
            (.returnNotOurRemit(RemitReturn(reason: "非本单位职能", suggestion: "建议a-u1")), unitA2, a("2024-03-13", 14)),
            (dispatch(unit("a-u1", countyA), 3), dispatcher, a("2024-03-14", 9)), (.sign(Signature()), unitA1, a("2024-03-14", 10)),
            (.submitResult(ResultReport(resultClass: .b, answer: "正在办理", plan: "分期解决", plannedCompletion: CivilDate("2024-06-30"))),
                unitA1, a("2024-03-20", 10)),
            (.rate(Rating(satisfied: false, comment: "进展太慢")), enterprise, a("2024-03-21", 10)),
            (.submitResult(ResultReport(resultClass: .a, answer: "已解决")), unitA1, a("2024-03-25", 10)),
            (.rate(Rating(satisfied: true)), enterprise, a("2024-03-26", 10)),
        ])
        // D3: escalated by county A; the city's copy is routed, signed, answered C, not yet rated.
        let (county3, d3) = try play(countyA, [
            (submit(3), enterprise, a("2024-03-15", 9)), (.approve(Approval()), cadre, a("2024-03-15", 11)),
            (.escalate(EscalationSlip(parent: city, number: number(countyA, .escalation, 1), suggestion: "需市级协调")), dispatcher,
                a("2024-03-18", 9)),
        ])
        let cityUnit = Actor(role: .unitAdmin, tenant: city, id: "uc", unitID: "c-u1")
        let receipt = EscalationReceipt(content: content(), enterprise: party,
            origin: EscalationOrigin(tenant: countyA, demandID: county3.id, registrationNumber: number(countyA, .registration, 3),
                escalationNumber: number(countyA, .escalation, 1)),
            suggestion: "需市级协调", registrationNumber: number(city, .registration, 1))
        let (_, c3) = try play(city, [
            (.receiveEscalation(receipt), .system(city, component: "intake"), a("2024-03-18", 10)),
            (dispatch(unit("c-u1", city), 1), Actor(role: .dispatcher, tenant: city, id: "disp-c"), a("2024-03-19", 9)),
            (.sign(Signature()), cityUnit, a("2024-03-19", 11)),
            (.submitResult(ResultReport(resultClass: .c, answer: "暂不具备条件", explanation: "规划限制")), cityUnit, a("2024-03-29", 10)),
        ])
        // D4 in county B: routed, signed, extension granted, still in progress.
        let enterpriseB = Actor(role: .enterprise, tenant: countyB, id: "e2", enterpriseID: "ent-b")
        let partyB = EnterpriseParty(id: "ent-b", tenant: countyB, pairedCadreID: nil)
        let unitB = Actor(role: .unitAdmin, tenant: countyB, id: "ub", unitID: "b-u1")
        let (_, d4) = try play(countyB, [
            (.submit(Submission(content: content(), enterprise: partyB, registrationNumber: number(countyB, .registration, 1))),
                enterpriseB, a("2024-03-20", 9)),
            (dispatch(unit("b-u1", countyB), 1), Actor(role: .dispatcher, tenant: countyB, id: "disp-b"), a("2024-03-21", 9)),
            (.sign(Signature()), unitB, a("2024-03-21", 10)),
            (.requestExtension(ExtensionRequest(days: 10, reason: "需勘查")), unitB, a("2024-03-22", 9)),
            (.decideExtension(ExtensionDecision(granted: true, days: 10)), Actor(role: .office, tenant: countyB, id: "office-b"),
                a("2024-03-22", 15)),
        ])
        return (d1 + d2 + d3).map { (countyA, $0) } + c3.map { (city, $0) } + d4.map { (countyB, $0) }
    }
}

@Suite("Reporting read model", .enabled(if: StackEnvironment.current.hasDevKafka && StackEnvironment.current.hasPostgres),
    .timeLimit(.minutes(5)))
struct ReportingTests {
    let environment = StackEnvironment.current

    func settings(_ history: ReportingHistory) async throws -> RuntimeSettings {
        let tenantsFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(history.prefix)-tenants.json")
        try JSONEncoder().encode(history.tenants).write(to: tenantsFile)
        return try await RuntimeSettings.load(service: .reporting, perTier: false, defaultPort: 0, environment: [
            "TENANTS_FILE": tenantsFile.path, "POSTGRES_HOST": environment.postgresHost, "POSTGRES_PORT": String(environment.postgresPort),
            "POSTGRES_USER": environment.postgresUser, "POSTGRES_PASSWORD": environment.postgresPassword,
            "POSTGRES_DATABASE": environment.postgresDatabase, "POSTGRES_SCHEMA": "reporting_\(history.prefix)",
            "KAFKA_BOOTSTRAP_SERVERS": environment.kafkaBootstrapServers!, "LOG_LEVEL": "error",
            "KAFKA_PROPERTY_SESSION_TIMEOUT_MS": "6000",
        ])
    }

    /// Publishes the history shuffled, with a third of the events sent twice.
    func publish(_ history: ReportingHistory) async throws -> (topics: [String], events: Int) {
        let control = DevClusterControl(baseURL: environment.kafkaDevControlURL!)
        let topics = [history.city, history.countyA, history.countyB].map(Topics.status)
        for topic in topics { try await control.createTopic(topic, partitions: 3) }
        var messages: [KafkaProducerMessage] = []
        let all = try history.events()
        for (index, (tenant, event)) in all.enumerated() {
            let envelope = CloudEvent(id: event.transition.id, source: "/test", type: EventType.demandStatus,
                subject: event.demand.id.uuidString, time: event.transition.at, tenant: tenant, data: event)
            // The partition is chosen at random rather than by key: order across partitions is lost.
            let message = KafkaProducerMessage(topic: Topics.status(tenant), partition: Int32(index % 3),
                key: Array(event.demand.id.uuidString.utf8), value: Array(try EventCoding.encode(envelope)))
            messages.append(message)
            if index % 3 == 0 { messages.append(message) }
        }
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: environment.kafkaBootstrapServers!, clientID: "rt"),
            logger: Logger(label: "reporting-test"))
        let reports = await producer.send(messages.shuffled())
        #expect(reports.allSatisfy { (try? $0.get()) != nil })
        await producer.shutdown()
        return (topics, all.count)
    }

    func figures(_ settings: RuntimeSettings, _ history: ReportingHistory, database: Database) async throws -> FiguresReport {
        let query = FiguresQuery(logger: Logger(label: "rt"), tree: settings.tenants)
        return try await database.client.withConnection { connection in
            try await query.report(tenants: [history.city, history.countyA, history.countyB], from: CivilDate("2024-03-01")!,
                to: CivilDate("2024-03-31")!, label: "2024年3月", enterprises: [:], on: connection)
        }
    }

    @Test("Figures match the hand-computed ones, whatever the order and however often events arrive; a rebuild gives the same")
    func figuresFromHistory() async throws {
        let history = ReportingHistory()
        let settings = try await settings(history)
        let (topics, eventCount) = try await publish(history)
        let database = Database(settings: settings.postgres, logger: Logger(label: "rt"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await MigrationRunner.apply(MessagingTables.migrations + ReportingMigrations.all, to: database)
            let readModel = ReadModel(logger: Logger(label: "rt"))
            let consumer = EventConsumer(name: statusConsumerName, topics: topics,
                source: .ownGroup(KafkaConsumerConfiguration(bootstrapServers: settings.kafkaBootstrapServers,
                    groupID: "\(history.prefix)-reporting", clientID: "rt", overrides: ["session.timeout.ms": "6000"])),
                database: database, logger: Logger(label: "rt"), linger: .milliseconds(300),
                handling: .batch { events, connection in try await readModel.apply(events, on: connection) })
            let consuming = Task { try await consumer.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let rows = try await database.query("SELECT count(*)::int FROM inbox")
                var applied = 0
                for count in try rows.decode(Int.self) { applied = count }
                if applied >= eventCount { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            try await Task.sleep(for: .seconds(1))
            consuming.cancel()
            _ = await consuming.result

            let report = try await figures(settings, history, database: database)
            try check(report, history)
            try await checkUnitsAndCadres(settings, history, database: database)
            try await checkEntryCountsMatchFacts(database)
            try await checkTrend(report, settings, history, database: database)

            let rebuilt = try await rebuildReadModel(settings: settings, topics: topics, idle: .seconds(3))
            #expect(rebuilt.applied == eventCount, "the replay applies each event once")
            let again = try await figures(settings, history, database: database)
            #expect(again.tiers == report.tiers)
            #expect(again.total == report.total)
            try check(again, history)
        }
    }

    /// The dashboard's months say what the month's figures say, for a subtree (each demand once) and for one tier.
    func checkTrend(_ report: FiguresReport, _ settings: RuntimeSettings, _ history: ReportingHistory, database: Database)
        async throws
    {
        let query = FiguresQuery(logger: Logger(label: "rt"), tree: settings.tenants)
        let months = CalendarMonth("2024-02")!...CalendarMonth("2024-04")!
        let subtree = try await database.withConnection { connection in
            try await query.trend(tenants: [history.city, history.countyA, history.countyB], months: months, on: connection)
        }
        #expect(subtree.months.map(\.month.description) == ["2024-02", "2024-03", "2024-04"])
        let total = try #require(report.total)
        #expect(subtree.months[1].received == total.received && subtree.months[1].closed == total.closed)
        #expect(subtree.months[0].received == 0 && subtree.months[2].received == 0)
        let county = try await database.withConnection { connection in
            try await query.trend(tenants: [history.countyA], months: months, on: connection)
        }
        let countyFigures = try #require(report.tiers.first { $0.scope == history.countyA.rawValue })
        #expect(county.months[1].received == countyFigures.received && county.months[1].closed == countyFigures.closed)
        #expect(total.received < report.tiers.reduce(0) { $0 + $1.received }, "the history escalates inside the subtree")
    }

    /// The completion counts kept event by event are what counting the fact rows afresh gives.
    func checkEntryCountsMatchFacts(_ database: Database) async throws {
        func counts() async throws -> Set<String> {
            let rows = try await database.query(
                """
                SELECT concat_ws(' ', tenant, dimension, dimension_key, day, entered, closed) FROM entry_counts
                WHERE entered <> 0 OR closed <> 0
                """)
            return Set(try rows.decode(String.self))
        }
        let kept = try await counts()
        try await database.transaction { connection in
            try await connection.execute("TRUNCATE entry_counts", logger: Logger(label: "rt"))
            try await connection.execute(PostgresQuery(unsafeSQL: EntryCounts.recount), logger: Logger(label: "rt"))
        }
        #expect(kept.count >= 6, "every tier, unit and cadre a demand entered is counted")
        #expect(kept == (try await counts()))
    }

    func check(_ report: FiguresReport, _ history: ReportingHistory) throws {
        let tiers = Dictionary(uniqueKeysWithValues: report.tiers.map { ($0.scope, $0) })
        let a = try #require(tiers[history.countyA.rawValue])
        #expect(a.received == 3)
        #expect(a.escalated == 1)
        #expect(a.steps["review"]?.completed == 3)
        #expect(a.steps["review"]?.onTime == 2)
        #expect(a.steps["dispatch"]?.completed == 4)
        #expect(a.steps["sign"]?.completed == 2)
        #expect(a.onTimeReceiptRate == Rate(1, of: 2))
        #expect(a.steps["result"]?.completed == 3)
        #expect(a.results == ["A": 2, "B": 1, "C": 0])
        #expect(a.returned == 1)
        #expect(a.satisfied == 2 && a.unsatisfied == 1)
        #expect(a.satisfactionRate == Rate(2, of: 3))
        #expect(a.closed == 2)
        #expect(a.completionRate == Rate(2, of: 3))
        #expect(a.overdueNow == 0)
        #expect(a.byCategory == ["financing": 3])
        // Review of D1 took 6 hours (0.25 days), D2 49 hours (2.04 days), D3 2 hours: bucket middles 0.25, 2.05, 0.05.
        #expect(a.steps["review"]?.p90WorkingDays == 2.05)
        let city = try #require(tiers[history.city.rawValue])
        #expect(city.received == 1 && city.escalatedIn == 1)
        #expect(city.results == ["A": 0, "B": 0, "C": 1])
        #expect(city.overdueNow == 1)
        #expect(city.completionRate == Rate(0, of: 1))
        let b = try #require(tiers[history.countyB.rawValue])
        #expect(b.received == 1 && b.extended == 1 && b.overdueNow == 1)
        #expect(b.steps["review"]?.completed == 0)
        // The total counts D3 once, at county A where it entered the subtree; the city's copy is not
        // counted again, and its escalation stayed inside the subtree.
        let total = try #require(report.total)
        #expect(total.received == 4 && total.escalatedIn == 0 && total.escalated == 0)
        #expect(total.byCategory.values.reduce(0, +) == 4)
        #expect(total.completionRate == Rate(2, of: 4))
        #expect(total.closed == 2)
        #expect(total.overdueNow == 2 && total.satisfactionRate == Rate(2, of: 3))
    }

    /// Units count what they were made lead unit of; a cadre what their enterprises raised in their tier.
    func checkUnitsAndCadres(_ settings: RuntimeSettings, _ history: ReportingHistory, database: Database) async throws {
        let query = FiguresQuery(logger: Logger(label: "rt"), tree: settings.tenants)
        let (from, to) = (CivilDate("2024-03-01")!, CivilDate("2024-03-31")!)
        let all = [history.city, history.countyA, history.countyB]
        let (units, cadres) = try await database.client.withConnection { connection in
            (
                try await query.figures(of: .unit, scopes: ["a-u1", "a-u2", "c-u1"].map { .init(key: $0, name: $0) }, tenants: all,
                    from: from, to: to, on: connection),
                try await query.figures(of: .cadre, scopes: [.init(key: "cadre-a", name: "cadre-a", enterprises: 1)],
                    tenants: [history.countyA], from: from, to: to, on: connection)
            )
        }
        let (u1, u2, c1) = (units[0], units[1], units[2])
        let cadre = try #require(cadres.first)
        // a-u1 led D1 and (after the return) D2, both closed; a-u2 was given D2 and returned it.
        #expect(u1.received == 2)
        #expect(u1.completionRate == Rate(2, of: 2))
        #expect(u1.results == ["A": 2, "B": 1, "C": 0])
        #expect(u1.onTimeReceiptRate == Rate(1, of: 2))
        #expect(u1.satisfactionRate == Rate(2, of: 3))
        #expect(u1.closed == 2)
        #expect(u2.received == 1 && u2.returned == 1)
        #expect(u2.completionRate == Rate(0, of: 0))
        // The city's unit answered the escalated D3 with class C; it is not yet rated, so not closed.
        #expect(c1.received == 1 && c1.results["C"] == 1)
        #expect(c1.completionRate == Rate(0, of: 1))
        // cadre-a's enterprise raised D1–D3 in county A: two closed, one escalated and still open.
        #expect(cadre.received == 3 && cadre.escalated == 1)
        #expect(cadre.steps["review"]?.completed == 3 && cadre.steps["review"]?.onTime == 2)
        #expect(cadre.completionRate == Rate(2, of: 3))
        // Ranked by 办结率: a-u1 (2 of 2), c-u1 (0 of 1), then a-u2 with nothing to complete.
        let ranking = UnitRanking(current: (units, "2024年3月"), previous: ([u1, c1], "2024年2月"), lastYear: ([], "2023年3月"))
        #expect(ranking.rows.map(\.unitID) == ["a-u1", "c-u1", "a-u2"])
        #expect(ranking.rows.map(\.rank) == [1, 2, 3])
        #expect(ranking.rows.map(\.previous.rank) == [1, 2, nil])
        #expect(ranking.rows[0].lastYear.rank == nil && ranking.rows[0].lastYear.completionRate == Rate(0, of: 0))
        #expect(cadre.satisfactionRate == Rate(2, of: 3))
        #expect(cadre.enterprises == 1 && cadre.demandsPerEnterprise == 3)
        // 年度测评: a-u1's quantified score is 100 × (0.4 × 1 + 0.3 × 1/2 + 0.3 × 2/3) = 75; with an
        // appraisal of 85 its total is 80, ahead of c-u1 (nothing completed); a-u2 has no appraisal, so no rank.
        let evaluation = AnnualEvaluation(year: 2024, tier: history.countyA, units: units, appraisals: ["a-u1": 85, "c-u1": 90])
        #expect(evaluation.rows.map(\.unitID) == ["a-u1", "c-u1", "a-u2"])
        #expect(evaluation.rows[0].quantifiedScore == 75 && evaluation.rows[0].totalScore == 80 && evaluation.rows[0].rank == 1)
        #expect(evaluation.rows[1].rank == 2 && evaluation.rows[2].rank == nil && evaluation.rows[2].totalScore == nil)
    }

    @Test("Who may see which tiers' figures")
    func access() throws {
        let history = ReportingHistory()
        let tree = try TenantTree(history.tenants)
        func tiers(_ role: Role, _ tenant: TenantID, _ requested: TenantID?) -> [TenantID]? {
            try? ReportingWorkflow.tiers(for: Principal(subject: "p", role: role, tenant: tenant), requested: requested?.rawValue, tree: tree)
        }
        #expect(tiers(.office, history.city, nil) == [history.city, history.countyA, history.countyB])
        #expect(tiers(.inspector, history.city, history.countyB) == [history.countyB])
        #expect(tiers(.office, history.countyA, nil) == [history.countyA])
        #expect(tiers(.office, history.countyA, history.city) == nil)
        #expect(tiers(.office, history.countyA, history.countyB) == nil)
        #expect(tiers(.dispatcher, history.countyA, nil) == [history.countyA])
        #expect(tiers(.countyAdmin, history.countyB, history.countyA) == nil)
        #expect(tiers(.enterprise, history.countyA, nil) == nil)
        #expect(tiers(.cadre, history.countyA, nil) == nil)
    }

    @Test("A period's comparisons: the month, quarter or range before, and the same period a year before")
    func comparisonPeriods() throws {
        func period(_ query: String) throws -> ReportingWorkflow.Period {
            let parts = query.split(separator: "=").map(String.init)
            var parameters = Parameters()
            parameters[parts[0][...]] = parts[1][...]
            return try ReportingWorkflow.period(parameters)
        }
        let march = try period("month=2024-03")
        #expect((march.before.from, march.before.to, march.before.label) == (CivilDate("2024-02-01")!, CivilDate("2024-02-29")!, "2024年2月"))
        #expect((march.yearBefore.from, march.yearBefore.to, march.yearBefore.label) == (CivilDate("2023-03-01")!, CivilDate("2023-03-31")!, "2023年3月"))
        let january = try period("month=2025-01")
        #expect(january.before.label == "2024年12月")
        let quarter = try period("quarter=2024-Q1")
        #expect((quarter.before.from, quarter.before.to, quarter.before.label) == (CivilDate("2023-10-01")!, CivilDate("2023-12-31")!, "2023年第4季度"))
        let year = try period("year=2024")
        #expect(year.before.label == "2023年" && year.yearBefore.label == "2023年")
        var range = Parameters()
        range["from"] = "2024-03-05"
        range["to"] = "2024-03-14"
        let days = try ReportingWorkflow.period(range)
        #expect((days.before.from, days.before.to) == (CivilDate("2024-02-24")!, CivilDate("2024-03-04")!))
        #expect((days.yearBefore.from, days.yearBefore.to) == (CivilDate("2023-03-05")!, CivilDate("2023-03-14")!))
        // A far-off year is refused: the period before it would leave the dates Postgres keeps.
        range["from"] = "0596-06-01"
        range["to"] = "2026-11-30"
        let refusal = #expect(throws: APIError.self) { try ReportingWorkflow.period(range) }
        #expect(refusal?.code == "INVALID_PERIOD")
        #expect(throws: APIError.self) { try period("year=1999") }
    }
}
