import Foundation
import Hummingbird
import InputValidation
import Tenancy

/// An error answered to a client: an HTTP status, a stable code, a Simplified Chinese message, and
/// for invalid input the problem of each field.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var issues: [FieldIssue]

    public init(_ status: HTTPResponse.Status, code: String, message: String, issues: [FieldIssue] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.issues = issues
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var issues: [FieldIssue]?
        }
        var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try jsonBody())))
    }

    /// `{"error": {"code": …, "message": …, "issues": […]}}`, the body of every error answer.
    func jsonBody() throws -> Data {
        try JSONEncoder().encode(Body(error: .init(code: code, message: message, issues: issues.isEmpty ? nil : issues)))
    }

    var headers: HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return headers
    }

    public static let unauthenticated = APIError(.unauthorized, code: "UNAUTHENTICATED", message: "请先登录")
    public static let invalidCredentials = APIError(.unauthorized, code: "INVALID_CREDENTIALS", message: "用户名或密码错误")
    /// 422: people of this name log in under several units; the login must say which (002 §1).
    public static let unitRequired = APIError(.unprocessableContent, code: "UNIT_REQUIRED", message: "有多个单位的人员使用此姓名，请选择所在单位")
    /// 429: too many wrong passwords for this login or from this address.
    public static func loginLocked(minutes: Int) -> APIError {
        APIError(.tooManyRequests, code: "LOGIN_LOCKED", message: "登录失败次数过多，已暂时锁定，请\(minutes)分钟后再试")
    }
    public static let invalidToken = APIError(.unauthorized, code: "INVALID_TOKEN", message: "登录已失效，请重新登录")
    public static func forbiddenRole(_ role: Role) -> APIError {
        APIError(.forbidden, code: "ROLE_NOT_ALLOWED", message: "\(role.chineseName)无权进行此操作")
    }
    public static let forbiddenTenant = APIError(.forbidden, code: "TENANT_NOT_ALLOWED", message: "无权访问其他地区的数据")
    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "NOT_FOUND", message: "\(what)不存在")
    }
    public static func malformedJSON(_ detail: String) -> APIError {
        APIError(.badRequest, code: "MALFORMED_JSON", message: "请求内容不是有效的JSON：\(detail)")
    }
    /// A body that is JSON but not the document the operation takes: 422 naming the field when a
    /// field is missing or of the wrong type, 400 when it is not JSON at all.
    public init(decoding error: DecodingError) {
        let field = ErrorMiddleware.describe(error)
        switch error {
        case .keyNotFound, .valueNotFound:
            self = .invalid(code: "MISSING_FIELD", message: "缺少必填字段：\(field)", field: field)
        case .typeMismatch:
            self = .invalid(code: "INVALID_FIELD", message: "字段类型或取值不正确：\(field)", field: field)
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            self = .invalid(code: "INVALID_FIELD", message: "字段类型或取值不正确：\(field)", field: field)
        default:
            self = .malformedJSON(field)
        }
    }
    /// Text with a control character (NUL and the like), which no field may hold.
    public static func controlCharacter(_ scalar: UInt32) -> APIError {
        APIError(.unprocessableContent, code: "CONTROL_CHARACTER",
            message: "内容含有不可见的控制字符（U+\(String(format: "%04X", scalar))），请删除后重试")
    }
    public static let bodyTooLarge = APIError(.contentTooLarge, code: "BODY_TOO_LARGE", message: "请求内容过大")
    public static func unknownTenant(_ text: String) -> APIError {
        APIError(.notFound, code: "UNKNOWN_TENANT", message: "地区“\(text)”不存在")
    }
    /// 422: the request is well-formed but its content is not acceptable.
    public static func invalid(code: String, message: String, field: String? = nil) -> APIError {
        APIError(.unprocessableContent, code: code, message: message,
            issues: field.map { [FieldIssue(code: code, field: $0, message: message)] } ?? [])
    }
    /// 400: the request itself is wrong (a header, a query parameter).
    public static func badRequest(code: String, message: String) -> APIError {
        APIError(.badRequest, code: code, message: message)
    }
    /// 409: the request conflicts with the current state.
    public static func conflict(code: String, message: String) -> APIError {
        APIError(.conflict, code: code, message: message)
    }
    /// 421: the request belongs to another tier's instance of the service.
    public static func wrongTier(message: String) -> APIError {
        APIError(.misdirectedRequest, code: "WRONG_TIER", message: message)
    }
    public static let internalError = APIError(.internalServerError, code: "INTERNAL_ERROR", message: "服务器内部错误，请稍后再试")
    public static let unavailable = APIError(.serviceUnavailable, code: "SERVICE_UNAVAILABLE", message: "服务暂时不可用，请稍后再试")

    public init(_ error: ValidationError) {
        self.init(.unprocessableContent, code: error.code, message: error.issues.first?.message ?? "输入有误", issues: error.issues)
    }
}

/// An error of a lower layer that says how it is answered to a client (``ErrorMiddleware``).
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}

extension ValidationError: APIErrorConvertible {
    public var apiError: APIError { APIError(self) }
}
