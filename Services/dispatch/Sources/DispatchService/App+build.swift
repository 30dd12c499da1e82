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

/// Builds a tier's dispatch: its HTTP API, the consumers of its inbox, its directory topic and the
/// status events (where its demands are now), the dispatch deadline scan, and the runtime underneath.
public func buildDispatchApplication(settings: RuntimeSettings) async throws -> some ApplicationProtocol {
    let rules = try TierRules.load(settings)
    let recomputeLater = StartupWork()
    let runtime = try await PlatformRuntime(
        settings: settings, migrations: DemandTables.migrations(
            own: [DirectoryStore.migration(version: 10), DuplicateSearch.migration(version: 12)], categoryVersion: 11,
            mergerVersion: 13, rowSecurityVersion: 14),
        startupTasks: [{ runtime in try await recomputeLater.run(runtime) }], ownSession: DemandScope.serviceSession)
    let dispatch = DispatchWorkflow(runtime: runtime, rules: rules)
    recomputeLater.set { runtime in _ = try await dispatch.recorder.recomputeStaleDeadlines(database: runtime.database) }
    let router = runtime.router()
    DispatchRoutes(dispatch: dispatch).register(on: router)
    let tier = dispatch.tier.id
    let inbox = try runtime.consumer(name: "inbox", topics: [Topics.dispatchInbox(tier)]) { event, connection in
        try await dispatch.receive(event, on: connection)
    }
    let directory = try runtime.consumer(name: "directory", topics: [Topics.directory(tier)]) { event, connection in
        try await dispatch.receiveDirectory(event, on: connection)
    }
    let follower = DemandFollower(tier: tier, recorder: dispatch.recorder) { $0 == .awaitingDispatch }
    let statuses = try runtime.batchConsumer(name: "status", topics: follower.topics, accepts: follower.accepts, deduplicates: false,
        linger: DemandFollower.linger
    ) { events, connection in
        try await follower.follow(events, on: connection)
    }
    let scanner = DeadlineScanner(database: runtime.database, recorder: dispatch.recorder,
        interval: settings.deadlineScanInterval, afterCommit: runtime.committed)
    return try runtime.application(
        router: router, openAPI: try resourceText("openapi", "yaml", bundle: .module),
        services: [directory, inbox, statuses, scanner])
}
