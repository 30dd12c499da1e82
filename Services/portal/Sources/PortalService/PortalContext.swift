import DemandDomain
import Foundation
import Hummingbird
import PlatformAPI

/// Request context of the portal: the session the cookie names, if it is live.
public struct PortalContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var session: PortalSession?
    /// The address of the connection's peer, passed on to intake so that its login lock counts per address.
    public var peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        session = nil
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Forms are small; attachments come with their own limit.
    public var maxUploadSize: Int { 256 * 1024 }

    public func requireSession() throws -> PortalSession {
        guard let session else { throw PortalError.loginRequired }
        return session
    }

    /// The session, if the person's role is one of `roles`; else a 403 page.
    public func requireRole(_ roles: Set<Role>) throws -> PortalSession {
        let session = try requireSession()
        guard roles.contains(session.api.role) else { throw PortalError.forbidden }
        return session
    }
}

/// Why a page cannot be shown; each becomes a page in Chinese (or a redirect to the login page).
public enum PortalError: Error, Equatable {
    case loginRequired
    case forbidden
    case notFound
    /// A form without its CSRF token, or with another session's.
    case staleForm
    case badRequest(String)
}

/// An `application/x-www-form-urlencoded` body: every value of every field, in order.
public struct FormData: Sendable {
    private var fields: [String: [String]] = [:]

    public init(parsing body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The field's first value, trimmed; nil when absent or blank.
    public subscript(_ name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    public func all(_ name: String) -> [String] { fields[name] ?? [] }

    /// Every field as typed, for re-rendering a form that was refused.
    public var values: [String: String] { fields.compactMapValues(\.first) }
}

extension Request {
    /// The form body; 413 over the context's limit.
    func form(context: PortalContext) async throws -> FormData {
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return FormData(parsing: String(buffer: buffer))
    }
}
