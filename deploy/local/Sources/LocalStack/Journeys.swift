import DemandDomain
import Foundation
import NIOHTTP1

/// The people of the demo directory (`deploy/local/directory`), logged in.
public struct Cast: Sendable {
    public var enterprise: Session
    public var cadre: Session
    public var countyDispatcher: Session
    public var countyUnit: Session
    public var countyOffice: Session
    public var cityDispatcher: Session
    public var cityUnit: Session
    public var cityOffice: Session

    /// The demo's initial password (README): the same for every demo account.
    public static let demoPassword = "Demo@2026"

    /// 茅箭区 people and 十堰市 people of the demo directory.
    public static func login(_ client: PlatformClient, enterpriseName: String = "十堰示范汽车零部件有限公司", cadre: String = "李明远")
        async throws -> Cast
    {
        let password = demoPassword
        async let enterprise = client.login(tier: "maojian", login: enterpriseName, password: password)
        async let cadreSession = client.login(tier: "maojian", login: cadre, password: password)
        async let countyDispatcher = client.login(tier: "maojian", login: "茅箭区分办员", password: password)
        async let countyUnit = client.login(tier: "maojian", login: "茅箭区经信局管理员", password: password)
        async let countyOffice = client.login(tier: "maojian", login: "茅箭区双千办", password: password)
        async let cityDispatcher = client.login(tier: "shiyan", login: "市经信组分办员", password: password)
        async let cityUnit = client.login(tier: "shiyan", login: "十堰市经信局管理员", password: password)
        async let cityOffice = client.login(tier: "shiyan", login: "十堰市双千办", password: password)
        return try await Cast(
            enterprise: enterprise, cadre: cadreSession, countyDispatcher: countyDispatcher, countyUnit: countyUnit,
            countyOffice: countyOffice, cityDispatcher: cityDispatcher, cityUnit: cityUnit, cityOffice: cityOffice)
    }
}

/// Polls until `body` returns a value (the services talk over Kafka, so a step shows up a moment
/// after the previous one); throws if it never does.
public func eventually<T: Sendable>(
    _ what: String,
    timeout: Duration = .seconds(30),
    every interval: Duration = .milliseconds(100),
    _ body: @Sendable () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if let value = try await body() { return value }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: interval)
    }
    throw StackError("timed out waiting for \(what)\(lastError.map { " (last error: \($0))" } ?? "")")
}

/// Demand journeys played through the public APIs, step by step, as the people would.
public struct JourneyRunner: Sendable {
    public let client: PlatformClient
    public let cast: Cast
    /// Called after each step with the demand as it stands.
    public let report: @Sendable (String, Session, DemandSnapshot) -> Void

    public init(client: PlatformClient, cast: Cast, report: @escaping @Sendable (String, Session, DemandSnapshot) -> Void = { _, _, _ in }) {
        self.client = client
        self.cast = cast
        self.report = report
    }

    public static func sampleForm(enterprise: String = "十堰示范汽车零部件有限公司", creditCode: String = "91420302MA4A1B2C31",
        contactPhone: String = "19900020041") -> DemandForm
    {
        DemandForm(
            enterprise: .init(name: enterprise, creditCode: creditCode, address: "十堰市茅箭区示范路1号"),
            contact: .init(name: "王联络", title: "办公室主任", phone: contactPhone, email: "contact@example.com"),
            channel: .platform, category: .powerSupply, industryGroup: .economyAndIT,
            difficulty: "新厂区用电容量不足，二期生产线无法按期投产。",
            helpWanted: "协调供电部门加快专线增容审批，确保年底前送电。")
    }

    /// Enterprise submits, its cadre approves: the demand waits for the county dispatcher.
    public func submitAndApprove(idempotencyKey: String = UUID().uuidString) async throws -> DemandSnapshot {
        let submitted = try await client.submit(cast.enterprise, form: Self.sampleForm(), idempotencyKey: idempotencyKey)
        report("企业提交诉求", cast.enterprise, submitted)
        let approved = try await client.approve(cast.cadre, submitted.id)
        report("包联干部审核通过", cast.cadre, approved)
        _ = try await waitAtDispatch(cast.countyDispatcher, tier: "maojian", submitted.id, state: .awaitingDispatch)
        return approved
    }

