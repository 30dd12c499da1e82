import Foundation

/// One problem with one field of user input, with a stable code and a message for people.
public struct FieldIssue: Error, Sendable, Hashable, Codable {
    /// Stable machine-readable code, for example `INVALID_CREDIT_CODE`.
    public var code: String
    /// Dotted path of the field, for example `contact.phone`.
    public var field: String
    /// Simplified Chinese message for the person who typed it.
    public var message: String

    public init(code: String, field: String, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }
}

/// Every problem found in one piece of input. Validation collects them all instead of stopping at the
/// first, so a form can show them together.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [FieldIssue]

    public init(_ issues: [FieldIssue]) {
        self.issues = issues
    }

    /// The code of the first issue; out-of-scope refusals come first because they end the matter.
    public var code: String { issues.first?.code ?? "INVALID_INPUT" }

    public var description: String {
        issues.map { "\($0.field): \($0.code)" }.joined(separator: ", ")
    }
}

/// Collects field issues while a value is checked.
public struct IssueCollector {
    public private(set) var issues: [FieldIssue] = []

    public init() {}

    public mutating func add(_ code: String, _ field: String, _ message: String) {
        issues.append(FieldIssue(code: code, field: field, message: message))
    }

    public mutating func requireText(_ value: String, field: String, label: String, maxLength: Int) {
        let trimmed = value.trimmingWhitespace
        if !trimmed.hasVisibleCharacters {
            add("MISSING_FIELD", field, "请填写\(label)")
        } else if trimmed.count > maxLength {
            add("TEXT_TOO_LONG", field, "\(label)不能超过\(maxLength)个字")
        }
    }

    public mutating func optionalText(_ value: String?, field: String, label: String, maxLength: Int) {
        guard let value, value.count > maxLength else { return }
        add("TEXT_TOO_LONG", field, "\(label)不能超过\(maxLength)个字")
    }

    public func finish() throws(ValidationError) {
        if !issues.isEmpty { throw ValidationError(issues) }
    }
}

extension Optional where Wrapped == String {
    /// An optional text field as kept: without surrounding whitespace, and nil when nothing is left.
    public var trimmedOrNil: String? {
        guard let trimmed = self?.trimmingWhitespace, !trimmed.isEmpty else { return nil }
        return trimmed
    }
}

extension String {
    /// The text without leading and trailing whitespace (ideographic spaces included). Slices the
    /// scalars instead of removing them one by one: every stored demand's fields pass through here
    /// when it is decoded, so this is on the hot path of every service.
    public var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }

    /// Whether anything would show on screen: text made only of spaces and invisible format
    /// characters (zero-width space, joiners, byte-order marks) counts as empty.
    public var hasVisibleCharacters: Bool {
        unicodeScalars.contains { !$0.properties.isWhitespace && $0.properties.generalCategory != .format }
    }
}
