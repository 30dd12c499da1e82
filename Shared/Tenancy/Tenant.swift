import Foundation

/// Identifies one tier of government (a tenant): `shiyan`, `maojian`, `zhangwan`.
///
/// Tenant ids are ASCII slugs because they appear in Kafka topic names (`tier.<tenant>.status`),
/// Postgres schema names and URLs; the Chinese name lives in ``Tenant/name``.
public struct TenantID: RawRepresentable, Hashable, Codable, Sendable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// Parses a tenant id, accepting only lower-case ASCII letters, digits and `-`, 1 to 40 characters.
    public init?(validating text: String) {
        let allowed = text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
        }
        guard allowed, (1...40).contains(text.utf8.count) else { return nil }
        self.rawValue = text
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = TenantID(validating: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid tenant id '\(text)'")
            )
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: TenantID, rhs: TenantID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The level of a tier in the government hierarchy (省 > 市 > 县/区 > 乡镇).
public enum TierLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case province
    case city
    case county
    case township

    var depth: Int {
        switch self {
        case .province: 0
        case .city: 1
        case .county: 2
        case .township: 3
        }
    }

    public static func < (lhs: TierLevel, rhs: TierLevel) -> Bool { lhs.depth < rhs.depth }

    /// Chinese name of the level, for people.
    public var chineseName: String {
        switch self {
        case .province: "省"
        case .city: "市"
        case .county: "县（市、区）"
        case .township: "乡镇"
        }
    }
}

/// One tier and the settings its office chose.
public struct Tenant: Codable, Sendable, Hashable {
    public var id: TenantID
    /// Full name, for example `十堰市` or `茅箭区`.
    public var name: String
    /// Short name used in document numbers (`十堰服企办收（2026）第12号`).
    public var shortName: String
    public var level: TierLevel
    public var parent: TenantID?
    /// Id of the procedure profile the tier follows (`shiyan`, `lincang`).
    public var procedure: String
    /// SMS signature with its brackets, for example `【十堰市双千办】`.
    public var smsSignature: String
    /// Platform name used in SMS, for example `十堰亲清企业服务信息平台`.
    public var platformName: String
    /// When non-urgent SMS wait until morning; nil means the platform default (22:00–07:30).
    public var quietHours: QuietHours?
    /// Id of the reporting regime the tier's office runs (``ReturnScheme``: `jinzai`, `fuyuan`);
    /// nil when it collects no periodic returns.
    public var returnScheme: String?

    /// Whether an answer the enterprise accepted is closed (销号) only once the pairing leader
    /// agrees (Fuyuan, 001 §4.2(2)); absent means it closes at once.
    public var closureNeedsPairingLeader: Bool?
    /// Whether the office keeps 常态化工作小组: groups of units, each led by a lead unit, serving 20–30
    /// enterprises (Jinzai, 004 二（二）); absent means it does not.
    public var pairingWorkingGroups: Bool?

    public init(
        id: TenantID,
        name: String,
        shortName: String,
        level: TierLevel,
        parent: TenantID?,
        procedure: String,
        smsSignature: String,
        platformName: String,
        quietHours: QuietHours? = nil,
        returnScheme: String? = nil,
        closureNeedsPairingLeader: Bool? = nil,
        pairingWorkingGroups: Bool? = nil
    ) {
        self.pairingWorkingGroups = pairingWorkingGroups
        self.closureNeedsPairingLeader = closureNeedsPairingLeader
        self.id = id
        self.name = name
        self.shortName = shortName
        self.level = level
        self.parent = parent
        self.procedure = procedure
        self.smsSignature = smsSignature
        self.platformName = platformName
        self.quietHours = quietHours
        self.returnScheme = returnScheme
    }
}

/// A nightly span in Asia/Shanghai, for example 22:00 to 07:30, during which non-urgent SMS wait.
public struct QuietHours: Codable, Sendable, Hashable {
    /// Minutes after midnight.
    public var startMinute: Int
    public var endMinute: Int

    public static let standard = QuietHours(startMinute: 22 * 60, endMinute: 7 * 60 + 30)

    public init(startMinute: Int, endMinute: Int) {
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// `22:00-07:30`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let start = Self.minutes(parts[0]), let end = Self.minutes(parts[1]) else { return nil }
        self.init(startMinute: start, endMinute: end)
    }

    static func minutes(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }
}
