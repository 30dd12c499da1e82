import Foundation
import Hummingbird
import InputValidation
import Logging
import Tenancy

/// Reads `Authorization: Bearer <token>` and puts the verified caller into the context. A bad
/// token is refused with 401; so is a request without one, before its body or parameters are
/// looked at, unless its path is one of the few public ones.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let tokens: TokenService

    /// What anyone may call without a token. The OpenAPI documents mark exactly these `security: []`
    /// (checked by OpenAPIDocumentTests).
    public static let publicPaths: Set<String> = [
        "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/auth/login", "/auth/units", "/sms/delivery-reports",
        // An enterprise outside the program applies for its account before it has one.
        "/account-applications",
    ]

    public init(tokens: TokenService) {
        self.tokens = tokens
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let header = request.headers[.authorization] else {
            guard Self.publicPaths.contains(request.uri.path) else { throw APIError.unauthenticated }
            return try await next(request, context)
        }
        guard header.lowercased().hasPrefix("bearer ") else { throw APIError.invalidToken }
        var context = context
        context.principal = try await tokens.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        context.logger[metadataKey: "principal"] = "\(context.principal!.role.rawValue):\(context.principal!.subject)"
        return try await next(request, context)
    }
}
