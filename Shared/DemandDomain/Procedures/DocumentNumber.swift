import Foundation
import InputValidation
import Tenancy

/// A document number in the seed's format (003 forms): `十堰服企办收（2026）第12号`.
///
/// The office's short name, the kind of document (收 registration, 交 dispatch, 报 escalation, 催 urge letter), the
/// year, and a sequence that restarts each year per tier. This type formats and parses; storage
/// hands out the sequence.
public struct DocumentNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// 登记编号: registration of a received demand.
        case registration
        /// 交办编号: dispatch to handling units.
        case dispatch
        /// 转报编号: escalation to the parent tier.
        case escalation
        /// 催办函编号: an urge letter to the unit holding an overdue step.
        case urge
        /// 提示函编号: a prompt letter to a pairing group (001 六.3).
        case prompt

        public var character: Character {
            switch self {
            case .registration: "收"
            case .dispatch: "交"
            case .escalation: "报"
            case .urge: "催"
            case .prompt: "提"
            }
        }

        init?(character: Character) {
            guard let kind = Kind.allCases.first(where: { $0.character == character }) else { return nil }
            self = kind
        }
    }

    public var office: String
    public var kind: Kind
    public var year: Int
    public var sequence: Int

    static let officeSuffix = "服企办"

    public init(office: String, kind: Kind, year: Int, sequence: Int) {
        self.office = office
        self.kind = kind
        self.year = year
        self.sequence = sequence
    }

    /// Parses a number; returns nil unless the text has exactly the seed's format.
    public init?(_ text: String) {
        guard let suffixRange = text.range(of: Self.officeSuffix) else { return nil }
        let office = String(text[..<suffixRange.lowerBound])
        var rest = Substring(text[suffixRange.upperBound...])
        guard !office.isEmpty, let kindCharacter = rest.popFirst(), let kind = Kind(character: kindCharacter),
            rest.popFirst() == "（"
        else { return nil }
        guard let close = rest.firstIndex(of: "）"), let year = Int(rest[..<close]), rest[..<close].count == 4 else {
            return nil
        }
        rest = rest[rest.index(after: close)...]
        guard rest.first == "第", rest.last == "号" else { return nil }
        let digits = rest.dropFirst().dropLast()
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let sequence = Int(digits), sequence > 0 else {
            return nil
        }
        self.init(office: office, kind: kind, year: year, sequence: sequence)
    }

    public var description: String {
        "\(office)\(Self.officeSuffix)\(kind.character)（\(year)）第\(sequence)号"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let number = DocumentNumber(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid document number '\(text)'")
            )
        }
        self = number
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
