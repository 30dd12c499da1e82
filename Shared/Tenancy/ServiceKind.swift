/// The services of the platform, as their processes, events and logs name them.
public enum ServiceKind: String, Codable, Sendable, CaseIterable {
    case intake
    case dispatch
    case handling
    case notifier
    case reporting
    /// The web platform people log in to.
    case portal
}
