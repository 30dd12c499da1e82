import Foundation

/// A mainland China mobile number: 11 digits, `1` then `3`–`9`, then 9 digits.
///
/// SMS is how people are reached (002 §3: "手机号码…务必精准"), so the number is checked strictly and
/// stored in one canonical form (11 digits, no prefix). `+86`/`86` prefixes, spaces and hyphens are
/// accepted on input and removed.
public struct MobileNumber: Hashable, Sendable, TextCodable, CustomStringConvertible {
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

    public var codedText: String { digits }
    public static let textForm = "a mainland mobile number"

    /// Masked, so that interpolating a number into a log line never leaks it.
    public var description: String { masked }
}

/// Masks mainland mobile numbers in free text (keeps the first 3 and last 4 digits), for log
/// lines. Only a word that is a whole mobile number is masked (11 digits starting 13–19, or the same
/// after 86), so ids, hashes and counters that merely contain digits stay readable.
public func maskPhoneNumbers(in text: String) -> String {
    var result = ""
    var word = ""
    func flush() {
        result += isMobileNumberWord(word) ? word.prefix(word.count - 8) + "****" + word.suffix(4) : word
        word = ""
    }
    for character in text {
        if character.isASCII, character.isLetter || character.isNumber {
            word.append(character)
        } else {
            flush()
            result.append(character)
        }
    }
    flush()
    return result
}

private func isMobileNumberWord(_ word: String) -> Bool {
    guard word.allSatisfy(\.isASCIIDigit) else { return false }
    let national = word.count == 13 && word.hasPrefix("86") ? word.dropFirst(2) : Substring(word)
    guard national.count == 11, national.first == "1", let second = national.dropFirst().first else { return false }
    return ("3"..."9").contains(second)
}

extension FieldIssue {
    /// A field that must hold a mainland mobile number (an SMS recipient) and does not.
    public static func invalidMobile(_ field: String) -> FieldIssue {
        FieldIssue(code: "INVALID_MOBILE", field: field, message: "手机号码应为11位大陆手机号码")
    }
}
