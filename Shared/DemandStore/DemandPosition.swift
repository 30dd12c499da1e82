import DemandDomain
import Foundation
import InputValidation
import PlatformEvents
import Tenancy

/// Where a demand is now and who must act on it: what every reader shows, whichever service is
/// asked. After an escalation it is the parent tier's copy that moves, so the location names that
/// copy's tier and id.
public struct DemandLocation: Codable, Sendable, Hashable {
    /// The tier that holds the demand now.
    public var tenant: TenantID
    public var tenantName: String
    /// The demand's id at that tier (the parent's copy after an escalation).
    public var demandID: UUID
    public var registrationNumber: String?
    public var state: DemandState
    public var stateName: String
    /// Who must act next, in Chinese; nil once the demand is closed.
    public var holder: String?
    /// The transition of `demandID` this location reflects (1-based).
    public var sequence: Int
    public var updatedAt: Date
}

/// A demand's location with the deadlines running there; services store it beside their own copy
/// and keep it current from the status events of their tier and its parent.
public struct DemandPosition: Codable, Sendable, Hashable {
    public var location: DemandLocation
    public var deadlines: [StepDeadline]

    /// The earliest running deadline (none while every clock is paused, or once closed).
    public var dueAt: Date? { deadlines.compactMap(\.dueAt).min() }

    /// The position a status event announces.
    public init(_ news: DemandStatusNews, tree: TenantTree) {
        self.init(summary: news.demand, state: news.state, sequence: news.transition.sequence, at: news.transition.at,
            deadlines: news.openDeadlines, tree: tree)
    }

    /// The position of a demand as this service holds it, with its open deadlines.
    public init(_ demand: Demand, deadlines: [StepDeadline], tree: TenantTree) {
        self.init(summary: DemandSummary(demand), state: demand.state ?? .awaitingReview, sequence: demand.history.count,
            at: demand.status.updatedAt ?? Date(), deadlines: deadlines, tree: tree)
    }

    /// The position of a demand as this service holds it.
    public init(_ demand: Demand, rules: TierRules) {
        self.init(demand, deadlines: (try? rules.planner(for: demand.tenant).openDeadlines(for: demand)) ?? [], tree: rules.tree)
    }

    init(summary: DemandSummary, state: DemandState, sequence: Int, at: Date, deadlines: [StepDeadline], tree: TenantTree) {
        location = DemandLocation(
            tenant: summary.tenant, tenantName: tree[summary.tenant]?.name ?? summary.tenant.rawValue, demandID: summary.id,
            registrationNumber: summary.registrationNumber?.description, state: state, stateName: state.chineseName,
            holder: Self.holder(of: state, summary: summary, tree: tree), sequence: sequence, updatedAt: at)
        self.deadlines = deadlines
    }

    /// Who must act on a demand in a state.
    static func holder(of state: DemandState, summary: DemandSummary, tree: TenantTree) -> String? {
        let tierName = tree[summary.tenant]?.name ?? summary.tenant.rawValue
        switch state {
        case .awaitingReview: return "包联干部"
        case .returnedToEnterprise, .awaitingRating: return summary.enterpriseName ?? "企业"
        case .awaitingDispatch: return "\(tierName)分办员"
        case .escalated: return summary.escalatedTo.map { tree[$0]?.name ?? $0.rawValue }
        case .awaitingSignature, .inProgress, .underSupervision: return summary.leadUnit?.name
        case .awaitingClosureAgreement: return "\(tierName)包联领导"
        case .closed, .refused, .merged: return nil
        }
    }
}
