import Foundation
import Hummingbird
import InputValidation
import Kafka
import Logging
import Messaging
import PostgresNIO
import PostgresStorage
import ServiceLifecycle
import Synchronization
import Tenancy

/// Everything a service is built from: settings, logger, database, Kafka producer and outbox relay,
/// token verification, and the start-up gate that opens once migrations are applied.
public final class PlatformRuntime: Sendable {
    public let settings: RuntimeSettings
    public let logger: Logger
    /// The service's own pool: consumers, scanners, actions, the outbox relay.
    public let database: Database
    /// The pool for people's reads: ``database`` itself, unless the service's own connections start
    /// with session parameters of their own (a scope that sees every row), in which case a second
    /// pool whose connections start with none, so that a read sees only what its transaction enters.
    public let readers: Database
    public let producer: KafkaProducer
    public let relay: OutboxRelay
    public let tokens: TokenService
    /// Renders the service's Word documents as PDF.
    public let pdf: PDFRenderer
    public let startup = StartupGate()
    /// Readers waiting for a record to change, woken by the commits that note it.
    public let changes = ChangeFeed()
    /// Exports spans when tracing is configured (``PlatformTracing``).
    private let tracing: (any Service)?
    /// The consumers made by ``consumer(name:topics:afterCommit:handler:)``, watched by readiness.
    private let consumers = Mutex<[EventConsumer]>([])
    /// The member of the consumer group `<instance>` that the consumers share, made with the first.
    private let groupMember = Mutex<KafkaConsumer?>(nil)
    private let migrations: [Migration]
    private let startupTasks: [@Sendable (PlatformRuntime) async throws -> Void]

    /// - Parameters:
    ///   - migrations: The service's own migrations; the outbox and inbox tables come first.
    ///   - startupTasks: Work to finish after migrations and before consumers start (for example
    ///     recomputing deadlines when the calendar changed).
    ///   - ownSession: Run-time parameters the connections of ``database`` start with (not those
    ///     of ``readers``).
    ///   - ownsProcess: Whether this runtime sets up the process's logging, metrics and tracing (a
    ///     service's does; a test that builds routes in process leaves them alone).
    public init(
        settings: RuntimeSettings,
        migrations: [Migration],
        startupTasks: [@Sendable (PlatformRuntime) async throws -> Void] = [],
        ownSession: [String: String] = [:],
        ownsProcess: Bool = true
    ) async throws {
        if ownsProcess { Observability.bootstrap(logLevel: settings.logLevel) }
        var logger = Logger(label: settings.instanceName)
        logger.logLevel = settings.logLevel
        self.settings = settings
        self.logger = logger
        self.tracing = ownsProcess ? try PlatformTracing.bootstrap(serviceName: settings.instanceName, logger: logger) : nil
        var own = settings.postgres
        own.sessionParameters.merge(ownSession) { $1 }
        self.database = Database(settings: own, logger: logger)
        self.readers = ownSession.isEmpty ? database : Database(settings: settings.postgres, logger: logger)
        self.producer = try KafkaProducer(
            configuration: .init(bootstrapServers: settings.kafkaBootstrapServers, clientID: settings.instanceName,
                overrides: settings.kafkaProperties),
            logger: logger)
        self.relay = OutboxRelay(database: database, producer: producer, logger: logger)
        self.tokens = await TokenService(settings: settings.auth)
        self.pdf = PDFRenderer(executable: settings.officeConverter, logger: logger)
        self.migrations = MessagingTables.migrations + migrations
        self.startupTasks = startupTasks
        if settings.auth.usesDevelopmentKey {
            logger.warning("Using the development token signing key; set AUTH_SIGNING_KEY outside development")
        }
    }

    /// `/tiers/<tier>/<service>` or `/platform/<service>`: the CloudEvents source of this process.
    public var eventSource: String {
        settings.tier.map { "/tiers/\($0)/\(settings.service.rawValue)" } ?? "/platform/\(settings.service.rawValue)"
    }

