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

/// The record of every handling unit, for every tier: signing, progress, clock pauses, extensions,
/// results, "not our remit" returns, ratings, special supervision, urge letters and closure; the
/// ledger (台账) of a unit and of a tier.
public struct HandlingWorkflow: Sendable {
    let runtime: PlatformRuntime
    let rules: TierRules
    let recorder: DemandRecorder
    /// One demand, or a list, as a person may see them.
    let reader: DemandReader

    init(runtime: PlatformRuntime, rules: TierRules) {
        self.runtime = runtime
        self.rules = rules
        self.recorder = DemandRecorder(rules: rules, ownedSteps: [.sign, .result, .rating],
            source: runtime.eventSource, logger: runtime.logger)
        self.reader = DemandReader(database: runtime.readers, repository: recorder.repository, rules: rules, changes: runtime.changes)
    }

    var logger: Logger { runtime.logger }

    // MARK: Actions

    /// Takes an action on a demand held here for the caller, and sends what it owes: returns to the
    /// dispatcher, outcomes to the tier that escalated.
    func perform(_ action: DemandAction, on id: UUID, by principal: Principal) async throws -> Demand {
        try await perform(on: id, by: principal) { _ in action }
    }

    /// Takes the action `makeAction` builds from the demand as held now (for defaults that depend
    /// on it, such as the days an extension decision grants).
    func perform(on id: UUID, by principal: Principal, _ makeAction: @escaping @Sendable (Demand) -> DemandAction)
        async throws -> Demand
    {
        try await perform(on: id, by: principal) { demand, _ in makeAction(demand) }
    }

    /// Sends an urge letter with the next number of the urging office's tier (taken in the same
    /// transaction, so a refused letter leaves no gap).
    func urge(_ id: UUID, note: String, by principal: Principal) async throws -> Demand {
        guard let tier = rules.tree[principal.tenant] else { throw APIError.unknownTenant(principal.tenant.rawValue) }
        let logger = self.logger
        return try await perform(on: id, by: principal) { _, connection in
            .urge(UrgeLetter(note: note, number: try await DocumentNumbers.next(.urge, for: tier, at: Date(), on: connection, logger: logger)))
        }
    }

    /// Takes the action `makeAction` builds, inside the action's transaction.
    func perform(
        on id: UUID,
        by principal: Principal,
        _ makeAction: @escaping @Sendable (Demand, PostgresConnection) async throws -> DemandAction
    ) async throws -> Demand {
        let recorder = self.recorder
        return try await runtime.transaction { connection in
            let demand = try await reader.lockReadable(id, by: principal, on: connection)
            let action = try await makeAction(demand, connection)
            // Handling closed it, so it still records what follows (the rules say which steps may).
            guard Self.heldHere(demand.state) || demand.state == .closed else {
                throw TransitionError.notAllowedInState(action.kind, demand.state)
            }
            let recorded = try await recorder.apply(action, to: demand, by: principal.actor, on: connection)
            try await sendFollowUps(recorded, on: connection)
            return recorded.demand
        }
    }

    /// States in which handling holds a demand; a copy it handed back (returned, not yet routed
    /// again) is read-only here.
    static func heldHere(_ state: DemandState?) -> Bool {
        switch state {
        case .awaitingSignature?, .inProgress?, .awaitingRating?, .underSupervision?, .awaitingClosureAgreement?: true
        default: false
        }
    }

    /// Sends what a recorded action owes other services: a return to the dispatcher, an outcome to
    /// the tier that escalated.
    func sendFollowUps(_ recorded: RecordedTransition, on connection: PostgresConnection) async throws {
        let demand = recorded.demand
        if recorded.transition.kind == .returnNotOurRemit {
            try await recorder.handOff(demand, as: EventType.demandReturned, to: Topics.dispatchInbox(demand.tenant),
                at: recorded.transition.at, on: connection)
        }
        if let origin = demand.status.origin, [.submitResult, .rate, .closeUnrated, .decideClosure].contains(recorded.transition.kind) {
            let outcome = EscalationOutcome(
                parentTenant: demand.tenant, parentDemandID: demand.id, parentRegistrationNumber: demand.status.registrationNumber,
                parentState: demand.state ?? .inProgress, resultClass: demand.status.lastResult?.resultClass,
                answer: demand.status.lastResult?.answer)
            try await Outbox.enqueue([
                try .event(EventType.escalationOutcome, topic: Topics.dispatchInbox(origin.tenant),
                    source: runtime.eventSource, tenant: demand.tenant, subject: origin.demandID.uuidString,
                    time: recorded.transition.at,
                    data: EscalationOutcomeReport(originTenant: origin.tenant, originDemandID: origin.demandID, outcome: outcome))
            ], on: connection, logger: logger)
        }
    }

