import DemandDomain
import Foundation
import ServiceRuntime
import Tenancy

extension TierRules {
    /// The tiers' procedures, calendars and access rules as the settings name them: the built-in
    /// procedures plus `PROCEDURES_FILE`, China's official calendar plus `CALENDAR_ADJUSTMENTS_FILE`.
    /// A tier naming a procedure or return scheme the platform does not define stops the start.
    public static func load(_ settings: RuntimeSettings) throws -> TierRules {
        var procedures = ProcedureProfile.presets
        if let file = settings.proceduresFile {
            for profile in try decodeSettingsFile([ProcedureProfile].self, path: file, setting: "PROCEDURES_FILE") {
                procedures[profile.id] = profile
            }
        }
        if let problem = settings.tenants.undefinedSetting(procedures: procedures) {
            throw ConfigurationError(setting: "TENANTS_FILE", problem: problem)
        }
        let calendars = try loadCalendars(path: settings.calendarAdjustmentsFile)
        return TierRules(tree: settings.tenants, procedures: procedures, calendars: calendars)
    }

    private static func loadCalendars(path: String?) throws -> TierCalendars {
        let official = try WorkingCalendar.official()
        guard let path else { return TierCalendars(official: official) }
        let raw = try decodeSettingsFile([String: [TierDayAdjustment]].self, path: path, setting: "CALENDAR_ADJUSTMENTS_FILE")
        var adjustments: [TenantID: [TierDayAdjustment]] = [:]
        for (key, days) in raw {
            guard let tenant = TenantID(validating: key) else {
                throw ConfigurationError(setting: "CALENDAR_ADJUSTMENTS_FILE", problem: "'\(key)' is not a tenant id")
            }
            adjustments[tenant] = days
        }
        return try TierCalendars(official: official, adjustments: adjustments)
    }
}
