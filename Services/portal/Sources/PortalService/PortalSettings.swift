import DemandDesk
import DemandDomain
import Foundation
import InputValidation
import ServiceRuntime
import Tenancy

/// What the portal reads at start-up besides the settings every service has: where the services'
/// APIs are, where Debian's Bootstrap and Chart.js are, and how long a session lasts.
public struct PortalSettings: Sendable {
    public var runtime: RuntimeSettings
    /// The tiers' procedures, calendars and access rules, as the services of demands read them.
    public var rules: TierRules
    /// `PORTAL_INTAKE_URLS` and `PORTAL_DISPATCH_URLS`: `maojian=http://…,shiyan=http://…`.
    public var intakeURLs: [TenantID: String]
    public var dispatchURLs: [TenantID: String]
    public var handlingURL: String
    public var notifierURL: String
    public var reportingURL: String
    /// `PORTAL_VENDOR_DIR`: the folder holding `bootstrap5/` and `chart.js/` (Debian's libjs-* packages).
    public var vendorDirectory: String
    public var sessionLifetime: Duration
    /// Cookies carry `Secure` outside development (the portal then sits behind TLS).
    public var secureCookies: Bool

    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> PortalSettings {
        let runtime = try await RuntimeSettings.load(service: .portal, perTier: false, defaultPort: 8090, environment: environment)
        let reader = try SettingsReader(environment: environment)
        let tiers = Set(runtime.tenants.tenants.map(\.id))
        return PortalSettings(
            runtime: runtime,
            rules: try TierRules.load(runtime),
            intakeURLs: try tierURLs(reader, "portal.intake.urls", tiers: tiers),
            dispatchURLs: try tierURLs(reader, "portal.dispatch.urls", tiers: tiers),
            handlingURL: try url(reader, "portal.handling.url"),
            notifierURL: try url(reader, "portal.notifier.url"),
            reportingURL: try url(reader, "portal.reporting.url"),
            vendorDirectory: reader.string("portal.vendor.dir", default: "/usr/share/javascript"),
            sessionLifetime: .seconds(try reader.int("portal.session.minutes", default: 480, range: 5...1440) * 60),
            secureCookies: runtime.isProduction)
    }

    static func url(_ reader: SettingsReader, _ key: String) throws -> String {
        let text = try reader.requiredString(key)
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ConfigurationError(setting: SettingsReader.variable(key), problem: "is not an http(s) URL: \(text)")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    static func tierURLs(_ reader: SettingsReader, _ key: String, tiers: Set<TenantID>) throws -> [TenantID: String] {
        let variable = SettingsReader.variable(key)
        var urls: [TenantID: String] = [:]
        for pair in try reader.requiredString(key).split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let tier = TenantID(validating: parts[0]), tiers.contains(tier),
                let url = URL(string: parts[1]), url.host != nil
            else {
                throw ConfigurationError(setting: variable, problem: "needs tier=url pairs of known tiers; '\(pair)' is not one")
            }
            urls[tier] = parts[1]
        }
        for tier in tiers where urls[tier] == nil {
            throw ConfigurationError(setting: variable, problem: "has no URL for tier \(tier)")
        }
        return urls
    }

    /// The base URL of a service's API for a tier.
    public func url(_ service: ServiceKind, tier: TenantID?) -> String {
        switch service {
        case .intake: tier.flatMap { intakeURLs[$0] } ?? ""
        case .dispatch: tier.flatMap { dispatchURLs[$0] } ?? ""
        case .handling: handlingURL
        case .notifier: notifierURL
        case .reporting: reportingURL
        case .portal: ""
        }
    }
}
