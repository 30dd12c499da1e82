import Foundation
import PlatformWire
import Testing

@Suite("Times on the wire")
struct WireTimeTests {
    static let foundationStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Instants from 1970 to 2096, from a fixed seed so that a failure can be replayed.
    static func instants(count: Int) -> [Double] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 4_000_000_000
        }
    }

    @Test("Written as Foundation's ISO 8601 style writes it, away from a millisecond's edge")
    func sameTextAsFoundation() {
        var compared = 0
        for seconds in Self.instants(count: 20000) {
            let fraction = (seconds * 1000).truncatingRemainder(dividingBy: 1)
            guard fraction > 0.001, fraction < 0.999 else { continue }
            let date = Date(timeIntervalSince1970: seconds)
            #expect(WireTime.format(date) == date.formatted(Self.foundationStyle), "\(seconds)")
            compared += 1
        }
        #expect(compared > 19000)
    }

    @Test("A whole-millisecond instant comes back equal from its text; any text Foundation reads is the same instant to the millisecond")
    func roundTrips() throws {
        for seconds in Self.instants(count: 20000) {
            let instant = Date(timeIntervalSince1970: seconds).truncatedToWholeMilliseconds
            let text = WireTime.format(instant)
            #expect(WireTime.parse(text) == instant, "\(text)")
            let foundation = try Self.foundationStyle.parse(text)
            #expect(abs(foundation.timeIntervalSince(try #require(WireTime.parse(text)))) < 0.0005, "\(text)")
        }
    }

    @Test("Dates at the calendar's edges, other fraction lengths, and what is not this format",
        arguments: [
            ("1970-01-01T00:00:00Z", 0.0),
            ("1970-01-01T00:00:00.000Z", 0.0),
            ("2000-02-29T12:00:00.5Z", 951_825_600.5),
            ("2024-02-29T23:59:59.999Z", 1_709_251_199.999),
            ("2024-03-04T10:00:00.123456Z", 1_709_546_400.123),
            ("2100-12-31T23:59:59.000Z", 4_133_980_799),
        ])
    func accepted(text: String, seconds: Double) throws {
        let date = try #require(WireTime.parse(text))
        #expect(date == Date(timeIntervalSince1970: seconds))
    }

    @Test("Not this format: nil, for the decoder to try the general ISO 8601 forms",
        arguments: [
            "1900-02-29T00:00:00Z", "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-03-04T24:00:00Z",
            "2024-03-04T10:00:00+08:00", "2024-03-04 10:00:00Z", "2024-03-04T10:00:00.Z", "2024-03-04T10:00:00.12aZ",
            "2024-03-04T10:00Z", "", "2024-03-04T10:00:00",
        ])
    func refused(text: String) {
        #expect(WireTime.parse(text) == nil)
    }

    @Test("The platform's decoder still reads times with an offset")
    func offsets() throws {
        let decoded = try EventCoding.decoder().decode([Date].self, from: Data(#"["2024-03-04T18:00:00+08:00"]"#.utf8))
        #expect(decoded == [Date(timeIntervalSince1970: 1_709_546_400)])
    }
}

extension Date {
    fileprivate var truncatedToWholeMilliseconds: Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
