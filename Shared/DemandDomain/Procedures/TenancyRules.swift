import Foundation
import Tenancy

// What the domain adds to the tiers' settings: procedures, return schemes and China's calendar.

extension Role {
    /// The name shown to people of a tier: its office is called as its procedure names it
    /// (临沧's 服企办, 十堰's 双千办).
    public func chineseName(in procedure: ProcedureProfile) -> String {
        self == .office ? procedure.officeName : chineseName
    }
}

extension Tenant {
    /// The tier's reporting regime, if it runs one.
    public var returns: ReturnScheme? { returnScheme.flatMap(ReturnScheme.preset) }
}

extension TenantTree {
    /// The first thing the tiers' settings name that the platform does not define (a procedure or
    /// a return scheme), as a sentence for the operator; nil when every name is known.
    public func undefinedSetting(procedures: [String: ProcedureProfile]) -> String? {
        for tenant in tenants {
            if procedures[tenant.procedure] == nil { return "tenant \(tenant.id) uses unknown procedure '\(tenant.procedure)'" }
            if let scheme = tenant.returnScheme, ReturnScheme.preset(scheme) == nil {
                return "tenant '\(tenant.id)' names unknown return scheme '\(scheme)'"
            }
        }
        return nil
    }
}

extension QuietHours {
    /// The instant quiet hours end, if `instant` falls inside them; nil otherwise.
    public func end(ifQuietAt instant: Date) -> Date? {
        let date = CivilDate(instant)
        let minute = Int(instant.timeIntervalSince(date.startInstant) / 60)
        let wraps = startMinute > endMinute
        let inside = wraps ? (minute >= startMinute || minute < endMinute) : (minute >= startMinute && minute < endMinute)
        guard inside else { return nil }
        let endDate = wraps && minute >= startMinute ? date.adding(days: 1) : date
        return endDate.startInstant.addingTimeInterval(TimeInterval(endMinute * 60))
    }
}
