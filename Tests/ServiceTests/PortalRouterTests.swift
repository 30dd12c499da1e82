import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InputValidation
import LocalStack
import Logging
import PlatformAPI
import PortalService
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy
import Testing

/// The portal's router in process, over real Postgres (sessions), with the services' APIs down:
/// what it refuses, and that it says so in Chinese without changing anything.
@Suite("Portal router", .enabled(if: StackEnvironment.current.hasPostgres), .timeLimit(.minutes(3)))
struct PortalRouterTests {
    let environment = StackEnvironment.current

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func settings() async throws -> PortalSettings {
        // Port 9 (discard) is closed here: every service the portal calls is down.
        let down = "http://127.0.0.1:9"
        let tenantsFile = Self.repositoryRoot + "/deploy/local/tenants.json"
        let tiers = try JSONDecoder().decode(TenantTree.self, from: Data(contentsOf: URL(fileURLWithPath: tenantsFile))).tenants
        let everyTierDown = tiers.map { "\($0.id)=\(down)" }.joined(separator: ",")
        return try await PortalSettings.load(environment: [
            "TENANTS_FILE": tenantsFile,
            "POSTGRES_HOST": environment.postgresHost, "POSTGRES_PORT": String(environment.postgresPort),
            "POSTGRES_USER": environment.postgresUser, "POSTGRES_PASSWORD": environment.postgresPassword,
            "POSTGRES_DATABASE": environment.postgresDatabase, "POSTGRES_SCHEMA": "portal_router_test", "LOG_LEVEL": "error",
            "PORTAL_INTAKE_URLS": everyTierDown, "PORTAL_DISPATCH_URLS": everyTierDown,
            "PORTAL_HANDLING_URL": down, "PORTAL_NOTIFIER_URL": down, "PORTAL_REPORTING_URL": down,
        ])
    }

