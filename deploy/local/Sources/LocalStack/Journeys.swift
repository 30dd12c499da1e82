import DemandDomain
import Foundation
import InputValidation
import NIOHTTP1
import PlatformAPI
import Synchronization
import Tenancy

/// The kinds of journey the load benchmark and the fault harness mix.
public enum JourneyKind: String, CaseIterable, Codable, Sendable {
    /// Routed to a district unit with a cooperating unit, answered, rated satisfied.
    case district
    /// Escalated to the city, handled by a city unit, closed at both tiers.
    case escalated
    /// Routed to the wrong unit, returned as not its remit, routed again, answered, closed.
    case returned
    /// Rated unsatisfied, answered again under supervision, then rated satisfied.
    case unsatisfied
}

/// What a journey left behind: the demand at the county and, when escalated, the city's copy.
public struct JourneyOutcome: Sendable {
    public var kind: JourneyKind
    public var countyDemand: UUID
    public var cityDemand: UUID?
    /// When the enterprise pressed submit (wall clock, to compare with times the services record).
    public var submittedAt: Date
}

/// A journey that did not finish: its kind, its demand if it was submitted, and why.
public struct JourneyFailure: Error, CustomStringConvertible {
    public var kind: JourneyKind
    public var countyDemand: UUID?
    public var underlying: any Error

    public var description: String { "\(kind.rawValue) journey of \(countyDemand?.uuidString ?? "no demand"): \(underlying)" }
}

/// Demand journeys played through the public APIs, step by step, as the people would.
///
/// With `patience` set, a step that fails for a reason that may pass (the service is down or
/// restarting, an answer was lost, a 5xx) is retried until the demand reaches the step's state or
/// the patience runs out; a lost answer to an action that did happen is recognised by reading the
/// demand. Without it (tests, the demo), the first failure ends the journey.
public struct JourneyRunner: Sendable {
    public let client: PlatformClient
    public let cast: Cast
    public let patience: Duration?
    /// How long to wait for a hand-off over Kafka to show up.
    public let handOffTimeout: Duration
    /// Called after each step with the demand as it stands.
    public let report: @Sendable (String, Session, DemandSnapshot) -> Void
    /// Learns how long hand-offs take, shared by every copy of the runner.
    let pacer = HandOffPacer()

