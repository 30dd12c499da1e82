import Foundation
import Tenancy

/// A CloudEvents 1.0 envelope in JSON (structured mode), with the tenant as an extension attribute.
///
/// `type` carries the version (`cn.qyfw.demand.status.v1`); consumers ignore fields they do not
/// know, and treat an unknown type or an undecodable body as a dead letter, never a crash.
public struct CloudEvent<Payload: Codable & Sendable>: Codable, Sendable {
    public var specversion = "1.0"
    public var id: UUID
    /// `/tiers/<tenant>/<service>`.
    public var source: String
    public var type: String
    /// The demand (or directory entry) the event is about; also the Kafka message key.
    public var subject: String?
    public var time: Date
    public var tenant: TenantID
    public var datacontenttype = "application/json"
    public var data: Payload

    public init(id: UUID = UUID(), source: String, type: String, subject: String?, time: Date, tenant: TenantID, data: Payload) {
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.tenant = tenant
        self.data = data
    }
}

/// The envelope's attributes without its data, to route a message before decoding its body.
public struct CloudEventHeader: Codable, Sendable, Hashable {
    public var specversion: String
    public var id: UUID
    public var source: String
    public var type: String
    public var subject: String?
    public var time: Date
    public var tenant: TenantID

    public init(id: UUID, source: String, type: String, subject: String?, time: Date, tenant: TenantID) {
        self.specversion = "1.0"
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.tenant = tenant
    }
}

extension CloudEventHeader {
    /// The attributes as Kafka headers (``EventHeader``), for consumers to route and deduplicate a
    /// message without reading its body first.
    public var kafkaHeaders: [String: String] {
        var headers = [
            EventHeader.id: id.uuidString, EventHeader.type: type, EventHeader.source: source,
            EventHeader.time: WireTime.format(time), EventHeader.tenant: tenant.rawValue,
        ]
        headers[EventHeader.subject] = subject
        return headers
    }

    /// The attributes from a message's Kafka headers; nil when one is missing or malformed (a
    /// message from another producer), and then the body tells them.
    public init?(kafkaHeader value: (String) -> String?) {
        guard let id = value(EventHeader.id).flatMap(UUID.init(uuidString:)), let type = value(EventHeader.type),
            let source = value(EventHeader.source), let time = value(EventHeader.time).flatMap(WireTime.parse),
            let tenant = value(EventHeader.tenant)
        else { return nil }
        self.init(id: id, source: source, type: type, subject: value(EventHeader.subject), time: time, tenant: TenantID(rawValue: tenant))
    }
}

/// JSON coding shared by every producer and consumer: ISO 8601 times with milliseconds.
public enum EventCoding {
    /// The platform's JSON encoder. One instance serves every caller: an encoder is safe to use
    /// from many tasks at once, and making one per event, row or answer took about 2 % of a
    /// service's CPU in a profile. Its settings must not be changed.
    public static func encoder() -> JSONEncoder { sharedEncoder }

    /// The platform's JSON decoder, shared like ``encoder()``.
    public static func decoder() -> JSONDecoder { sharedDecoder }

    private static let sharedEncoder = makeEncoder()
    private static let sharedDecoder = makeDecoder()

    private static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(WireTime.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    private static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = WireTime.parse(text) { return date }
            // Another offset than `Z`, written by someone else.
            if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time: \(text)")
        }
        return decoder
    }

    /// A value as JSON text, for a statement's `jsonb` parameter or a text column.
    public static func text(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    public static func encode<Payload>(_ event: CloudEvent<Payload>) throws -> Data {
        try encoder().encode(event)
    }

    public static func header(of data: Data) throws -> CloudEventHeader {
        try decoder().decode(CloudEventHeader.self, from: data)
    }

    public static func decode<Payload>(_ type: Payload.Type, from data: Data) throws -> CloudEvent<Payload> {
        try decoder().decode(CloudEvent<Payload>.self, from: data)
    }
}

/// Kafka headers beside the CloudEvent, for consumers that pick messages before decoding them:
/// its attributes (``CloudEventHeader/kafkaHeaders``), and what else a consumer may pass over by.
public enum EventHeader {
    public static let id = "ce-id"
    /// The CloudEvent's type.
    public static let type = "ce-type"
    public static let source = "ce-source"
    /// In ``WireTime``'s form.
    public static let time = "ce-time"
    public static let tenant = "ce-tenant"
    public static let subject = "ce-subject"
    /// On status events of a demand escalated from below: the tier it came from, which follows it.
    public static let originTenant = "origin-tenant"
}
