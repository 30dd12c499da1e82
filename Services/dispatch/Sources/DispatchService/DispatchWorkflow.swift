import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import InputValidation
import Logging
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// What a tier's dispatch does: keep the dispatcher's queue, route demands to a lead unit and
/// cooperating units, escalate to the parent tier, take back "not our remit" returns, and follow
/// the outcome of what it escalated.
public struct DispatchWorkflow: Sendable {
    let runtime: PlatformRuntime
    let tier: Tenant
    let rules: TierRules
    let recorder: DemandRecorder
    /// One demand, or a list, as a person may see them.
    let reader: DemandReader
    let directory: DirectoryStore
    let duplicates: DuplicateSearch

    init(runtime: PlatformRuntime, rules: TierRules) {
        self.runtime = runtime
        self.rules = rules
        self.tier = runtime.settings.tenants[runtime.settings.tier!]!
        self.recorder = DemandRecorder(rules: rules, ownedSteps: [.dispatch], source: runtime.eventSource,
            logger: runtime.logger)
        self.reader = DemandReader(database: runtime.readers, repository: recorder.repository, rules: rules, changes: runtime.changes)
        self.directory = DirectoryStore(logger: runtime.logger)
        self.duplicates = DuplicateSearch(logger: runtime.logger)
    }

    var logger: Logger { runtime.logger }

    // MARK: Routing

    public struct DispatchRequest: Codable, Sendable {
        public var leadUnitID: String
        public var cooperatingUnitIDs: [String]?
        public var complexity: DispatchComplexity?
        public var instructions: String?
        /// Who approved the dispatch, where the procedure asks (Lincang).
        public var approval: LeaderApproval?
    }

    /// Routes a demand to units of this tier; its assignment goes to handling.
    func dispatch(_ id: UUID, _ request: DispatchRequest, by principal: Principal) async throws -> Demand {
        try requireDispatcher(principal)
        return try await runtime.transaction { connection in
            let demand = try await reader.lockReadable(id, by: principal, on: connection)
            let lead = try await unit(request.leadUnitID, field: "leadUnitID", on: connection)
            var cooperating: [UnitRef] = []
            for unitID in request.cooperatingUnitIDs ?? [] {
                cooperating.append(try await unit(unitID, field: "cooperatingUnitIDs", on: connection))
            }
            // Checked before a number is taken, so a refused dispatch leaves no gap in the sequence.
            guard demand.state == .awaitingDispatch else { throw TransitionError.notAllowedInState(.dispatch, demand.state) }
            let number = try await DocumentNumbers.next(.dispatch, for: tier, at: Date(), on: connection, logger: logger)
            let assignment = Assignment(
                leadUnit: lead, cooperatingUnits: cooperating, number: number,
                complexity: request.complexity ?? (cooperating.isEmpty ? .singleDepartment : .multipleDepartments),
                instructions: request.instructions, approval: request.approval)
            let recorded = try await recorder.apply(.dispatch(assignment), to: demand, by: principal.actor, on: connection)
            try await recorder.handOff(recorded.demand, as: EventType.demandAssigned, to: Topics.handlingInbox(tier.id), on: connection)
            return recorded.demand
        }
    }

    /// Escalates a demand to the parent tier's intake (转报).
    func escalate(_ id: UUID, suggestion: String, approval: LeaderApproval?, by principal: Principal) async throws -> Demand {
        try requireDispatcher(principal)
        guard let parent = tier.parent else {
            throw APIError.invalid(code: "NO_PARENT_TIER", message: "本级没有上级，不能转报")
        }
        return try await runtime.transaction { connection in
            let demand = try await reader.lockReadable(id, by: principal, on: connection)
            guard demand.state == .awaitingDispatch else { throw TransitionError.notAllowedInState(.escalate, demand.state) }
            let number = try await DocumentNumbers.next(.escalation, for: tier, at: Date(), on: connection, logger: logger)
            let slip = EscalationSlip(parent: parent, number: number, suggestion: suggestion, approval: approval)
            let recorded = try await recorder.apply(.escalate(slip), to: demand, by: principal.actor, on: connection)
            try await recorder.handOff(recorded.demand, as: EventType.demandEscalated, to: Topics.intakeInbox(parent), on: connection)
            return recorded.demand
        }
    }

    /// The office refuses a demand waiting here as out of scope (不予受理, 003 art. 2).
    func refuse(_ id: UUID, _ refusal: Refusal, by principal: Principal) async throws -> Demand {
        try principal.require(tier: tier.id)
        return try await runtime.transaction { connection in
            let demand = try await reader.lockReadable(id, by: principal, on: connection)
            guard demand.state == .awaitingDispatch else { throw TransitionError.notAllowedInState(.refuse, demand.state) }
            return try await recorder.apply(.refuse(refusal), to: demand, by: principal.actor, on: connection).demand
        }
    }

    // MARK: Duplicates (并单)

    /// The enterprise's open demands at this tier whose text is like this one's, for a demand waiting here.
    func duplicates(of id: UUID, for principal: Principal) async throws -> [DuplicateSearch.Candidate] {
        try requireDispatcher(principal)
        return try await reader.transaction(as: principal) { connection in
            guard let current = try await recorder.repository.loadCurrent(id, on: connection),
                rules.policy.canRead(current.visibility, as: principal)
            else { throw APIError.demandNotFound }
            return try await duplicates.candidates(for: current.demand, on: connection)
        }
    }