    // MARK: Reading

    /// Every demand the person may read in the tiers the filter names (台账).
    func ledger(for principal: Principal, filter: DemandFilter) async throws -> [DemandListItem] {
        if let tenant = filter.tenant, !rules.tree.contains(tenant) { throw APIError.unknownTenant(tenant.rawValue) }
        return try await reader.list(for: principal, filter: filter)
    }

    func dispatchSlip(_ id: UUID, for principal: Principal) async throws -> DispatchSlip {
        let view = try await reader.view(id, for: principal)
        guard let assignment = view.assignment, let content = view.content,
            let dispatched = view.history.last(where: { $0.kind == .dispatch })
        else { throw APIError.notFound("分办单") }
        let due = view.deadlines.first { $0.step == .result }?.dueAt
        let tenantName = rules.tree[view.tenant]?.name ?? view.tenant.rawValue
        let lines = [
            "\(tenantName)企业反映困难问题交办单",
            "交办编号：\(assignment.number)",
            "登记编号：\(view.registrationNumber ?? "")",
            "需要办理或协调解决事项：\(content.helpWanted)",
            "主要困难和问题：\(content.difficulty)",
            "反映企业：\(content.enterprise.name)",
            "企业地址：\(content.enterprise.address)",
            "联系人：\(content.contact.name)（\(content.contact.title)）",
            "联系电话：\(content.contact.phone.text)",
            "牵头办理部门：\(assignment.leadUnit.name)",
            "配合办理部门：\(assignment.cooperatingUnits.map(\.name).joined(separator: "、"))",
            "办结时限：\(due.map(CivilDate.deadlineText) ?? "签收后计算")",
            "交办日期：\(CivilDate(dispatched.at))",
        ] + (assignment.approval.map { ["签批领导：\($0.slipText)"] } ?? [])
        return DispatchSlip(
            title: "\(tenantName)企业反映困难问题交办单", issuer: tenantName, number: assignment.number.description,
            registrationNumber: view.registrationNumber, matter: content.helpWanted, difficulty: content.difficulty,
            enterprise: content.enterprise.name, address: content.enterprise.address, contact: content.contact.name,
            phone: content.contact.phone.text, leadUnit: assignment.leadUnit.name,
            cooperatingUnits: assignment.cooperatingUnits.map(\.name), resultDueAt: due, dispatchedAt: dispatched.at,
            approval: assignment.approval?.slipText, text: lines.joined(separator: "\n"))
    }

    // MARK: Consumer

    /// Assignments from every tier's dispatch.
    func receiveAssignment(_ event: IncomingEvent, on connection: PostgresConnection) async throws {
        guard event.header.type == EventType.demandAssigned else {
            throw EventRejection(code: "UNKNOWN_EVENT_TYPE", reason: "handling inbox does not take \(event.header.type)")
        }
        let record = try event.decode(DemandRecord.self).data
        guard Topics.tenant(ofTopic: event.topic) == record.tenant, rules.tree.contains(record.tenant) else {
            throw EventRejection(code: "WRONG_TIER", reason: "demand \(record.id) of \(record.tenant) arrived on \(event.topic)")
        }
        if case .stored(let demand) = try await recorder.receive(record, on: connection), demand.state != .awaitingSignature {
            throw EventRejection(code: "NOT_AN_ASSIGNMENT", reason: "demand \(record.id) is \(demand.state?.rawValue ?? "new")")
        }
    }
}
