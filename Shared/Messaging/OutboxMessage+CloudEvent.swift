import Foundation
import PlatformWire
import PostgresStorage
import Tenancy

extension OutboxMessage {
    /// An outbox row carrying a CloudEvent; the event's subject is the Kafka key, so every event
    /// of one demand lands on one partition, in order.
    public static func event<Payload: Codable & Sendable>(
        _ type: String,
        topic: String,
        source: String,
        tenant: TenantID,
        subject: String,
        time: Date,
        data: Payload,
        id: UUID = UUID(),
        headers: [String: String] = [:]
    ) throws -> OutboxMessage {
        let event = CloudEvent(id: id, source: source, type: type, subject: subject, time: time, tenant: tenant, data: data)
        let attributes = CloudEventHeader(id: id, source: source, type: type, subject: subject, time: time, tenant: tenant)
        return OutboxMessage(
            eventID: id, topic: topic, key: subject, payload: try EventCoding.encode(event),
            headers: headers.merging(attributes.kafkaHeaders) { $1 })
    }
}
