import Foundation

/// 统一社会信用代码: the 18-character unified social credit code of GB 32100-2015.
///
/// Layout: registration authority (1), organisation category (1), administrative division (6 digits),
/// organisation identifier (9), check character (1). Characters come from the 31-symbol alphabet
/// `0-9 A-H J-N P-R T U W-Y` (no I, O, S, V, Z). The check character is
/// `31 - (Σ value(cᵢ) × wᵢ mod 31)` with weights `3^(i) mod 31`, and 31 maps to `0`.
public struct UnifiedSocialCreditCode: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    /// 登记管理部门码 of GB 32100-2015 (1 机构编制 … 9 市场监管, A 军队, N 农业, Y 其他); each
    /// department's 机构类别码 (the second character) is a digit from 1 to 9.
    static let registrationAuthorities: Set<Character> = Set("123456789ANY")

    public enum Problem: Error, Equatable, Sendable {
        case wrongLength
        case invalidCharacter
        case invalidRegistrationAuthority
        case invalidDivisionCode
        case checkCharacterMismatch
    }

    /// Validates a code; surrounding spaces are ignored and lower-case letters are accepted.
    public init(validating text: String) throws(Problem) {
        let normalized = text.trimmingWhitespace.uppercased()
        let characters = Array(normalized)
        guard characters.count == 18 else { throw .wrongLength }
        var values: [Int] = []
        values.reserveCapacity(18)
        for character in characters {
            guard let value = Self.alphabet.firstIndex(of: character) else { throw .invalidCharacter }
            values.append(value)
        }
        guard Self.registrationAuthorities.contains(characters[0]), ("1"..."9").contains(characters[1]) else {
            throw .invalidRegistrationAuthority
        }
        // Province codes of GB/T 2260 start at 11 (北京).
        guard characters[2..<8].allSatisfy(\.isASCIIDigit), String(characters[2..<4]) >= "11" else { throw .invalidDivisionCode }
        guard Self.checkValue(for: values[0..<17]) == values[17] else { throw .checkCharacterMismatch }
        self.rawValue = normalized
    }

    /// The check character for the first 17 characters of a code.
    public static func checkCharacter(forPrefix prefix: String) -> Character? {
        let values = prefix.uppercased().compactMap { alphabet.firstIndex(of: $0) }
        guard values.count == 17, prefix.count == 17 else { return nil }
        return alphabet[checkValue(for: values[...])]
    }

    private static func checkValue(for values: ArraySlice<Int>) -> Int {
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let check = 31 - sum % 31
        return check == 31 ? 0 : check
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(validating: text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid unified social credit code")
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

extension UnifiedSocialCreditCode.Problem {
    /// Simplified Chinese explanation for the person who typed the code.
    public var message: String {
        switch self {
        case .wrongLength: "统一社会信用代码应为18位"
        case .invalidCharacter: "统一社会信用代码含有无效字符（不使用I、O、S、V、Z）"
        case .invalidRegistrationAuthority: "统一社会信用代码前两位（登记管理部门码和机构类别码）不正确，请核对"
        case .invalidDivisionCode: "统一社会信用代码第3至8位应为行政区划代码"
        case .checkCharacterMismatch: "统一社会信用代码校验位不正确，请核对"
        }
    }
}

extension Character {
    public var isASCIIDigit: Bool { isASCII && isNumber }
}
