import AsyncHTTPClient
import DemandDomain
import Foundation
import InputValidation
import Instrumentation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PlatformEvents
import PlatformWire
import Tenancy
import Tracing

/// A demand as the APIs answer it (the fields the journeys need).
public struct DemandSnapshot: Decodable, Sendable {
    public struct Reference: Decodable, Sendable {
        public var id: String
        public var name: String
    }

    public struct AssignmentInfo: Decodable, Sendable {
        public var number: String
        public var leadUnit: Reference
        public var cooperatingUnits: [Reference]
    }

    public struct EscalationInfo: Decodable, Sendable {
        public var number: String
        public var parent: String
    }

    public struct OutcomeInfo: Decodable, Sendable {
        public var parentState: DemandState
        public var resultClass: String?
    }

    public struct OriginInfo: Decodable, Sendable {
        public var tenant: String
        public var demandID: UUID
        public var escalationNumber: String
    }

    public struct Deadline: Decodable, Sendable {
        public var step: String
        public var stepName: String
        public var dueAt: Date?
        public var paused: Bool?
        public var status: String
        public var overdueWorkingDays: Int?
    }

    public struct ActorInfo: Decodable, Sendable {
        public var role: Role
        public var tenant: String
        public var id: String
        public var name: String?
    }

    public struct Entry: Decodable, Sendable {
        public var sequence: Int
        public var kind: String
        public var kindName: String
        public var at: Date
        public var actor: ActorInfo
        public var to: DemandState
        public var action: ActionText?

        /// The words people wrote with a step (a reason, a comment, a note), whatever the step.
        public struct ActionText: Decodable, Sendable {
            public struct Payload: Decodable, Sendable {
                public var reason: String?
                public var comment: String?
                public var note: String?
                public var text: String?
                public var suggestion: String?
                public var answer: String?
                public var decision: String?
            }
            public var payload: Payload?
        }

        /// What was written with this step, for the timeline.
        public var words: String? {
            guard let payload = action?.payload else { return nil }
            return [payload.reason, payload.comment, payload.note, payload.text, payload.suggestion, payload.answer, payload.decision]
                .compactMap { $0 }.filter { !$0.isEmpty }.first
        }
    }

    /// Where a demand is now and who must act (`DemandLocation`).
    public struct Location: Decodable, Sendable, Hashable {
        public var tenant: String
        public var tenantName: String?
        public var demandID: UUID
        public var registrationNumber: String?
        public var state: DemandState
        public var stateName: String
        public var holder: String?
        public var sequence: Int
    }

    public var id: UUID
    public var tenant: String
    public var state: DemandState?
    public var stateName: String?
    public var location: Location
    public var registrationNumber: String?
    public var content: DemandContent?
    public var enterprise: EnterpriseParty?
    public var lastResult: ResultReport?
    public var lastRating: Rating?
    public var refusal: Refusal?
    public var merger: Merger?
    public var closureDecision: ClosureDecision?
    public var signature: Signature?
    public var opinions: [UnitOpinion]?
    public var pendingExtension: ExtensionRequest?
    public var clockPausedSince: Date?
    public var urgeCount: Int?
    public var lastUrge: UrgeLetter?
    public var flag: SupervisionFlag?
    public var lastFollowUpAt: Date?
    public var meetings: [SupervisionMeeting]?
    public var completion: CompletionReport?
    public var awaitsCompletion: Bool?
    public var assignment: AssignmentInfo?
    public var escalation: EscalationInfo?
    public var outcome: OutcomeInfo?
    public var origin: OriginInfo?
    public var deadlines: [Deadline]
    public var history: [Entry]
}

/// A logged-in person.
public struct Session: Codable, Sendable {
    public var token: String
    public var tier: TenantID
    public var role: Role
    public var subject: String
    public var name: String?
    public var unitID: String?
    public var enterpriseID: String?
    public var expiresAt: Date
    /// Still the office's initial password: the portal asks for a new one before anything else.
    public var mustChangePassword: Bool
    /// A dispatcher's industry groups, whose queue they keep; nil for the whole tier's.
    public var industryGroups: [IndustryGroup]?