    /// A consumer of this service. Its topics' partitions are read through the process's one member
    /// of the consumer group `<instance>`; with a `group`, it reads instead as a member of its own
    /// in `<instance>.<group>` (a replay from the beginning). After each commit it wakes the outbox
    /// relay if the batch recorded messages and the readers waiting for what it changed, and runs
    /// `afterCommit`, if given; `prepare` runs first
    /// in each batch's transaction.
    public func consumer(
        name: String,
        group: String? = nil,
        topics: [String],
        accepts: @escaping @Sendable (KafkaConsumerMessage) -> Bool = { _ in true },
        deduplicates: Bool = true,
        linger: Duration = .zero,
        afterCommit: @escaping @Sendable () -> Void = {},
        prepare: @escaping @Sendable (PostgresConnection) async throws -> Void = { _ in },
        scope: (any EventBatchScope)? = nil,
        handler: @escaping EventHandler
    ) throws -> EventConsumer {
        try register(group: group, then: afterCommit) { source, afterCommit in
            EventConsumer(name: name, topics: topics, source: source, database: database, logger: logger, accepts: accepts,
                deduplicates: deduplicates, linger: linger, afterCommit: afterCommit, prepare: prepare, scope: scope,
                handling: .each(handler))
        }
    }

    /// A consumer of this service that applies each batch's events together (``EventBatchHandler``),
    /// otherwise like ``consumer(name:group:topics:accepts:deduplicates:linger:afterCommit:prepare:scope:handler:)``.
    public func batchConsumer(
        name: String,
        group: String? = nil,
        topics: [String],
        accepts: @escaping @Sendable (KafkaConsumerMessage) -> Bool = { _ in true },
        deduplicates: Bool = true,
        linger: Duration = .zero,
        prepare: @escaping @Sendable (PostgresConnection) async throws -> Void = { _ in },
        batchHandler: @escaping EventBatchHandler
    ) throws -> EventConsumer {
        try register(group: group, then: {}) { source, afterCommit in
            EventConsumer(name: name, topics: topics, source: source, database: database, logger: logger, accepts: accepts,
                deduplicates: deduplicates, linger: linger, afterCommit: afterCommit, prepare: prepare, handling: .batch(batchHandler))
        }
    }

    /// Makes a consumer reading from its source (the shared group member, or with a `group` a member
    /// of its own), acting on what each commit noted (``committed(_:)``), and watched by readiness.
    private func register(
        group: String?, then afterCommit: @escaping @Sendable () -> Void,
        _ make: (EventConsumer.Source, @escaping @Sendable (_ notes: Set<String>) -> Void) -> EventConsumer
    ) throws -> EventConsumer {
        let source: EventConsumer.Source =
            if let group { .ownGroup(consumerConfiguration(group: "\(settings.instanceName).\(group)")) }
            else { .member(try sharedGroupMember()) }
        let consumer = make(source) { [self] notes in
            committed(notes)
            afterCommit()
        }
        consumers.withLock { $0.append(consumer) }
        return consumer
    }

    private func sharedGroupMember() throws -> KafkaConsumer {
        try groupMember.withLock { member in
            if let member { return member }
            let made = try KafkaConsumer(
                configuration: consumerConfiguration(group: settings.instanceName), logger: logger)
            member = made
            return made
        }
    }

