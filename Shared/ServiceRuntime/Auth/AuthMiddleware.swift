import DemandDomain
import Foundation
import Hummingbird
import Logging

/// Reads `Authorization: Bearer <token>` and puts the verified caller into the context. A request
/// without a token passes on unauthenticated (routes decide); a bad token is refused with 401.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let tokens: TokenService

    public init(tokens: TokenService) {
        self.tokens = tokens
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.lowercased().hasPrefix("bearer ") else { throw APIError.invalidToken }
        var context = context
        context.principal = try await tokens.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        context.logger[metadataKey: "principal"] = "\(context.principal!.role.rawValue):\(context.principal!.subject)"
        return try await next(request, context)
    }
}
