import Foundation
import Gregorian

/// The platform's times on the wire and in stored JSON: UTC with milliseconds,
/// `2024-03-04T10:00:00.000Z`, written and read by hand. Foundation's ISO 8601 format style did
/// the same at about 2 % of a service's CPU (every event, row and answer carries several times), and
/// it wrote some whole-millisecond instants a millisecond early (`.484` stored as 0.48399…), so that
/// a transition's time did not always come back equal from its JSON.
public enum WireTime {
    private static let millisecondsPerDay: Int = 86_400_000

    /// `date` to the millisecond. An instant within half a microsecond below a whole millisecond is
    /// that millisecond (its nearest double may lie just below it).
    public static func format(_ date: Date) -> String {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000 + 0.0005).rounded(.down))
        let days = milliseconds >= 0 ? milliseconds / millisecondsPerDay : (milliseconds + 1) / millisecondsPerDay - 1
        let ofDay = milliseconds - days * millisecondsPerDay
        let (year, month, day) = GregorianDays.date(daysSince1970: days)
        guard (0...9999).contains(year) else { return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func digits(_ value: Int, _ count: Int) {
            var divisor: Int = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(ofDay / 3_600_000, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(ofDay / 60_000 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(ofDay / 1000 % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(ofDay % 1000, 3)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A time written as ``format(_:)`` writes it, with any number of fractional digits (the
    /// instant kept to the millisecond) or none; nil for anything else (an offset other than `Z`).
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8(parse)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[bytes.count - 1] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value: Int = 0
            for index in start..<(start + count) {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...GregorianDays.daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        var milliseconds: Int = 0
        if bytes.count > 20 {
            // ".d…dZ": the first three digits count; more are below the platform's precision.
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21 else { return nil }
            let fraction = bytes.count - 21
            guard let kept = number(20, min(fraction, 3)), fraction <= 3 || number(23, fraction - 3) != nil else { return nil }
            milliseconds = kept * [100, 10, 1][min(fraction, 3) - 1]
        } else if bytes.count != 20 {
            return nil
        }
        let days = GregorianDays.daysSince1970(year: year, month: month, day: day)
        let total = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milliseconds
        return Date(timeIntervalSince1970: Double(total) / 1000)
    }
}
