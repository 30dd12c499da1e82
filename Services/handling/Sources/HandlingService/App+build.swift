import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import Messaging
import PlatformEvents
import PlatformWire
import ServiceRuntime
import Tenancy

/// Builds handling (one process serves every tier): its HTTP API, the consumers of every tier's
/// assignments and status events (a copy it handed back follows the demand), the
/// sign/result/rating deadline scan, the class-B promise scan, and the runtime underneath.
public func buildHandlingApplication(settings: RuntimeSettings) async throws -> some ApplicationProtocol {
    let rules = try TierRules.load(settings)
    let recomputeLater = StartupWork()
    let runtime = try await PlatformRuntime(
        settings: settings, migrations: HandlingMigrations.all, startupTasks: [{ runtime in try await recomputeLater.run(runtime) }],
        ownSession: DemandScope.serviceSession)
    let handling = HandlingWorkflow(runtime: runtime, rules: rules)
    recomputeLater.set { runtime in
        _ = try await handling.recorder.recomputeStaleDeadlines(database: runtime.database)
    }
    let router = runtime.router()
    HandlingRoutes(handling: handling).register(on: router)
    let assignments = try runtime.consumer(name: "assignments", topics: [Topics.allHandlingInboxes]) { event, connection in
        try await handling.receiveAssignment(event, on: connection)
    }
    let follower = DemandFollower(tier: nil, recorder: handling.recorder) { HandlingWorkflow.heldHere($0) }
    let statuses = try runtime.batchConsumer(name: "status", topics: follower.topics, accepts: follower.accepts, deduplicates: false,
        linger: DemandFollower.linger
    ) { events, connection in
        try await follower.follow(events, on: connection)
    }
    let scanner = DeadlineScanner(database: runtime.database, recorder: handling.recorder,
        interval: settings.deadlineScanInterval, afterExpiry: handling.sendFollowUps,
        afterCommit: runtime.committed)
    let promises = PromiseScanner(database: runtime.database, repository: handling.recorder.repository, source: runtime.eventSource)
    let promiseScan = RepeatingWork("Promise scan", every: settings.deadlineScanInterval, logger: runtime.logger) {
        if try await promises.scan() > 0 { runtime.relay.wake() }
    }
    return try runtime.application(
        router: router, openAPI: try resourceText("openapi", "yaml", bundle: .module),
        services: [assignments, statuses, scanner, promiseScan])
}