    public init(token: String, tier: TenantID, role: Role, subject: String, name: String? = nil, unitID: String? = nil,
        enterpriseID: String? = nil, expiresAt: Date, mustChangePassword: Bool = false, industryGroups: [IndustryGroup]? = nil)
    {
        self.mustChangePassword = mustChangePassword
        self.industryGroups = industryGroups
        self.token = token
        self.tier = tier
        self.role = role
        self.subject = subject
        self.name = name
        self.unitID = unitID
        self.enterpriseID = enterpriseID
        self.expiresAt = expiresAt
    }
}

/// An API answer that was not 2xx: its status and the stable error code.
public struct APICallError: Error, CustomStringConvertible, Sendable {
    public var status: UInt
    public var code: String
    public var message: String
    public var operation: String
    /// For invalid input: the problem of each field (`contact.phone`, `difficulty`, …).
    public var issues: [APIErrorBody.Issue] = []

    public var description: String { "\(operation): HTTP \(status) \(code) \(message)" }

    /// The first problem of each field, by the field's dotted path, for showing beside the field.
    public var fieldMessages: [String: String] {
        Dictionary(issues.map { ($0.field, $0.message) }) { first, _ in first }
    }
}

/// The error body every service answers with.
public struct APIErrorBody: Decodable, Sendable {
    public struct Issue: Decodable, Sendable {
        public var code: String
        public var field: String
        public var message: String
    }

    public struct Detail: Decodable, Sendable {
        public var code: String
        public var message: String
        public var issues: [Issue]?
    }
    public var error: Detail
}

/// Calls the platform's HTTP APIs the way its people do. Every call can be timed by `observe`.
public struct PlatformClient: Sendable {
    public typealias URLResolver = @Sendable (ServiceKind, TenantID?) -> String
    let resolve: URLResolver
    let observe: (@Sendable (String, Duration, UInt) -> Void)?
    let timeout: Duration
    /// A W3C `traceparent` every call carries, for a caller that is not traced itself but wants its
    /// calls in one trace (the tests). A traced caller's own context is passed on without it.
    public var traceParent: String?
    /// Asks for demands with only the latest step of their history (`Prefer: return=minimal`): for
    /// a caller that acts and checks states but never reads the history (the load benchmark, the
    /// portal's steps).
    public var prefersMinimalDemands = false

    /// - Parameter timeout: How long one call may take, connecting included (a service that is down
    ///   is retried until then).
    public init(resolve: @escaping URLResolver, timeout: Duration = .seconds(30), observe: (@Sendable (String, Duration, UInt) -> Void)? = nil) {
        self.resolve = resolve
        self.timeout = timeout
        self.observe = observe
    }

    // MARK: Calls

    /// - Parameter clientAddress: For a front end: the person's address, which intake counts failed logins by.
    public func login(tier: TenantID, unit: String? = nil, login: String, password: String, clientAddress: String? = nil) async throws
        -> Session
    {
        struct Answer: Decodable {
            struct Who: Decodable {
                var subject: String
                var role: Role
                var name: String?
                var unitID: String?
                var enterpriseID: String?
                var industryGroups: [IndustryGroup]?
            }
            var token: String
            var expiresAt: Date
            var principal: Who
            var mustChangePassword: Bool?
        }
        var body = ["tier": tier.rawValue, "login": login, "password": password]
        body["unit"] = unit
        let answer: Answer = try await send(.login, tier: tier, token: nil, body: body,
            headers: clientAddress.map { ["X-Forwarded-For": $0] } ?? [:])
        return Session(token: answer.token, tier: tier, role: answer.principal.role, subject: answer.principal.subject,
            name: answer.principal.name, unitID: answer.principal.unitID, enterpriseID: answer.principal.enterpriseID,
            expiresAt: answer.expiresAt, mustChangePassword: answer.mustChangePassword ?? false,
            industryGroups: answer.principal.industryGroups)
    }

