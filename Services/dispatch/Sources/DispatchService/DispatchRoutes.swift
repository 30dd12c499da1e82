import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import Hummingbird
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
        router.get("queue") { request, context in
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
        router.get("units") { _, context in try await dispatch.units(for: try context.requirePrincipal()) }
        let demands = router.group("demands")
        demands.get { request, context in
            try await dispatch.reader.list(of: dispatch.tier.id, for: try context.requirePrincipal(), filter: try DemandFilter(query: request.uri.queryParameters))
        }
        demands.get(":id") { _, context in try await dispatch.reader.view(try context.demandID(), for: try context.requirePrincipal()) }
        demands.document(":id/escalation-slip", pdf: dispatch.runtime.pdf) { _, context in
            let view = try await dispatch.reader.view(try context.demandID(), for: try context.requirePrincipal())
            guard let slip = DemandForms.escalationSlip(view, tree: dispatch.rules.tree) else { throw APIError.notFound("转报单") }
            return (slip, "escalation-slip")
        }
        demands.post(":id/dispatch") { request, context in
            let body = try await request.decodeJSON(DispatchWorkflow.DispatchRequest.self, context: context)
            let demand = try await dispatch.dispatch(try context.demandID(), body, by: try context.requirePrincipal())
            return DemandView(demand, rules: dispatch.rules)
        }
        demands.post(":id/refusal") { request, context in
            let refusal = try await request.decodeJSON(Refusal.self, context: context)
            let demand = try await dispatch.refuse(try context.demandID(), refusal, by: try context.requirePrincipal())
            return DemandView(demand, rules: dispatch.rules)
        }
        demands.get(":id/duplicates") { _, context in
            try await dispatch.duplicates(of: try context.demandID(), for: try context.requirePrincipal())
        }
        demands.post(":id/merger") { request, context in
            let body = try await request.decodeJSON(DispatchWorkflow.MergeRequest.self, context: context)
            let principal = try context.requirePrincipal()
            let demand = try await dispatch.merge(try context.demandID(), body, by: principal)
            // Read back: a merged demand shows where the one it joined is.
            return try await dispatch.reader.view(demand.id, for: principal)
        }
        demands.post(":id/escalate") { request, context in
            let body = try await request.decodeJSON(EscalateRequest.self, context: context)
            let demand = try await dispatch.escalate(try context.demandID(), suggestion: body.suggestion, approval: body.approval,
                by: try context.requirePrincipal())
            return DemandView(demand, rules: dispatch.rules)
        }
    }
}

extension DirectoryUnit: ResponseEncodable {}
extension DuplicateSearch.Candidate: ResponseEncodable {}
