import DemandDomain
import Foundation
import InputValidation
import Kafka
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import Tenancy

/// Keeps a service's demands current after it handed them on: every status event of a demand held
/// here updates its state and position, and every status event of a parent tier's copy of a demand
/// this tier escalated updates the position of the original. So intake and dispatch say where a
/// demand is now, not where they last saw it.
///
/// Applying news is idempotent and ignores anything older than what is held, so the consumer may
/// see events late, twice, or from several producers out of order, and needs no inbox.
public struct DemandFollower: Sendable {
    /// The tier whose demands are followed; nil for a service that holds every tier's (handling).
    public let tier: TenantID?
    public let recorder: DemandRecorder
    /// States in which the demand is this service's to act on again (dispatch: awaiting dispatch,
    /// after a return). A status event that brings a held demand into one extends the history held
    /// here at once, so that the service can act as soon as its lists show the demand, without
    /// waiting for the record that its inbox brings a moment later.
    public let takesOver: @Sendable (DemandState) -> Bool

    /// How long a follower gathers status events before it applies them, in one transaction: news
    /// that is a fifth of a second later costs far fewer commits when demands move quickly.
    public static let linger = Duration.milliseconds(200)

    public init(tier: TenantID?, recorder: DemandRecorder, takesOver: @escaping @Sendable (DemandState) -> Bool) {
        self.tier = tier
        self.recorder = recorder
        self.takesOver = takesOver
    }

    var rules: TierRules { recorder.rules }
    var repository: DemandRepository { recorder.repository }

    /// The status topics to read: the tier's own and its parent's (where escalated copies report).
    public var topics: [String] {
        guard let tier else { return [Topics.allStatus] }
        return [Topics.status(tier)] + (rules.tree[tier]?.parent.map { [Topics.status($0)] } ?? [])
    }

    /// Whether a message can concern a demand held here, from its Kafka headers alone: status
    /// events of the tiers followed, and of the parent tier only those of demands escalated from
    /// this one. The consumer passes over the rest without touching the database.
    public func accepts(_ message: KafkaConsumerMessage) -> Bool {
        guard message.header(EventHeader.type)?.stringValue == EventType.demandStatus else { return false }
        guard let tier else { return true }
        return Topics.tenant(ofTopic: message.topic) == tier
            || message.header(EventHeader.originTenant)?.stringValue == tier.rawValue
    }

    /// Applies a batch of status events: takes over, event by event, the steps that make a demand
    /// this service's again, then moves every position the batch tells of in one statement.
    public func follow(_ events: [IncomingEvent], on connection: PostgresConnection) async throws {
        var news: [DemandNews] = []
        for (index, event) in events.enumerated() {
            do {
                news += try await read(event, on: connection)
            } catch let rejection as EventRejection {
                throw RefusedEvent(index: index, rejection: rejection)
            }
        }
        try await repository.follow(news, on: connection)
    }

    /// What one status event tells of the demands held here: of a demand itself (depth 0), and of the
    /// original a parent tier's copy was escalated from (depth 1).
    private func read(_ event: IncomingEvent, on connection: PostgresConnection) async throws -> [DemandNews] {
        // Deadline alerts share the status topics; they move nothing.
        guard event.header.type == EventType.demandStatus else { return [] }
        let news = try event.decode(DemandStatusNews.self).data
        let position = DemandPosition(news, tree: rules.tree)
        // The units holding a demand now may read the copy of a service that handed it on (intake's
        // files with it); handling's own rows name them already.
        let units = tier == nil || !news.state.isWithUnits
            ? [] : ([news.demand.leadUnit].compactMap { $0 } + news.demand.cooperatingUnits).map(\.id)
        var told: [DemandNews] = []
        if follows(news.demand.tenant) {
            if takesOver(news.state) {
                _ = try await recorder.extend(news.demand.id, toSequence: news.transition.sequence, on: connection) {
                    try event.decode(DemandStatusEvent.self).data.transition
                }
            }
            var merger: Merger?
            if news.transition.kind == .merge, case .merge(let value) = try event.decode(DemandStatusEvent.self).data.transition.action {
                merger = value
            }
            told.append(DemandNews(id: news.demand.id, position: position, depth: 0, unitIDs: units, merger: merger))
        }
        if let origin = news.demand.origin, follows(origin.tenant) {
            told.append(DemandNews(id: origin.demandID, position: position, depth: 1, unitIDs: units))
        }
        return told
    }

    private func follows(_ tenant: TenantID) -> Bool { tier == nil || tier == tenant }
}
