import Foundation

/// A mainland China mobile number: 11 digits, `1` then `3`–`9`, then 9 digits.
///
/// SMS is how people are reached (002 §3: "手机号码…务必精准"), so the number is checked strictly and
/// stored in one canonical form (11 digits, no prefix). `+86`/`86` prefixes, spaces and hyphens are
/// accepted on input and removed.
public struct MobileNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    public let digits: String

    public init?(_ text: String) {
        var compact = text.filter { $0 != " " && $0 != "-" }
        if compact.hasPrefix("+86") {
            compact.removeFirst(3)
        } else if compact.hasPrefix("0086") {
            compact.removeFirst(4)
        } else if compact.hasPrefix("86"), compact.count == 13 {
            compact.removeFirst(2)
        }
        let bytes = Array(compact.utf8)
        guard bytes.count == 11, bytes[0] == UInt8(ascii: "1"),
            (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(bytes[1]),
            bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        self.digits = compact
    }

    /// The number with its middle four digits hidden (`138****5678`), for logs and metrics.
    public var masked: String {
        String(digits.prefix(3)) + "****" + String(digits.suffix(4))
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let number = MobileNumber(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid mainland mobile number")
            )
        }
        self = number
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }

    /// Masked, so that interpolating a number into a log line never leaks it.
    public var description: String { masked }
}

/// Masks every run of seven or more digits in free text (keeps the first 3 and last 4), for log lines.
public func maskPhoneNumbers(in text: String) -> String {
    var result = ""
    var run = ""
    func flush() {
        if run.count >= 7 {
            result += run.prefix(3) + String(repeating: "*", count: run.count - 7) + run.suffix(4)
        } else {
            result += run
        }
        run = ""
    }
    for character in text {
        if character.isASCIIDigit {
            run.append(character)
        } else {
            flush()
            result.append(character)
        }
    }
    flush()
    return result
}
