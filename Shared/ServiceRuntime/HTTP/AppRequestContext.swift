import DemandDomain
import Foundation
import Hummingbird
import Logging
import PlatformEvents

/// Request context of every service: who is calling (from the bearer token), and a body limit.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// Times in answers are ISO 8601 with milliseconds, like the events.
    public var responseEncoder: JSONEncoder { EventCoding.encoder() }

    /// Demand forms are small; anything larger than this is refused with 413.
    public var maxUploadSize: Int { 256 * 1024 }

    /// The caller, or 401 when the request carries no valid token.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthenticated }
        return principal
    }

    /// The caller, if their role is one of `roles`; else 403.
    public func requireRole(_ roles: Set<Role>) throws -> Principal {
        let principal = try requirePrincipal()
        guard roles.contains(principal.role) else { throw APIError.forbiddenRole(principal.role) }
        return principal
    }
}