    /// A member of `group`, named after it.
    private func consumerConfiguration(group: String) -> KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(bootstrapServers: settings.kafkaBootstrapServers, groupID: group, clientID: group,
            overrides: settings.kafkaProperties)
    }

    /// Runs `body` in a transaction, its outbox messages recorded together at its end, then wakes
    /// the relay so that they go out at once and readers waiting for what it changed look again.
    public func transaction<Value: Sendable>(
        file: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        let logger = self.logger
        let (result, notes) = try await CommitNotes.watching {
            try await database.transaction(file: file, line: line) { connection in
                try await Outbox.batching(on: connection, logger: logger) { try await body(connection) }
            }
        }
        committed(notes)
        return result
    }

    /// Acts on what a transaction noted once it committed (``CommitNotes``): the relay is woken
    /// when it recorded messages, and readers waiting for a record it changed (``changes``) look again.
    public func committed(_ notes: Set<String>) {
        guard !notes.isEmpty else { return }
        if notes.contains(Outbox.noteName) { relay.wake() }
        changes.announce(notes)
    }

    /// The router every service starts from: error handling, token verification, `/healthz`,
    /// `/readyz` and `/metrics`. `largeBodies` names the paths (by prefix) that take files, with their limits.
    public func router(largeBodies: [String: Int] = [:]) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: TracingMiddleware())
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: BodyLimitMiddleware(largeBodies: largeBodies))
        router.add(middleware: AuthMiddleware(tokens: tokens))
        router.get("healthz") { _, _ in HealthStatus(status: "ok", service: self.settings.instanceName) }
        router.get("readyz") { _, _ -> Response in
            let readiness = await self.readiness()
            let data = try JSONEncoder().encode(readiness)
            return Response(
                status: readiness.ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: Observability.exposition())))
        }
        return router
    }

    public struct HealthStatus: ResponseEncodable {
        var status: String
        var service: String
    }

    public struct Readiness: Codable, Sendable {
        public var ready: Bool
        public var migrated: Bool
        public var postgres: Bool
        public var kafka: Bool
        /// Consumers holding messages they could not apply for too long.
        public var stalledConsumers: [String]
    }

    /// Ready when migrations are applied, both Postgres and a Kafka broker answer, and no consumer
    /// has held messages it could not apply for longer than `CONSUMER_STALL_SECONDS`.
    public func readiness() async -> Readiness {
        let migrated = startup.isOpen
        async let postgres = database.isReachable()
        async let kafka = (try? await producer.checkBrokers(timeout: .seconds(2))) != nil
        let (postgresUp, kafkaUp) = await (postgres, kafka)
        let limit = settings.consumerStallLimit
        let stalled = consumers.withLock { $0 }.filter { ($0.stalledFor ?? .zero) > limit }.map(\.consumerName)
        return Readiness(ready: migrated && postgresUp && kafkaUp && stalled.isEmpty, migrated: migrated, postgres: postgresUp,
            kafka: kafkaUp, stalledConsumers: stalled)
    }

    /// The application: the HTTP server plus the pool, migrations, producer, relay and any consumers
    /// and scanners, all stopped gracefully (in reverse) on SIGTERM or SIGINT. The router must match
    /// `openAPI` (served at `/openapi.yaml`) operation for operation.
    public func application(
        router: Router<AppRequestContext>, openAPI: String, services: [any Service] = []
    ) throws -> some ApplicationProtocol {
        let openAPI = OpenAPIDocument.merged(openAPI)
        router.get("openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: openAPI)))
        }
        try OpenAPIOperations(routes: router.routes).requireSame(as: OpenAPIOperations(document: openAPI))
        // The shared group member comes before its consumers, so that it leaves the group after they stop.
        let member: [any Service] = groupMember.withLock { $0 }.map { [ConsumerGroupMember($0)] } ?? []
        let gated: [any Service] = ([relay] + member + services).map { GatedService(gate: startup, $0) }
        let pools: [any Service] = readers.client === database.client ? [database.client] : [database.client, readers.client]
        return Application(
            router: router,
            server: .platformHTTP1(logger: logger),
            configuration: .init(address: .hostname(settings.httpHost, port: settings.httpPort), serverName: settings.instanceName),
            services: pools + [
                MigrationService(database: database, migrations: migrations, gate: startup, logger: logger) {
                    for task in self.startupTasks { try await task(self) }
                },
                ProducerService(producer: producer),
            ] + (tracing.map { [$0] } ?? []) + gated,
            onServerRunning: { [logger, settings] channel in
                logger.info("Listening", metadata: [
                    "address": "\(settings.httpHost):\(channel.localAddress?.port ?? settings.httpPort)",
                    "tier": "\(settings.tier?.rawValue ?? "all")",
                ])
            },
            logger: logger
        )
    }

    /// Keeps the producer open until shutdown, then flushes what is still in flight.
    struct ProducerService: Service {
        let producer: KafkaProducer

        func run() async throws {
            try? await gracefulShutdown()
            await producer.shutdown(timeout: .seconds(10))
        }
    }
}
