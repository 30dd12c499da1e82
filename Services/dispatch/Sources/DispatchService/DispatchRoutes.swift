import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import OfficeDocuments
import PlatformEvents
import ServiceRuntime
import Tenancy

/// Dispatch's HTTP API (see `openapi.yaml` beside this file).
struct DispatchRoutes {
    let dispatch: DispatchWorkflow

    struct EscalateRequest: Decodable {
        var suggestion: String
        var approval: LeaderApproval?
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("queue", use: queue)
        router.get("units", use: units)
        router.group("demands")
            .get(use: list)
            .get(":id", use: show)
            .document(":id/escalation-slip", pdf: dispatch.runtime.pdf, escalationSlip)
            .post(":id/dispatch", use: route)
            .post(":id/refusal", use: refuse)
            .get(":id/duplicates", use: duplicates)
            .post(":id/merger", use: merge)
            .post(":id/escalate", use: escalate)
    }

    /// The tier's queue: demands waiting for dispatch unless the filter names other states.
    @Sendable func queue(_ request: Request, context: AppRequestContext) async throws -> [DemandListItem] {
        var filter = try DemandFilter(query: request.uri.queryParameters)
        filter.states = filter.states ?? [.awaitingDispatch]
        let principal = try context.requireRole([.dispatcher, .office, .countyAdmin, .inspector])
        // A dispatcher who keeps some industry groups' queue sees those, unless they ask for all or
        // look for one demand (by its origin, or a number or name).
        if filter.industryGroups == nil, filter.originDemandID == nil, filter.search == nil {
            filter.industryGroups = principal.industryGroups
        }
        return try await dispatch.reader.list(of: dispatch.tier.id, for: principal, filter: filter)
    }

    @Sendable func units(_ request: Request, context: AppRequestContext) async throws -> [DirectoryUnit] {
        try await dispatch.units(for: try context.requirePrincipal())
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> [DemandListItem] {
        try await dispatch.reader.list(of: dispatch.tier.id, for: try context.requirePrincipal(),
            filter: try DemandFilter(query: request.uri.queryParameters))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await dispatch.reader.answer(try context.demandID(), for: try context.requirePrincipal(), to: request)
    }

    /// 转报单, as Word and PDF.
    @Sendable func escalationSlip(_ request: Request, context: AppRequestContext) async throws -> (document: WordDocument, name: String) {
        let view = try await dispatch.reader.view(try context.demandID(), for: try context.requirePrincipal())
        guard let slip = DemandForms.escalationSlip(view, tree: dispatch.rules.tree) else { throw APIError.notFound("转报单") }
        return (slip, "escalation-slip")
    }

    @Sendable func route(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let body = try await request.decodeJSON(DispatchWorkflow.DispatchRequest.self, context: context)
        let demand = try await dispatch.dispatch(try context.demandID(), body, by: try context.requirePrincipal())
        return DemandView(demand, rules: dispatch.rules)
    }

    @Sendable func refuse(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let refusal = try await request.decodeJSON(Refusal.self, context: context)
        let demand = try await dispatch.refuse(try context.demandID(), refusal, by: try context.requirePrincipal())
        return DemandView(demand, rules: dispatch.rules)
    }

    @Sendable func duplicates(_ request: Request, context: AppRequestContext) async throws -> [DuplicateSearch.Candidate] {
        try await dispatch.duplicates(of: try context.demandID(), for: try context.requirePrincipal())
    }

    @Sendable func merge(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let body = try await request.decodeJSON(DispatchWorkflow.MergeRequest.self, context: context)
        let principal = try context.requirePrincipal()
        let demand = try await dispatch.merge(try context.demandID(), body, by: principal)
        // Read back: a merged demand shows where the one it joined is.
        return try await dispatch.reader.view(demand.id, for: principal)
    }

    @Sendable func escalate(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let body = try await request.decodeJSON(EscalateRequest.self, context: context)
        let demand = try await dispatch.escalate(try context.demandID(), suggestion: body.suggestion, approval: body.approval,
            by: try context.requirePrincipal())
        return DemandView(demand, rules: dispatch.rules)
    }
}

extension DirectoryUnit: ResponseEncodable {}
extension DuplicateSearch.Candidate: ResponseEncodable {}
