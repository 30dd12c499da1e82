import Foundation

/// A value written in JSON as one string in its own form (a date, a month, a phone number); decoding
/// checks the form, so a bad one fails where it is read. The string itself is left out of the error,
/// which may reach a log and may be a phone number.
public protocol TextCodable: Codable {
    /// Parses the form (each type's own parsing initializer).
    init?(_ text: String)
    var codedText: String { get }
    /// The form, for the decoding error: `YYYY-MM`, `a mainland mobile number`.
    static var textForm: String { get }
}

extension TextCodable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected \(Self.textForm)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(codedText)
    }
}
