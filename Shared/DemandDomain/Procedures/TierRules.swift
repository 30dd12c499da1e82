import Foundation
import Tenancy

/// Each tier's working-day calendar: the official one plus the tier's own closures and working days.
public struct TierCalendars: Sendable {
    private let official: WorkingCalendar
    private let byTenant: [TenantID: WorkingCalendar]

    public init(official: WorkingCalendar, adjustments: [TenantID: [TierDayAdjustment]] = [:]) throws(CalendarError) {
        self.official = official
        var calendars: [TenantID: WorkingCalendar] = [:]
        for (tenant, days) in adjustments {
            calendars[tenant] = try WorkingCalendar(data: try Self.officialData(), adjustments: days)
        }
        self.byTenant = calendars
    }

    public init(official: WorkingCalendar) {
        self.official = official
        self.byTenant = [:]
    }

    private static func officialData() throws(CalendarError) -> CalendarData {
        do {
            return try CalendarData.bundled()
        } catch {
            throw .dataMissing("\(error)")
        }
    }

    public func calendar(for tenant: TenantID) -> WorkingCalendar {
        byTenant[tenant] ?? official
    }
}

/// The rules of every tier in one place: tree, procedures and calendars, and what the state
/// machine and the deadline planner need from them.
public struct TierRules: Sendable {
    public let tree: TenantTree
    public let procedures: [String: ProcedureProfile]
    public let calendars: TierCalendars

    public init(tree: TenantTree, procedures: [String: ProcedureProfile], calendars: TierCalendars) {
        self.tree = tree
        self.procedures = procedures
        self.calendars = calendars
    }

    public var policy: AccessPolicy { AccessPolicy(tree: tree) }

    public func procedure(for tenant: TenantID) -> ProcedureProfile {
        tree[tenant].flatMap { procedures[$0.procedure] } ?? .shiyan
    }

    public func planner(for tenant: TenantID) -> DeadlinePlanner {
        DeadlinePlanner(procedure: procedure(for: tenant), calendar: calendars.calendar(for: tenant))
    }

    /// The context in which an action on `demand` is judged at `now`.
    public func context(for demand: Demand, at now: Date) throws(CalendarError) -> TransitionContext {
        var context = try planner(for: demand.tenant).transitionContext(
            for: demand, parentTier: tree[demand.tenant]?.parent,
            supervisingTenants: policy.supervisingTenants(of: demand.tenant), at: now)
        context.closureNeedsPairingLeader = tree[demand.tenant]?.closureNeedsPairingLeader == true
        return context
    }
}
