import Hummingbird

/// Refuses a body announced larger than the context's limit with 413 before any handler runs, also
/// for operations that read no body (whose handlers would otherwise answer as if it were not there).
/// Paths that take files (a directory sheet) have a larger limit of their own.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// Path pattern → the largest body it takes. A pattern matches a path that starts with its
    /// segments, `*` standing for any one segment (`/demands/*/attachments`).
    let largeBodies: [String: Int]

    public init(largeBodies: [String: Int] = [:]) {
        self.largeBodies = largeBodies
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let limit = largeBodies.first(where: { Self.matches(request.uri.path, pattern: $0.key) })?.value {
            context.maxUploadSize = limit
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > context.maxUploadSize {
            throw APIError.bodyTooLarge
        }
        return try await next(request, context)
    }

    static func matches(_ path: String, pattern: String) -> Bool {
        let segments = path.split(separator: "/")
        let wanted = pattern.split(separator: "/")
        guard segments.count >= wanted.count else { return false }
        return zip(segments, wanted).allSatisfy { segment, want in want == "*" || segment == want }
    }
}
