import DemandDomain
import Logging
import PlatformAPI
import Tenancy

/// The units each tier's people log in under, for the login page's 单位 list (002 §1), asked of
/// each tier's intake and kept for a minute: the list changes only when an office imports its roster.
actor LoginUnitCatalog {
    private let client: PlatformClient
    private let tiers: [TenantID]
    private let logger: Logger
    private var cached: (units: [TenantID: [PlatformClient.LoginUnit]], at: ContinuousClock.Instant)?
    private static let freshFor: Duration = .seconds(60)

    init(client: PlatformClient, tiers: [TenantID], logger: Logger) {
        self.client = client
        self.tiers = tiers
        self.logger = logger
    }

    /// Every tier's units; a tier whose intake does not answer has none listed (its people still
    /// log in by name alone when it is unique).
    func units() async -> [TenantID: [PlatformClient.LoginUnit]] {
        if let cached, ContinuousClock.now - cached.at < Self.freshFor { return cached.units }
        var units: [TenantID: [PlatformClient.LoginUnit]] = [:]
        var complete = true
        for tier in tiers {
            do {
                units[tier] = try await client.loginUnits(tier: tier)
            } catch {
                complete = false
                logger.warning("Login units unavailable", metadata: ["tier": "\(tier)", "error": "\(error)"])
            }
        }
        if complete { cached = (units, .now) }
        return units
    }

    func unit(_ id: String, of tier: TenantID) async -> PlatformClient.LoginUnit? {
        await units()[tier]?.first { $0.id == id }
    }
}
