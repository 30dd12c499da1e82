import Hummingbird

/// Refuses a body announced larger than the context's limit with 413 before any handler runs, also
/// for operations that read no body (whose handlers would otherwise answer as if it were not there).
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > context.maxUploadSize {
            throw APIError.bodyTooLarge
        }
        return try await next(request, context)
    }
}
