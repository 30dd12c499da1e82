import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PlatformWire
import Tenancy

/// Request context of every service: who is calling (from the bearer token), and a body limit.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The address of the connection's peer (a reverse proxy, where there is one).
    public var peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the last address
    /// it put in `X-Forwarded-For`.
    public func clientAddress(of request: Request, trustedProxies: Set<String>) -> String {
        let peer = peerAddress ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!],
            let client = forwarded.split(separator: ",").last.map({ $0.trimmingCharacters(in: CharacterSet.whitespaces) }), !client.isEmpty
        else { return peer }
        return client
    }

    /// Times in answers are ISO 8601 with milliseconds, like the events.
    public var responseEncoder: JSONEncoder { EventCoding.encoder() }

    /// Demand forms are small; anything larger than this is refused with 413. ``BodyLimitMiddleware``
    /// raises it for the few paths that take files.
    public var maxUploadSize = AppRequestContext.defaultUploadSize

    public static let defaultUploadSize = 256 * 1024

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
