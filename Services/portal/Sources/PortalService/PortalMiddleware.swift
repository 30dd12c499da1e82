import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PlatformAPI

/// Finds the session the cookie names and puts it in the context.
struct SessionMiddleware: RouterMiddleware {
    let sessions: SessionStore

    static let allowedBeforePasswordChange: Set<String> = ["/me/password", "/logout", "/login"]

    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if let id = request.cookies[PortalRoutes.sessionCookie]?.value, !id.isEmpty {
            context.session = try await sessions.find(id)
        }
        // Someone still on the office's initial password chooses their own before anything else (002 §1).
        if context.session?.api.mustChangePassword == true, !Self.allowedBeforePasswordChange.contains(request.uri.path) {
            return PortalRoutes.redirect("/me/password")
        }
        return try await next(request, context)
    }
}

/// Headers of every answer: only this site's own scripts, styles and images; no framing.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = PortalContext

    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return response
    }
}

/// Turns what went wrong into a page in Chinese: the login page when the session is missing or the
/// services no longer accept its token, and an error page (never a stack trace) otherwise.
struct ErrorPageMiddleware: RouterMiddleware {
    let pages: PageRenderer
    let sessions: SessionStore

    func handle(_ request: Request, context: PortalContext, next: (Request, PortalContext) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch PortalError.loginRequired {
            return PortalRoutes.redirect("/login")
        } catch let error as APICallError where error.status == 401 {
            if let session = context.session { try? await sessions.delete(session.id) }
            return PortalRoutes.redirect("/login")
        } catch {
            let (status, message) = Self.describe(error)
            if status.code >= 500 {
                context.logger.error("Page failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            } else {
                context.logger.info("Page refused", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            return pages.page("error", title: "出错了", session: context.session, status: status, [
                "status": status.code, "message": message,
            ])
        }
    }

    static func describe(_ error: any Error) -> (HTTPResponse.Status, String) {
        switch error {
        case PortalError.forbidden: return (.forbidden, "您的账号无权使用此页面")
        case PortalError.notFound: return (.notFound, "页面不存在")
        case PortalError.staleForm: return (.forbidden, "表单已过期或来源不明，未作任何更改。请返回刷新页面后重试")
        case PortalError.badRequest(let message): return (.badRequest, message)
        case let error as APICallError where error.status == 403: return (.forbidden, error.message)
        case let error as APICallError where error.status == 404: return (.notFound, "诉求不存在，或您无权查看")
        case let error as APICallError where (400..<500).contains(error.status):
            return (HTTPResponse.Status(code: Int(error.status)), error.message)
        case let error as HTTPError where error.status == .contentTooLarge: return (.contentTooLarge, "提交的内容过大")
        case let error as any HTTPResponseError where error.status == .contentTooLarge: return (.contentTooLarge, "提交的内容过大")
        case let error as HTTPError where error.status == .notFound: return (.notFound, "页面不存在")
        default: return (.serviceUnavailable, "服务暂时不可用，请稍后再试。如持续出现，请联系本级双千办")
        }
    }
}
