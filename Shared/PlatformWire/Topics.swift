import Tenancy

/// Kafka topic names. Every topic carries its tier, so that Kafka prefix ACLs can confine a county's
/// credentials to `tier.<county>.` (plus its parent's intake inbox, where escalations go).
///
/// | topic | written by | read by |
/// |---|---|---|
/// | `tier.<t>.dispatch-inbox` | intake t (reviewed demands), handling (returns), the parent's dispatch (escalation outcomes) | dispatch t |
/// | `tier.<t>.intake-inbox` | the children's dispatch (escalations) | intake t |
/// | `tier.<t>.handling-inbox` | dispatch t (assignments) | handling |
/// | `tier.<t>.status` | every service of tier t | notifier, reporting, handling; intake and dispatch of t and of its children (``DemandFollower``) |
/// | `tier.<t>.directory` (compacted) | intake t | dispatch t, handling, notifier, reporting; intake of t's parent and children (their pairings must not overlap) |
/// | `tier.<t>.pairing` | intake t (the cadres' monthly reminders, appraisal requests, new pairings, account decisions, prompt letters, announcements to text; matters solved on the spot) | notifier; reporting (matters solved on the spot) |
/// | `tier.<t>.reports` | reporting (reminders of the periodic returns owed to tier t's office; the monthly bulletin to its leaders) | notifier |
/// | `tier.<t>.deadletter` | any consumer of tier t's topics | operators |
public enum Topics {
    public static func dispatchInbox(_ tenant: TenantID) -> String { "tier.\(tenant).dispatch-inbox" }
    public static func intakeInbox(_ tenant: TenantID) -> String { "tier.\(tenant).intake-inbox" }
    public static func handlingInbox(_ tenant: TenantID) -> String { "tier.\(tenant).handling-inbox" }
    public static func status(_ tenant: TenantID) -> String { "tier.\(tenant).status" }
    public static func directory(_ tenant: TenantID) -> String { "tier.\(tenant).directory" }
    public static func pairing(_ tenant: TenantID) -> String { "tier.\(tenant).pairing" }
    public static func reports(_ tenant: TenantID) -> String { "tier.\(tenant).reports" }
    public static func deadLetter(_ tenant: TenantID) -> String { "tier.\(tenant).deadletter" }

    /// Regular expressions for consumers that serve every tier.
    public static let allHandlingInboxes = #"^tier\.[a-z0-9-]+\.handling-inbox$"#
    public static let allStatus = #"^tier\.[a-z0-9-]+\.status$"#
    public static let allDirectories = #"^tier\.[a-z0-9-]+\.directory$"#
    public static let allPairing = #"^tier\.[a-z0-9-]+\.pairing$"#
    public static let allReports = #"^tier\.[a-z0-9-]+\.reports$"#

    /// The tier a topic belongs to, from its name.
    public static func tenant(ofTopic topic: String) -> TenantID? {
        let parts = topic.split(separator: ".")
        guard parts.count >= 3, parts[0] == "tier" else { return nil }
        return TenantID(validating: String(parts[1]))
    }

    /// Every topic of a tier with its partition count and configuration, for provisioning.
    public static func all(for tenant: TenantID) -> [(name: String, partitions: Int, config: [String: String])] {
        [
            (dispatchInbox(tenant), 6, [:]),
            (intakeInbox(tenant), 6, [:]),
            (handlingInbox(tenant), 6, [:]),
            // Kept for good: reporting rebuilds its read model by replaying status events from the start.
            (status(tenant), 6, ["retention.ms": "-1"]),
            (directory(tenant), 3, ["cleanup.policy": "compact"]),
            (pairing(tenant), 3, [:]),
            (reports(tenant), 1, [:]),
            (deadLetter(tenant), 1, ["retention.ms": "2592000000"]),
        ]
    }
}
