import DemandDomain
import Foundation
import Hummingbird
import InputValidation
import Logging
import PlatformAPI
import PostgresStorage
import ServiceLifecycle
import ServiceRuntime
import Tenancy

/// The web platform: pages for every role over the services' APIs, sessions in Postgres.
public enum PortalApp {
    public static func build(settings: PortalSettings) async throws -> some ApplicationProtocol {
        Observability.bootstrap(logLevel: settings.runtime.logLevel)
        let logger = {
            var logger = Logger(label: settings.runtime.instanceName)
            logger.logLevel = settings.runtime.logLevel
            return logger
        }()
        let tracing = try PlatformTracing.bootstrap(serviceName: settings.runtime.instanceName, logger: logger)
        let database = Database(settings: settings.runtime.postgres, logger: logger)
        let gate = StartupGate()
        let router = try await buildRouter(settings: settings, database: database, gate: gate, logger: logger)
        return Application(
            router: router,
            server: .platformHTTP1(logger: logger),
            configuration: .init(address: .hostname(settings.runtime.httpHost, port: settings.runtime.httpPort),
                serverName: settings.runtime.instanceName),
            services: [database.client, MigrationService(database: database, migrations: SessionStore.migrations, gate: gate, logger: logger)]
                + (tracing.map { [$0] } ?? []),
            onServerRunning: { channel in
                logger.info("Listening", metadata: [
                    "url": "http://\(settings.runtime.httpHost):\(channel.localAddress?.port ?? settings.runtime.httpPort)/"
                ])
            },
            logger: logger)
    }

    /// The portal's router; needs Postgres only when a request reaches the sessions.
    public static func buildRouter(settings: PortalSettings, database: Database, gate: StartupGate, logger: Logger) async throws
        -> Router<PortalContext>
    {
        let pages = try await PageRenderer(rules: settings.rules)
        let sessions = SessionStore(database: database, lifetime: settings.sessionLifetime)
        let router = Router(context: PortalContext.self)
        router.add(middleware: TracingMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        guard let staticDirectory = Bundle.module.resourceURL?.appendingPathComponent("static").path else {
            throw ConfigurationError(setting: "portal resources", problem: "are not bundled")
        }
        router.add(middleware: FileMiddleware(staticDirectory, urlBasePath: "/static", cacheControl: .init([(MediaType(type: .any), [.maxAge(3600)])]),
            logger: logger))
        router.add(middleware: FileMiddleware(settings.vendorDirectory, urlBasePath: "/vendor",
            cacheControl: .init([(MediaType(type: .any), [.maxAge(86_400)])]), logger: logger))
        router.get("healthz") { _, _ in "ok" }
        router.get("readyz") { _, _ -> Response in
            let ready = gate.isOpen ? await database.isReachable() : false
            return Response(status: ready ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: ready ? "ready" : "not ready")))
        }
        let site = router.group()
        site.add(middleware: ErrorPageMiddleware(pages: pages, sessions: sessions))
        site.add(middleware: SessionMiddleware(sessions: sessions))
        // A person waits for a page: a service that is down is reported after a few seconds, not thirty.
        let client = PlatformClient(resolve: { settings.url($0, tier: $1) }, timeout: .seconds(6))
        let loginUnits = LoginUnitCatalog(client: client, tiers: settings.runtime.tenants.tenants.map(\.id), logger: logger)
        PortalRoutes(client: client, sessions: sessions, pages: pages, rules: settings.rules, secureCookies: settings.secureCookies,
            loginUnits: loginUnits)
            .register(on: site)
        return router
    }
}