    public init(
        client: PlatformClient,
        cast: Cast,
        patience: Duration? = nil,
        handOffTimeout: Duration = .seconds(30),
        report: @escaping @Sendable (String, Session, DemandSnapshot) -> Void = { _, _, _ in }
    ) {
        self.client = client
        self.cast = cast
        self.patience = patience
        self.handOffTimeout = handOffTimeout
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

    /// Plays one journey of `kind`; a failure after the submission names the demand.
    public func run(_ kind: JourneyKind) async throws(JourneyFailure) -> JourneyOutcome {
        let submittedAt = Date()
        let county: DemandSnapshot
        do {
            county = try await submitAndApprove()
        } catch {
            throw JourneyFailure(kind: kind, countyDemand: nil, underlying: error)
        }
        do {
            var outcome = JourneyOutcome(kind: kind, countyDemand: county.id, submittedAt: submittedAt)
            switch kind {
            case .district: try await districtJourney(from: county)
            case .escalated: outcome.cityDemand = try await escalatedJourney(from: county).city.id
            case .returned: try await returnedJourney(from: county)
            case .unsatisfied: try await unsatisfiedJourney(from: county)
            }
            return outcome
        } catch {
            throw JourneyFailure(kind: kind, countyDemand: county.id, underlying: error)
        }
    }

    // MARK: Journeys

    /// Enterprise submits, its cadre approves: the demand waits for the county dispatcher.
    public func submitAndApprove(idempotencyKey: String = UUID().uuidString) async throws -> DemandSnapshot {
        let submitted = try await step("提交", reaching: .awaitingReview, read: nil) {
            try await client.submit(cast.enterprise, form: Self.sampleForm(), idempotencyKey: idempotencyKey)
        }
        report("企业提交诉求", cast.enterprise, submitted)
        let approved = try await step("审核", reaching: .awaitingDispatch, read: { try await client.intakeDemand(cast.cadre, submitted.id) }) {
            try await client.approve(cast.cadre, submitted.id)
        }
        report("包联干部审核通过", cast.cadre, approved)
        _ = try await waitAtDispatch(cast.countyDispatcher, tier: "maojian", submitted.id, state: .awaitingDispatch,
            reading: DemandProgress.self)
        return approved
    }

    /// The main job: a 茅箭区 enterprise's demand escalated to 十堰市, handled by a city unit, rated
    /// satisfied and closed; the county sees its demand closed too.
    @discardableResult
    public func escalatedJourney() async throws -> (county: DemandSnapshot, city: DemandSnapshot) {
        try await escalatedJourney(from: submitAndApprove())
    }

    func escalatedJourney(from county: DemandSnapshot) async throws -> (county: DemandSnapshot, city: DemandSnapshot) {
        let escalated = try await step("转报", reaching: .escalated, read: readAtDispatch(cast.countyDispatcher, "maojian", county.id)) {
            try await client.escalate(cast.countyDispatcher, county.id, suggestion: "涉及市级电网规划，超出区级权限，建议市级协调")
        }
        report("区分办员转报市级", cast.countyDispatcher, escalated)
        let cityCopy = try await cityCopy(of: county.id)
        report("市平台登记转报诉求，待市分办员分办", cast.cityDispatcher, cityCopy)
        let routed = try await route(cast.cityDispatcher, tier: "shiyan", cityCopy.id, lead: "sy-jxj")
        report("市分办员分办至承办单位", cast.cityDispatcher, routed)
        _ = try await waitAtHandling(cast.cityUnit, cityCopy.id, state: .awaitingSignature, reading: DemandProgress.self)
        let signed = try await sign(cast.cityUnit, cityCopy.id)
        report("承办单位签收", cast.cityUnit, signed)
        let answered = try await answer(cast.cityUnit, cityCopy.id, "已协调国网十堰供电公司完成专线增容审批，年底前送电。")
        report("承办单位提交办理结果（A类）", cast.cityUnit, answered)
        let rated = try await rate(cityCopy.id, satisfied: true, comment: "满意")
        report("企业评价满意，销号", cast.enterprise, rated)
        let countyClosed = try await waitAtDispatch(cast.countyDispatcher, tier: "maojian", county.id, state: .closed)
        report("区级收到市级办结结果", cast.countyDispatcher, countyClosed)
        return (countyClosed, rated)
    }

    /// A district-only journey: routed to a district unit, answered, rated, closed.
    @discardableResult
    public func districtJourney() async throws -> DemandSnapshot {
        try await districtJourney(from: submitAndApprove())
    }

    @discardableResult
    func districtJourney(from county: DemandSnapshot) async throws -> DemandSnapshot {
        let routed = try await route(cast.countyDispatcher, tier: "maojian", county.id, lead: "maojian-jxj", cooperating: ["maojian-zjj"])
        report("区分办员分办", cast.countyDispatcher, routed)
        return try await handleAndClose(county.id)
    }

    /// Routed to 住建局 first, which returns it as not its remit; routed again to 经信局.
    @discardableResult
    public func returnedJourney() async throws -> DemandSnapshot {
        try await returnedJourney(from: submitAndApprove())
    }

    @discardableResult
    func returnedJourney(from county: DemandSnapshot) async throws -> DemandSnapshot {
        _ = try await route(cast.countyDispatcher, tier: "maojian", county.id, lead: "maojian-zjj")
        _ = try await waitAtHandling(cast.countyOtherUnit, county.id, state: .awaitingSignature, reading: DemandProgress.self)
        let returned = try await step("退回", reaching: .awaitingDispatch, read: readAtHandling(cast.countyOtherUnit, county.id)) {
            try await client.handle(cast.countyOtherUnit, county.id, .return,
                ["reason": "用电增容不属于住建部门职能", "suggestion": "建议分办至区经信局"])
        }
        report("承办单位退回（不属于本单位职能）", cast.countyOtherUnit, returned)
        _ = try await waitAtDispatch(cast.countyDispatcher, tier: "maojian", county.id, state: .awaitingDispatch,
            afterKind: "returnNotOurRemit", reading: DemandProgress.self)
        let rerouted = try await route(cast.countyDispatcher, tier: "maojian", county.id, lead: "maojian-jxj")
        report("区分办员重新分办", cast.countyDispatcher, rerouted)
        return try await handleAndClose(county.id)
    }

    /// Rated unsatisfied: supervised, answered again, then rated satisfied.
    @discardableResult
    public func unsatisfiedJourney() async throws -> DemandSnapshot {
        try await unsatisfiedJourney(from: submitAndApprove())
    }

    @discardableResult
    func unsatisfiedJourney(from county: DemandSnapshot) async throws -> DemandSnapshot {
        _ = try await route(cast.countyDispatcher, tier: "maojian", county.id, lead: "maojian-jxj")
        _ = try await waitAtHandling(cast.countyUnit, county.id, state: .awaitingSignature, reading: DemandProgress.self)
        _ = try await sign(cast.countyUnit, county.id)
        _ = try await answer(cast.countyUnit, county.id, "已与供电公司沟通。")
        let supervised = try await rate(county.id, satisfied: false, comment: "未解决实际问题，送电时间不明确")
        report("企业评价不满意，转专项督办", cast.enterprise, supervised)
        _ = try await answer(cast.countyUnit, county.id, "已明确12月20日前送电，并落实专人跟进。")
        let rated = try await rate(county.id, satisfied: true, comment: "满意")
        report("企业评价满意，销号", cast.enterprise, rated)
        return rated
    }

    func handleAndClose(_ id: UUID) async throws -> DemandSnapshot {
        _ = try await waitAtHandling(cast.countyUnit, id, state: .awaitingSignature, reading: DemandProgress.self)
        report("承办单位签收", cast.countyUnit, try await sign(cast.countyUnit, id))
        report("承办单位提交办理结果", cast.countyUnit, try await answer(cast.countyUnit, id, "已协调解决。"))
        let rated = try await rate(id, satisfied: true, comment: nil)
        report("企业评价满意，销号", cast.enterprise, rated)
        return rated
    }

    // MARK: Steps

    func route(_ dispatcher: Session, tier: TenantID, _ id: UUID, lead: String, cooperating: [String] = []) async throws -> DemandSnapshot {
        try await step("分办", reaching: .awaitingSignature, read: readAtDispatch(dispatcher, tier, id)) {
            try await client.route(dispatcher, id, lead: lead, cooperating: cooperating)
        }
    }

    func sign(_ unit: Session, _ id: UUID) async throws -> DemandSnapshot {
        try await step("签收", reaching: .inProgress, read: readAtHandling(unit, id)) {
            try await client.handle(unit, id, .sign, ["note": "已签收"])
        }
    }

    func answer(_ unit: Session, _ id: UUID, _ text: String) async throws -> DemandSnapshot {
        try await step("办理结果", reaching: .awaitingRating, read: readAtHandling(unit, id)) {
            try await client.handle(unit, id, .result, ["resultClass": "A", "answer": text])
        }
    }

    func rate(_ id: UUID, satisfied: Bool, comment: String?) async throws -> DemandSnapshot {
        try await step("评价", reaching: satisfied ? .closed : .underSupervision, read: readAtHandling(cast.enterprise, id)) {
            try await client.handle(cast.enterprise, id, .rating, RatingBody(satisfied: satisfied, comment: comment))
        }
    }

    func readAtDispatch(_ session: Session, _ tier: TenantID, _ id: UUID) -> @Sendable () async throws -> DemandSnapshot {
        { try await client.dispatchDemand(session, tier: tier, id) }
    }

    func readAtHandling(_ session: Session, _ id: UUID) -> @Sendable () async throws -> DemandSnapshot {
        { try await client.handlingDemand(session, id) }
    }

    /// Runs `action`; with patience, retries it while it fails for a reason that may pass, and
    /// takes a lost answer as done when `read` shows the demand already in `target`.
    func step(
        _ name: String,
        reaching target: DemandState,
        read: (@Sendable () async throws -> DemandSnapshot)?,
        _ action: @Sendable () async throws -> DemandSnapshot
    ) async throws -> DemandSnapshot {
        guard let patience else { return try await action() }
        let deadline = ContinuousClock.now + patience
        var pause = Duration.milliseconds(100)
        while true {
            do {
                return try await action()
            } catch {
                guard Self.mayPass(error) else { throw error }
                if let read, let current = try? await read(), current.state == target { return current }
                guard ContinuousClock.now + pause < deadline else {
                    throw StackError("step \(name) still failing after \(patience): \(error)")
                }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }

    /// Failures a retry may cure: no answer, a 5xx, a 409 after a lost answer, a 401 from a
    /// service that has not loaded the directory yet.
    static func mayPass(_ error: any Error) -> Bool {
        guard let answer = error as? APICallError else { return true }
        return answer.status >= 500 || answer.status == 409 || answer.status == 404
    }

    // MARK: Hand-offs

    public func waitAtDispatch(
        _ session: Session, tier: TenantID, _ id: UUID, state: DemandState, afterKind: String? = nil
    ) async throws -> DemandSnapshot {
        try await waitAtDispatch(session, tier: tier, id, state: state, afterKind: afterKind, reading: DemandSnapshot.self)
    }

    public func waitAtHandling(_ session: Session, _ id: UUID, state: DemandState) async throws -> DemandSnapshot {
        try await waitAtHandling(session, id, state: state, reading: DemandSnapshot.self)
    }

    /// Waits for the demand at the tier's dispatch, reading each answer as `Reading` (a journey that
    /// only waits reads ``DemandProgress``: under load, decoding whole demands was the largest part
    /// of the benchmark's own CPU).
    func waitAtDispatch<Reading: HandOffReading>(
        _ session: Session, tier: TenantID, _ id: UUID, state: DemandState, afterKind: String? = nil, reading: Reading.Type
    ) async throws -> Reading {
        try await awaitDemand(.dispatchView, tier: tier, id, by: session, what: "demand \(id) at \(tier) dispatch in \(state.rawValue)") {
            (demand: Reading) in demand.state == state && (afterKind == nil || demand.lastStepKind == afterKind)
        }
    }

    func waitAtHandling<Reading: HandOffReading>(_ session: Session, _ id: UUID, state: DemandState, reading: Reading.Type)
        async throws -> Reading
    {
        try await awaitDemand(.handlingView, tier: nil, id, by: session, what: "demand \(id) at handling in \(state.rawValue)") {
            (demand: Reading) in demand.state == state
        }
    }

    /// Reads the demand at a service until `ready` holds, each request waiting at the service for the
    /// demand to change from the answer before (`Prefer: wait`): the hand-off is seen when the
    /// service commits it, usually with one request. A failed request is tried again shortly.
    private func awaitDemand<Reading: HandOffReading>(
        _ operation: APIOperation, tier: TenantID?, _ id: UUID, by session: Session, what: String,
        until ready: @escaping @Sendable (Reading) -> Bool
    ) async throws -> Reading {
        let lastTag = Mutex<String?>(nil)
        let deadline = ContinuousClock.now + handOffTimeout
        return try await eventually(what, timeout: handOffTimeout, every: .milliseconds(10), upTo: .milliseconds(500)) {
            let wait = min(Self.longestWait, deadline - .now)
            let answer: (value: Reading, tag: String)? = try await client.awaitChange(
                operation, tier: tier, id: id, token: session.token, knownTag: lastTag.withLock { $0 }, wait: wait)
            guard let answer else { return nil }
            if ready(answer.value) { return answer.value }
            lastTag.withLock { $0 = answer.tag }
            return nil
        }
    }

    /// How long one read waits at a service for the demand to change.
    static let longestWait = Duration.seconds(5)

    /// The city's copy of an escalated county demand, once the city's dispatch holds it.
    public func cityCopy(of countyID: UUID) async throws -> DemandSnapshot {
        try await copy(of: countyID, at: "shiyan", by: cast.cityDispatcher)
    }

    /// The parent tier's copy of an escalated demand, once the parent's dispatch holds it.
    public func copy(of childID: UUID, at parent: TenantID, by dispatcher: Session) async throws -> DemandSnapshot {
        try await pacer.wait("copy at \(parent)", for: "\(parent)'s copy of \(childID)", timeout: handOffTimeout) {
            let items: [PlatformClient.QueueItem] = try await client.send(
                .queue, tier: parent, query: "?origin=\(childID)", token: dispatcher.token)
            guard let item = items.first else { return nil }
            return try await client.dispatchDemand(dispatcher, tier: parent, item.id)
        }
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

/// What a wait for a hand-off looks at: the demand's state and its latest step.
public protocol HandOffReading: Decodable, Sendable {
    var state: DemandState? { get }
    var lastStepKind: String? { get }
}

extension DemandSnapshot: HandOffReading {
    public var lastStepKind: String? { history.last?.kind }
}

/// Only what a wait checks of a demand, decoded without the rest of it.
public struct DemandProgress: HandOffReading {
    public var state: DemandState?
    public var lastStepKind: String?

    private enum CodingKeys: String, CodingKey { case state, history }
    private struct Step: Decodable { var kind: String }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        state = try container.decodeIfPresent(DemandState.self, forKey: .state)
        lastStepKind = try container.decode([Step].self, forKey: .history).last?.kind
    }
}