    public struct MergeRequest: Codable, Sendable {
        public var intoDemandID: UUID
        public var reason: String
    }

    /// Merges a demand waiting here into another open demand of the same enterprise, which from now
    /// on answers both: the merged one shows where that one is.
    func merge(_ id: UUID, _ request: MergeRequest, by principal: Principal) async throws -> Demand {
        try requireDispatcher(principal)
        return try await runtime.transaction { connection in
            let demand = try await reader.lockReadable(id, by: principal, on: connection)
            guard demand.state == .awaitingDispatch else { throw TransitionError.notAllowedInState(.merge, demand.state) }
            let joined = try await mergeTarget(request.intoDemandID, of: demand, principal, on: connection)
            let merger = Merger(intoDemandID: joined.id, intoRegistrationNumber: joined.status.registrationNumber,
                reason: request.reason)
            return try await recorder.apply(.merge(merger), to: demand, by: principal.actor, on: connection).demand
        }
    }

    /// The demand a duplicate may join: another of this tier, of the same enterprise, still open.
    private func mergeTarget(_ targetID: UUID, of demand: Demand, _ principal: Principal, on connection: PostgresConnection)
        async throws -> Demand
    {
        guard targetID != demand.id else {
            throw APIError.invalid(code: "MERGE_INTO_ITSELF", message: "不能与本诉求自身并单", field: "intoDemandID")
        }
        guard let target = try await recorder.repository.loadCurrent(targetID, on: connection),
            target.demand.tenant == tier.id, rules.policy.canRead(target.visibility, as: principal)
        else { throw APIError.invalid(code: "UNKNOWN_MERGE_TARGET", message: "要并入的诉求不存在或不在本级", field: "intoDemandID") }
        guard target.demand.status.enterprise?.id == demand.status.enterprise?.id else {
            throw APIError.invalid(code: "OTHER_ENTERPRISE", message: "只能与同一企业的诉求并单", field: "intoDemandID")
        }
        guard let state = target.state, state.acceptsMergedDuplicates else {
            throw APIError.conflict(code: "MERGE_TARGET_ENDED",
                message: "要并入的诉求当前为“\(target.state?.chineseName ?? "未知")”状态，不能并单")
        }
        return target.demand
    }

    private func requireDispatcher(_ principal: Principal) throws {
        try principal.require(tier: tier.id, roles: [.dispatcher, .office])
    }

    private func unit(_ id: String, field: String, on connection: PostgresConnection) async throws -> UnitRef {
        guard let unit = try await directory.unit(id, on: connection), unit.tenant == tier.id, unit.active else {
            throw APIError.invalid(code: "UNKNOWN_UNIT", message: "承办单位“\(id)”不在本级名录中", field: field)
        }
        return unit.ref
    }

    // MARK: Reading

    func units(for principal: Principal) async throws -> [DirectoryUnit] {
        guard rules.policy.canUseTier(tier.id, as: principal) else { throw APIError.forbiddenTenant }
        return try await runtime.database.withConnection { connection in
            try await directory.units(tenant: tier.id, on: connection).filter(\.active)
        }
    }

    // MARK: Consumers

    /// The dispatch inbox: reviewed demands from intake, returns from handling, and the parent
    /// tier's news about what this tier escalated.
    func receive(_ event: IncomingEvent, on connection: PostgresConnection) async throws {
        switch event.header.type {
        case EventType.demandReadyForDispatch, EventType.demandReturned:
            let record = try event.decode(DemandRecord.self).data
            guard record.tenant == tier.id else {
                throw EventRejection(code: "WRONG_TIER", reason: "demand \(record.id) belongs to \(record.tenant), not \(tier.id)")
            }
            if case .stored(let demand) = try await recorder.receive(record, on: connection), demand.state != .awaitingDispatch {
                logger.warning("Received demand is not waiting for dispatch", metadata: ["demand": "\(demand.id)"])
            }
        case EventType.escalationOutcome:
            let report = try event.decode(EscalationOutcomeReport.self).data
            guard report.originTenant == tier.id, report.outcome.parentTenant == tier.parent else {
                throw EventRejection(code: "WRONG_TIER", reason: "outcome for \(report.originTenant) from \(report.outcome.parentTenant)")
            }
            guard let demand = try await recorder.repository.load(report.originDemandID, forUpdate: true, on: connection) else {
                throw EventRejection(code: "UNKNOWN_DEMAND", reason: "no escalated demand \(report.originDemandID) here")
            }
            // A closed county demand has nothing more to learn; a repeated report changes nothing.
            guard demand.state == .escalated, demand.status.outcome != report.outcome else { return }
            _ = try await recorder.apply(.recordEscalationOutcome(report.outcome), to: demand,
                by: .system(tier.id, component: "dispatch"), on: connection)
        default:
            throw EventRejection(code: "UNKNOWN_EVENT_TYPE", reason: "dispatch inbox does not take \(event.header.type)")
        }
    }

    /// The tier's directory topic: units (to route to) and people.
    func receiveDirectory(_ event: IncomingEvent, on connection: PostgresConnection) async throws {
        guard event.header.type == EventType.directoryEntry else {
            throw EventRejection(code: "UNKNOWN_EVENT_TYPE", reason: "directory topic does not take \(event.header.type)")
        }
        try await directory.upsert(try event.decode(DirectoryEntry.self).data, on: connection)
    }
}