    public func waitAtDispatch(_ session: Session, tier: TenantID, _ id: UUID, state: DemandState) async throws -> DemandSnapshot {
        try await eventually("demand \(id) at \(tier) dispatch in \(state.rawValue)") {
            let demand = try? await client.dispatchDemand(session, tier: tier, id)
            return demand?.state == state ? demand : nil
        }
    }

    public func waitAtHandling(_ session: Session, _ id: UUID, state: DemandState) async throws -> DemandSnapshot {
        try await eventually("demand \(id) at handling in \(state.rawValue)") {
            let demand = try? await client.handlingDemand(session, id)
            return demand?.state == state ? demand : nil
        }
    }

    /// The city's copy of an escalated county demand, once the city's dispatch holds it.
    public func cityCopy(of countyID: UUID) async throws -> DemandSnapshot {
        try await eventually("the city's copy of \(countyID)") {
            let items: [PlatformClient.QueueItem] = try await client.call(
                "queue", .GET, client.resolve(.dispatch, "shiyan"), "/queue?origin=\(countyID)", token: cast.cityDispatcher.token)
            guard let item = items.first else { return nil }
            return try await client.dispatchDemand(cast.cityDispatcher, tier: "shiyan", item.id)
        }
    }

    /// The main job: a 茅箭区 enterprise's demand escalated to 十堰市, handled by a city unit, rated
    /// satisfied and closed; the county sees its demand closed too.
    @discardableResult
    public func escalatedJourney() async throws -> (county: DemandSnapshot, city: DemandSnapshot) {
        let county = try await submitAndApprove()
        let escalated = try await client.escalate(cast.countyDispatcher, county.id, suggestion: "涉及市级电网规划，超出区级权限，建议市级协调")
        report("区分办员转报市级", cast.countyDispatcher, escalated)
        let cityCopy = try await cityCopy(of: county.id)
        report("市平台登记转报诉求，待市分办员分办", cast.cityDispatcher, cityCopy)
        let routed = try await client.route(cast.cityDispatcher, cityCopy.id, lead: "sy-jxj")
        report("市分办员分办至承办单位", cast.cityDispatcher, routed)
        _ = try await waitAtHandling(cast.cityUnit, cityCopy.id, state: .awaitingSignature)
        let signed = try await client.handle(cast.cityUnit, cityCopy.id, "sign", ["note": "已签收"])
        report("承办单位签收", cast.cityUnit, signed)
        let answered = try await client.handle(cast.cityUnit, cityCopy.id, "result",
            ["resultClass": "A", "answer": "已协调国网十堰供电公司完成专线增容审批，年底前送电。"])
        report("承办单位提交办理结果（A类）", cast.cityUnit, answered)
        let rated = try await client.handle(cast.enterprise, cityCopy.id, "rating", RatingBody(satisfied: true, comment: "满意"))
        report("企业评价满意，销号", cast.enterprise, rated)
        let countyClosed = try await waitAtDispatch(cast.countyDispatcher, tier: "maojian", county.id, state: .closed)
        report("区级收到市级办结结果", cast.countyDispatcher, countyClosed)
        return (countyClosed, rated)
    }

    /// A district-only journey: routed to a district unit, answered, rated, closed.
    @discardableResult
    public func districtJourney() async throws -> DemandSnapshot {
        let county = try await submitAndApprove()
        let routed = try await client.route(cast.countyDispatcher, county.id, lead: "maojian-jxj", cooperating: ["maojian-zjj"])
        report("区分办员分办", cast.countyDispatcher, routed)
        _ = try await waitAtHandling(cast.countyUnit, county.id, state: .awaitingSignature)
        report("承办单位签收", cast.countyUnit, try await client.handle(cast.countyUnit, county.id, "sign", ["note": "已签收"]))
        report("承办单位提交办理结果", cast.countyUnit, try await client.handle(cast.countyUnit, county.id, "result",
            ["resultClass": "A", "answer": "已协调解决。"]))
        let rated = try await client.handle(cast.enterprise, county.id, "rating", RatingBody(satisfied: true, comment: nil))
        report("企业评价满意，销号", cast.enterprise, rated)
        return rated
    }

    public struct RatingBody: Encodable, Sendable {
        public var satisfied: Bool
        public var comment: String?

        public init(satisfied: Bool, comment: String?) {
            self.satisfied = satisfied
            self.comment = comment
        }
    }
}
