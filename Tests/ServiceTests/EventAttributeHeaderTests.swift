import Foundation
import Messaging
import PlatformWire
import Tenancy
import Testing

@Suite("CloudEvent attributes in Kafka headers")
struct EventAttributeHeaderTests {
    static func message() throws -> OutboxMessage {
        try OutboxMessage.event("test.v1", topic: "tier.maojian.status", source: "/tiers/maojian/test", tenant: "maojian",
            subject: "d1", time: Date(timeIntervalSince1970: 1_709_546_400.484), data: ["n": 1])
    }

    @Test("An outbox event's Kafka headers give the attributes its body gives")
    func sameAsBody() throws {
        let message = try Self.message()
        let fromHeaders = try #require(CloudEventHeader(kafkaHeader: { message.headers[$0] }))
        #expect(fromHeaders == (try EventCoding.header(of: message.payload)))
        #expect(fromHeaders.time == Date(timeIntervalSince1970: 1_709_546_400.484))
    }

    @Test("An attribute missing or malformed: no attributes from the headers (the consumer reads the body)",
        arguments: [
            (EventHeader.id, nil), (EventHeader.id, "d1"), (EventHeader.type, nil), (EventHeader.source, nil),
            (EventHeader.time, nil), (EventHeader.time, "2024-03-04 10:00"), (EventHeader.tenant, nil),
        ] as [(String, String?)])
    func incomplete(header: String, value: String?) throws {
        var headers = try Self.message().headers
        headers[header] = value
        #expect(CloudEventHeader(kafkaHeader: { headers[$0] }) == nil)
    }
}