    /// A unit people of the tier log in under (002 §1).
    public struct LoginUnit: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
    }

    /// The units whose people log in at `tier`, for a login page.
    public func loginUnits(tier: TenantID) async throws -> [LoginUnit] {
        try await send(.loginUnits, tier: tier, token: nil)
    }

    /// Replaces the person's password; the answer has no body.
    public func changePassword(_ session: Session, current: String, new: String) async throws {
        let _: Empty = try await send(.changePassword, tier: session.tier, token: session.token,
            body: ["currentPassword": current, "newPassword": new])
    }

    private struct Phone: Codable, Sendable {
        var phone: String?
    }

    /// The person's mobile number, where their SMS go.
    public func phone(_ session: Session) async throws -> String? {
        let answer: Phone = try await send(.myPhone, tier: session.tier, token: session.token)
        return answer.phone
    }

    /// The person gives their own mobile number; the answer is the number as stored.
    public func changePhone(_ session: Session, to phone: String) async throws -> String? {
        let answer: Phone = try await send(.changePhone, tier: session.tier, token: session.token, body: Phone(phone: phone))
        return answer.phone
    }

    /// The answer of an operation that answers 204.
    public struct Empty: Decodable, Sendable {}

    /// - Parameter provisionalEnterprise: The office registers an enterprise not in the roster, from the form.
    public func submit(
        _ session: Session, form: DemandForm, enterpriseID: String? = nil, provisionalEnterprise: Bool = false,
        idempotencyKey: String? = nil
    ) async throws -> DemandSnapshot {
        struct Body: Encodable {
            var form: DemandForm
            var enterpriseID: String?
            var provisionalEnterprise: Bool?
        }
        return try await send(.submit, tier: session.tier, token: session.token,
            body: Body(form: form, enterpriseID: enterpriseID, provisionalEnterprise: provisionalEnterprise ? true : nil),
            headers: idempotencyKey.map { ["Idempotency-Key": $0] } ?? [:])
    }

    public func intakeDemand(_ session: Session, _ id: UUID) async throws -> DemandSnapshot {
        try await intakeDemand(session, tier: session.tier, id)
    }

    public func intakeDemand(_ session: Session, tier: TenantID, _ id: UUID) async throws -> DemandSnapshot {
        try await send(.intakeView, tier: tier, id: id, token: session.token)
    }

    public func approve(_ session: Session, _ id: UUID, comment: String? = nil) async throws -> DemandSnapshot {
        try await send(.approve, tier: session.tier, id: id, token: session.token, body: ["comment": comment ?? "同意"])
    }

    /// 不予受理: at intake while the demand waits for review, at dispatch while it waits for routing.
    public func refuse(_ session: Session, _ id: UUID, waitingFor state: DemandState, _ refusal: Refusal) async throws
        -> DemandSnapshot
    {
        try await send(state == .awaitingReview ? .intakeRefusal : .dispatchRefusal, tier: session.tier, id: id,
            token: session.token, body: refusal)
    }

    /// A demand's likely duplicates (并单): the enterprise's open demands at the tier with a like text.
    public struct DuplicateCandidate: Decodable, Sendable {
        public var id: UUID
        public var registrationNumber: String?
        public var state: DemandState
        public var stateName: String
        public var difficulty: String
        public var createdAt: Date
        public var similarity: Double
    }

    public func duplicates(_ session: Session, of id: UUID) async throws -> [DuplicateCandidate] {
        try await send(.duplicates, tier: session.tier, id: id, token: session.token)
    }

    /// 并单: merges a demand waiting for dispatch into another of the same enterprise.
    public func merge(_ session: Session, _ id: UUID, into target: UUID, reason: String) async throws -> DemandSnapshot {
        struct Body: Encodable, Sendable {
            var intoDemandID: UUID
            var reason: String
        }
        return try await send(.merger, tier: session.tier, id: id, token: session.token,
            body: Body(intoDemandID: target, reason: reason))
    }

    public func sendBack(_ session: Session, _ id: UUID, reason: String) async throws -> DemandSnapshot {
        try await send(.sendBack, tier: session.tier, id: id, token: session.token, body: ["reason": reason])
    }

    /// A corrected form: the enterprise's after its cadre sent the demand back (`.resubmit`), or
    /// the cadre's own edit while reviewing it (`.edit`).
    public func correct(_ operation: APIOperation, _ session: Session, _ id: UUID, form: DemandForm, note: String? = nil)
        async throws -> DemandSnapshot
    {
        struct Body: Encodable {
            var form: DemandForm
            var note: String?
        }
        return try await send(operation, tier: session.tier, id: id, token: session.token, body: Body(form: form, note: note))
    }

    /// The enterprises the person may submit for (an enterprise: itself; a cadre: its paired ones).
    public func enterprises(_ session: Session) async throws -> [DirectoryEnterprise] {
        try await send(.enterprises, tier: session.tier, token: session.token)
    }

    public func dispatchDemand(_ session: Session, tier: TenantID, _ id: UUID) async throws -> DemandSnapshot {
        try await send(.dispatchView, tier: tier, id: id, token: session.token)
    }

    /// Routes a demand; `approval` is the leader's, where the tier's procedure asks for one (Lincang).
    public func route(_ session: Session, _ id: UUID, lead: String, cooperating: [String] = [], approval: LeaderApproval? = nil)
        async throws -> DemandSnapshot
    {
        struct Body: Encodable {
            var leadUnitID: String
            var cooperatingUnitIDs: [String]
            var approval: LeaderApproval?
        }
        return try await send(.route, tier: session.tier, id: id, token: session.token,
            body: Body(leadUnitID: lead, cooperatingUnitIDs: cooperating, approval: approval))
    }

    public func escalate(_ session: Session, _ id: UUID, suggestion: String, approval: LeaderApproval? = nil) async throws
        -> DemandSnapshot
    {
        struct Body: Encodable {
            var suggestion: String
            var approval: LeaderApproval?
        }
        return try await send(.escalate, tier: session.tier, id: id, token: session.token,
            body: Body(suggestion: suggestion, approval: approval))
    }

    /// The handling units of the person's tier, for routing.
    public func units(_ session: Session) async throws -> [DirectoryUnit] {
        try await send(.units, tier: session.tier, token: session.token)
    }

    /// The dispatcher's queue: their industry groups' demands (where they keep some), or every group's.
    public func queue(_ session: Session, everyIndustryGroup: Bool = false) async throws -> [QueueItem] {
        try await send(.queue, tier: session.tier, query: everyIndustryGroup ? "?industryGroup=all" : "", token: session.token)
    }

    public struct QueueItem: Decodable, Sendable {
        public var id: UUID
        public var state: DemandState
        public var stateName: String?
        public var registrationNumber: String?
        public var enterpriseName: String?
        public var updatedAt: Date?
        public var dueAt: Date?
        public var location: DemandSnapshot.Location?
    }

    /// `GET /demands` of a tier's intake: the demands the person may read there.
    public func intakeList(_ session: Session, tier: TenantID? = nil, query: String = "") async throws -> [QueueItem] {
        try await send(.intakeList, tier: tier ?? session.tier, query: query, token: session.token)
    }

    /// `GET /demands` of the person's tier's dispatch.
    public func dispatchList(_ session: Session, query: String = "") async throws -> [QueueItem] {
        try await send(.dispatchList, tier: session.tier, query: query, token: session.token)
    }

    public func handlingDemand(_ session: Session, _ id: UUID) async throws -> DemandSnapshot {
        try await send(.handlingView, tier: nil, id: id, token: session.token)
    }

    /// `POST /demands/{id}/<action>` on handling (sign, notes, pause, resume, extension, result, return, rating, urge).
    public func handle(_ session: Session, _ id: UUID, _ action: HandlingAction, _ body: some Encodable & Sendable)
        async throws -> DemandSnapshot
    {
        try await send(action.operation, tier: nil, id: id, token: session.token, body: body)
    }

    /// The dispatch slip (交办单) of a demand, as handling prints it.
    public func dispatchSlip(_ session: Session, _ id: UUID) async throws -> DispatchSlip {
        try await send(.dispatchSlip, tier: nil, id: id, token: session.token)
    }

    public func ledger(_ session: Session, query: String = "") async throws -> [QueueItem] {
        try await send(.ledger, tier: nil, query: query, token: session.token)
    }

    /// An SMS of a demand as the notifier shows it to the office.
    public struct SMSMessage: Decodable, Sendable {
        public var id: UUID
        public var rule: String
        public var recipientName: String?
        public var phone: String?
        public var text: String
        public var state: String
        public var attempts: Int
        public var lastError: String?
    }

    public func messages(_ session: Session, demand id: UUID) async throws -> [SMSMessage] {
        try await send(.messages, tier: nil, id: id, token: session.token)
    }

    /// The figures of a tier and the tiers below it for the current month (reporting's JSON, loosely).
    public struct FiguresSummary: Decodable, Sendable {
        public struct Rate: Decodable, Sendable {
            public var numerator: Int
            public var denominator: Int
            public var value: Double?
        }

        public struct Row: Decodable, Sendable {
            public var scope: String
            public var name: String
            public var received: Int
            public var escalated: Int
            public var escalatedIn: Int
            public var closed: Int
            public var overdueNow: Int
            public var satisfactionRate: Rate
            public var completionRate: Rate
            public var onTimeReceiptRate: Rate
            public var byCategory: [String: Int]?
            public var byIndustryGroup: [String: Int]?
            public var satisfied: Int?
            public var unsatisfied: Int?
            /// The office's supervision ladder, by step (`flagged`, `interview`, `jointMeeting`, …).
            public var supervision: [String: Int]?
            public var steps: [String: Step]?
            /// A tier's enterprises, or a cadre's paired ones.
            public var enterprises: Int?
            /// For a cadre: the unit they work in.
            public var unit: String?
        }

        public struct Step: Decodable, Sendable {
            public var completed: Int
            public var onTimeRate: Rate
        }

        public struct Period: Decodable, Sendable {
            public var label: String
        }

        public var period: Period
        public var tiers: [Row]
        public var total: Row?

        /// The whole subtree: the total where there are tiers below, else the one tier's row.
        public var overall: Row? { total ?? tiers.first }
    }

    public func figures(_ session: Session, query: String = "") async throws -> FiguresSummary {
        try await send(.figures, tier: nil, query: query, token: session.token)
    }

    /// One of reporting's exports by file name (`figures.csv`, `units.xlsx`, …) as the file's bytes.
    public func export(_ session: Session, file: String, query: String = "") async throws -> Data {
        guard let operation = APIOperation.exports.first(where: { $0.name == "export.\(file)" }) else {
            throw APICallError(status: 404, code: "NOT_FOUND", message: "没有这个报表", operation: "export")
        }
        return try await download(operation, session, query: query)
    }

    /// A file an operation answers with (a workbook, a Word document), as its bytes. `tier` names
    /// the instance of a per-tier service (intake, dispatch).
    public func download(_ operation: APIOperation, _ session: Session, tier: TenantID? = nil, id: UUID? = nil, query: String = "")
        async throws -> Data
    {
        let path = operation.path.replacingOccurrences(of: "{id}", with: id?.uuidString.lowercased() ?? "")
        let answer = try await raw(operation.name, operation.method, resolve(operation.service, tier) + path + query, token: session.token)
        return try Self.success(operation.name, answer)
    }

    /// One row per handling unit of the person's tier (a unit admin's: its own).
    public func unitFigures(_ session: Session, query: String = "") async throws -> [FiguresSummary.Row] {
        try await send(.unitFigures, tier: nil, query: query, token: session.token)
    }

    /// 承办单位排名 with the period before and a year before, as reporting ranks them.
    public struct UnitRanking: Decodable, Sendable {
        public struct Standing: Decodable, Sendable {
            public var rank: Int?
            public var received: Int
            public var completionRate: FiguresSummary.Rate
            public var onTimeReceiptRate: FiguresSummary.Rate
            public var satisfactionRate: FiguresSummary.Rate
        }

        public struct Row: Decodable, Sendable {
            public var rank: Int
            public var unitID: String
            public var name: String
            public var current: Standing
            public var previous: Standing
            public var lastYear: Standing
        }

        public var period: String
        public var previousPeriod: String
        public var lastYearPeriod: String
        public var rows: [Row]
    }

    public func unitRanking(_ session: Session, query: String = "") async throws -> UnitRanking {
        try await send(.unitRanking, tier: nil, query: query, token: session.token)
    }

    /// 年度测评 (003 art. 20): each unit's quantified and appraisal scores and their total.
    public struct AnnualEvaluation: Decodable, Sendable {
        public struct Row: Decodable, Sendable {
            public var rank: Int?
            public var unitID: String
            public var name: String
            public var received: Int
            public var completionRate: FiguresSummary.Rate
            public var onTimeReceiptRate: FiguresSummary.Rate
            public var satisfactionRate: FiguresSummary.Rate
            public var quantifiedScore: Double?
            public var appraisalScore: Double?
            public var totalScore: Double?
        }

        public var year: Int
        public var tier: String
        public var rows: [Row]
    }

    public func annualEvaluation(_ session: Session, year: Int) async throws -> AnnualEvaluation {
        try await send(.annualEvaluation, tier: nil, query: "?year=\(year)", token: session.token)
    }

    /// The office enters a unit's democratic appraisal score; the answer is the tier's evaluation with it.
    public func recordAppraisal(_ session: Session, year: Int, unitID: String, score: Double) async throws -> AnnualEvaluation {
        struct Body: Encodable { var appraisalScore: Double }
        return try await send(.recordAppraisal, tier: nil, pathParameters: ["year": String(year), "unit": unitID], token: session.token,
            body: Body(appraisalScore: score))
    }

    /// One row per paired cadre of the person's tier (a unit admin's: its unit's; a cadre's: their own).
    public func cadreFigures(_ session: Session, query: String = "") async throws -> [FiguresSummary.Row] {
        try await send(.cadreFigures, tier: nil, query: query, token: session.token)
    }

    /// Calls one documented operation: `{id}` in its path becomes `id`; `query` (with its `?`) is appended.
    public func send<Answer: Decodable>(
        _ operation: APIOperation,
        tier: TenantID?,
        id: UUID? = nil,
        query: String = "",
        token: String?,
        body: (any Encodable & Sendable)? = nil,
        headers: [String: String] = [:]
    ) async throws -> Answer {
        return try await call(operation.name, operation.method, resolve(operation.service, tier), Self.path(operation, id) + query, token: token,
            body: body, headers: headers)
    }

    /// A read that waits up to `wait` (at most 10 s) for the record to differ from the answer tagged
    /// `knownTag` (without a tag, for it to exist): the record and its new tag, or nil when the wait
    /// ended with it unchanged (or still not there). One request where polling would make many.
    public func awaitChange<Answer: Decodable>(
        _ operation: APIOperation, tier: TenantID?, id: UUID, token: String?, knownTag: String?, wait: Duration
    ) async throws -> (value: Answer, tag: String)? {
        var headers = ["Prefer": "wait=\(max(wait.components.seconds, 1))"]
        if let knownTag { headers["If-None-Match"] = knownTag }
        let name = Self.waitingName(operation)
        let answer = try await exchange(name, operation.method, resolve(operation.service, tier) + Self.path(operation, id), token: token,
            headers: headers)
        if answer.status == 304 || (answer.status == 404 && knownTag == nil) { return nil }
        let data = try Self.success(name, (answer.status, answer.data))
        return (try EventCoding.decoder().decode(Answer.self, from: data), answer.headers.first(name: "ETag") ?? "")
    }

    /// The operation's path naming the record `id`.
    static func path(_ operation: APIOperation, _ id: UUID?) -> String {
        operation.path.replacingOccurrences(of: "{id}", with: id?.uuidString.lowercased() ?? "")
    }

    /// How ``awaitChange(_:tier:id:token:knownTag:wait:)`` names its calls to the observer: they last
    /// as long as the change takes, so they are timed apart from the calls answered at once.
    public static func waitingName(_ operation: APIOperation) -> String { operation.name + waitingSuffix }
    public static let waitingSuffix = " (waiting)"

    /// Calls an operation whose path names its parameters (`{unit}`); each value is percent-encoded.
    func send<Answer: Decodable>(
        _ operation: APIOperation, tier: TenantID?, pathParameters: [String: String], token: String?,
        body: (any Encodable & Sendable)? = nil
    ) async throws -> Answer {
        var path = operation.path
        for (name, value) in pathParameters {
            let encoded = value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? value
            path = path.replacingOccurrences(of: "{\(name)}", with: encoded)
        }
        return try await call(operation.name, operation.method, resolve(operation.service, tier), path, token: token, body: body)
    }

    // MARK: Transport

    /// The process's client of the services: `HTTPClient.shared`'s settings and event loops, less
    /// its response decompression (no service compresses, so that handler only passed bytes on), and
    /// less its client spans when no tracer is bootstrapped: a no-op span still had its attributes
    /// built from each request (6 % of the load benchmark's CPU). It keeps up to 64 connections
    /// per service rather than eight: a read that waits for a change holds its connection for the
    /// wait, and the calls answered at once must not queue behind such reads.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.decompression = .disabled
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        if InstrumentationSystem.tracer is NoOpTracer { configuration.tracing.tracer = nil }
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public func call<Answer: Decodable>(
        _ operation: String,
        _ method: HTTPMethod,
        _ base: String,
        _ path: String,
        token: String?,
        body: (any Encodable & Sendable)? = nil,
        headers: [String: String] = [:]
    ) async throws -> Answer {
        let data = try Self.success(operation, try await raw(operation, method, base + path, token: token, body: body, headers: headers))
        if data.isEmpty, let empty = Empty() as? Answer { return empty }
        return try EventCoding.decoder().decode(Answer.self, from: data)
    }

    /// The body of a 2xx answer; anything else becomes an ``APICallError`` with the service's code,
    /// message and field problems.
    static func success(_ operation: String, _ answer: (status: UInt, data: Data)) throws -> Data {
        let (status, data) = answer
        guard (200..<300).contains(status) else {
            let detail = try? JSONDecoder().decode(APIErrorBody.self, from: data)
            throw APICallError(status: status, code: detail?.error.code ?? "HTTP_\(status)",
                message: detail?.error.message ?? String(decoding: data.prefix(300), as: UTF8.self), operation: operation,
                issues: detail?.error.issues ?? [])
        }
        return data
    }

    /// Any request, answered with its status and body, for tests of bad input.
    public func raw(
        _ operation: String,
        _ method: HTTPMethod,
        _ url: String,
        token: String?,
        body: (any Encodable & Sendable)? = nil,
        rawBody: [UInt8]? = nil,
        rawBodyType: String = "application/json",
        headers: [String: String] = [:]
    ) async throws -> (UInt, Data) {
        let (status, _, data) = try await exchange(operation, method, url, token: token, body: body, rawBody: rawBody,
            rawBodyType: rawBodyType, headers: headers)
        return (status, data)
    }

    /// Any request, answered with its status, headers and body.
    func exchange(
        _ operation: String,
        _ method: HTTPMethod,
        _ url: String,
        token: String?,
        body: (any Encodable & Sendable)? = nil,
        rawBody: [UInt8]? = nil,
        rawBodyType: String = "application/json",
        headers: [String: String] = [:]
    ) async throws -> (status: UInt, headers: HTTPHeaders, data: Data) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let context = ServiceContext.current {
            InstrumentationSystem.instrument.inject(context, into: &request.headers, using: HTTPHeadersInjector())
        }
        if let traceParent, !request.headers.contains(name: "traceparent") { request.headers.add(name: "traceparent", value: traceParent) }
        if prefersMinimalDemands { request.headers.add(name: "Prefer", value: "return=minimal") }
        if let rawBody {
            request.headers.add(name: "Content-Type", value: rawBodyType)
            request.body = .bytes(ByteBuffer(bytes: rawBody))
        } else if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        }
        let start = ContinuousClock.now
        let response = try await Self.http.execute(request, timeout: .init(timeout))
        let data = Data(buffer: try await response.body.collect(upTo: 16 << 20))
        observe?(operation, ContinuousClock.now - start, response.status.code)
        return (response.status.code, response.headers, data)
    }
}

/// Puts trace context into an outgoing request's headers.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}

extension PlatformClient {
    /// `?name=value&…` for the items that have a value, percent-encoded; "" when none has.
    public static func queryString(_ items: [(name: String, value: String?)]) -> String {
        let present = items.compactMap { item in item.value.map { URLQueryItem(name: item.name, value: $0) } }
        guard !present.isEmpty else { return "" }
        var components = URLComponents()
        components.queryItems = present
        // A "+" reads as a space to many servers.
        return "?" + (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
    }
}