    /// Runs `body` against the portal's router with its sessions table migrated.
    func withPortal(_ body: @escaping @Sendable (any TestClientProtocol, SessionStore) async throws -> Void) async throws {
        let settings = try await settings()
        let database = Database(settings: settings.runtime.postgres, logger: Logger(label: "portal-test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await MigrationRunner.apply(SessionStore.migrations, to: database)
            let gate = StartupGate()
            gate.open()
            let router = try await PortalApp.buildRouter(settings: settings, database: database, gate: gate, logger: Logger(label: "portal-test"))
            let sessions = SessionStore(database: database, lifetime: .seconds(600))
            try await Application(router: router).test(.router) { client in try await body(client, sessions) }
        }
    }

    func session(_ sessions: SessionStore, role: Role) async throws -> PortalSession {
        try await sessions.create(for: Session(token: "not-a-real-token", tier: "maojian", role: role, subject: "tester", name: "测试员",
            expiresAt: Date().addingTimeInterval(3600)))
    }

    func cookie(_ session: PortalSession) -> HTTPFields { [.cookie: "portal_session=\(session.id)"] }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test("Pages need a session: without one, every page sends the person to the login page")
    func pagesNeedASession() async throws {
        try await withPortal { client, _ in
            for path in ["/", "/home", "/demands/new", "/demands/8f1a2b3c-0000-4000-8000-000000000001"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .seeOther, "\(path)")
                    #expect(response.headers[.location] == "/login", "\(path)")
                }
            }
        }
    }

    @Test("The login page is Chinese, allows only the site's own scripts, and sets its anti-forgery cookie")
    func loginPage() async throws {
        try await withPortal { client, _ in
            try await client.execute(uri: "/login", method: .get) { response in
                #expect(response.status == .ok)
                let html = Self.text(response)
                #expect(html.contains(#"<html lang="zh-CN">"#))
                #expect(html.contains("茅箭区") && html.contains("用户登录"))
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
                #expect(response.headers[.setCookie]?.contains("portal_login=") == true)
            }
        }
    }

    @Test("A login form without its anti-forgery token is refused and logs nobody in")
    func forgedLogin() async throws {
        try await withPortal { client, _ in
            try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "tier=maojian&login=x&password=y&loginToken=forged"))
            { response in
                #expect(response.status == .forbidden)
                #expect(Self.text(response).contains("页面已过期"))
                #expect(response.headers[.setCookie]?.contains("portal_session=") != true)
            }
        }
    }

    @Test("A form without the session's CSRF token changes nothing and says why, in Chinese")
    func formWithoutCSRF() async throws {
        try await withPortal { client, sessions in
            let session = try await session(sessions, role: .cadre)
            var headers = cookie(session)
            headers[.contentType] = "application/x-www-form-urlencoded"
            for body in ["comment=同意", "comment=同意&csrf=a-token-of-another-session"] {
                try await client.execute(uri: "/demands/8f1a2b3c-0000-4000-8000-000000000001/approve", method: .post,
                    headers: headers, body: ByteBuffer(string: body))
                { response in
                    #expect(response.status == .forbidden)
                    #expect(Self.text(response).contains("表单已过期或来源不明，未作任何更改"))
                }
            }
            // The session's own token passes the check and reaches the (down) intake service.
            try await client.execute(uri: "/demands/8f1a2b3c-0000-4000-8000-000000000001/approve", method: .post,
                headers: headers, body: ByteBuffer(string: "comment=ok&csrf=\(session.csrfToken)"))
            { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test("A sheet upload is multipart with the session's CSRF token; without it, or as another role, nothing is sent on")
    func sheetUpload() async throws {
        try await withPortal { client, sessions in
            let office = try await session(sessions, role: .office)
            func multipart(csrf: String?) -> ByteBuffer {
                var parts = ["--B\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nenterprises\r\n"]
                if let csrf { parts.append("--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n") }
                parts.append("--B\r\nContent-Disposition: form-data; name=\"sheet\"; filename=\"名单.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                    + "企业名称,统一社会信用代码\r\n甲,1\r\n\r\n--B--\r\n")
                return ByteBuffer(string: parts.joined())
            }
            var headers = cookie(office)
            headers[.contentType] = "multipart/form-data; boundary=B"
            try await client.execute(uri: "/directory-import/preview", method: .post, headers: headers, body: multipart(csrf: nil)) { response in
                #expect(response.status == .forbidden)
                #expect(Self.text(response).contains("表单已过期或来源不明，未作任何更改"))
            }
            // With the token, the form is read whole and reaches the (down) intake service.
            try await client.execute(uri: "/directory-import/preview", method: .post, headers: headers,
                body: multipart(csrf: office.csrfToken))
            { response in
                #expect(response.status == .serviceUnavailable)
            }
            var urlencoded = cookie(office)
            urlencoded[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/directory-import/preview", method: .post, headers: urlencoded,
                body: ByteBuffer(string: "kind=enterprises&csrf=\(office.csrfToken)"))
            { response in
                #expect(response.status == .badRequest)
                #expect(Self.text(response).contains("表单格式不正确"))
            }
            let cadre = try await session(sessions, role: .cadre)
            headers = cookie(cadre)
            headers[.contentType] = "multipart/form-data; boundary=B"
            try await client.execute(uri: "/directory-import/preview", method: .post, headers: headers,
                body: multipart(csrf: cadre.csrfToken))
            { response in
                #expect(response.status == .forbidden)
                #expect(Self.text(response).contains("您的账号无权使用此页面"))
            }
        }
    }

    @Test("A role that may not use a page gets a Chinese 403 page")
    func wrongRole() async throws {
        try await withPortal { client, sessions in
            let session = try await session(sessions, role: .dispatcher)
            try await client.execute(uri: "/demands/new", method: .get, headers: cookie(session)) { response in
                #expect(response.status == .forbidden)
                #expect(Self.text(response).contains("您的账号无权使用此页面"))
            }
        }
    }

    @Test("When a service is down the page says so in Chinese, with no stack trace")
    func serviceDown() async throws {
        try await withPortal { client, sessions in
            let session = try await session(sessions, role: .cadre)
            try await client.execute(uri: "/home", method: .get, headers: cookie(session)) { response in
                #expect(response.status == .serviceUnavailable)
                let html = Self.text(response)
                #expect(html.contains("服务暂时不可用"))
                #expect(!html.contains("Error") && !html.contains("127.0.0.1"))
            }
        }
    }

    @Test("Logging out ends the session: its cookie opens nothing afterwards")
    func logOut() async throws {
        try await withPortal { client, sessions in
            let session = try await session(sessions, role: .enterprise)
            var headers = cookie(session)
            headers[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/logout", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(session.csrfToken)")) {
                response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
            #expect(try await sessions.find(session.id) == nil)
            try await client.execute(uri: "/home", method: .get, headers: cookie(session)) { response in
                #expect(response.headers[.location] == "/login")
            }
        }
    }
}
