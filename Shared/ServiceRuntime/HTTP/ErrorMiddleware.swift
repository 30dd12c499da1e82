import Foundation
import Hummingbird
import Logging
import PostgresStorage
import Tenancy

/// Turns every error into an ``APIError`` answer: client mistakes become 4xx with a stable code;
/// anything unexpected becomes a 500 that is logged with its details (the client sees none).
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error)
            if apiError.status.code >= 500 {
                context.logger.error("Request failed", metadata: [
                    "error": "\(error)", "path": "\(request.uri.path)", "method": "\(request.method)",
                ])
            } else {
                context.logger.info("Request refused", metadata: [
                    "error.code": "\(apiError.code)", "path": "\(request.uri.path)", "status": "\(apiError.status.code)",
                ])
            }
            return try apiError.response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as any APIErrorConvertible: return error.apiError
        case let error as DecodingError: return APIError(decoding: error)
        // The database went away mid-request (a restart, a failover): worth retrying shortly.
        case is ConnectionLostError: return .unavailable
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: return .bodyTooLarge
            case .notFound: return APIError(.notFound, code: "NOT_FOUND", message: "请求的地址不存在")
            case .methodNotAllowed: return APIError(.methodNotAllowed, code: "METHOD_NOT_ALLOWED", message: "不支持该请求方法")
            case .badRequest: return .malformedJSON(error.body ?? "")
            case .unsupportedMediaType:
                return APIError(.unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE", message: "请求内容须为JSON")
            default:
                return error.status.code < 500
                    ? APIError(error.status, code: "BAD_REQUEST", message: "请求有误") : .internalError
            }
        // NIO's body limit (NIOTooManyBytesError) and anything else that knows its status.
        case let error as any HTTPResponseError where error.status == .contentTooLarge: return .bodyTooLarge
        case let error as any HTTPResponseError where (400..<500).contains(error.status.code):
            return APIError(error.status, code: "BAD_REQUEST", message: "请求有误")
        default: return .internalError
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return ([path(context), key.stringValue].filter { !$0.isEmpty }).joined(separator: ".")
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return path(context)
        case .dataCorrupted(let context): return path(context).isEmpty ? "JSON" : path(context)
        @unknown default: return "JSON"
        }
    }
}

extension Request {
    /// The body as bytes (a file), refusing one over the context's limit with 413.
    public func collectBytes(context: AppRequestContext) async throws -> [UInt8] {
        do {
            var request = self
            return Array(try await request.collectBody(upTo: context.maxUploadSize).readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge
        }
    }

    /// Decodes a JSON body, refusing bodies over the context's limit with 413, control characters
    /// in any string with 422 `CONTROL_CHARACTER`, a missing or mistyped field with 422 naming it,
    /// and what is not JSON with 400 `MALFORMED_JSON`.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            var request = self
            buffer = try await request.collectBody(upTo: context.maxUploadSize)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge
        }
        if let scalar = JSONTextGuard.firstControlCharacter(in: buffer.readableBytesView) {
            throw APIError.controlCharacter(scalar)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        }
    }
}
