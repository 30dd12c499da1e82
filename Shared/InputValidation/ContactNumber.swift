/// The number a demand's contact person is reached at: a mainland mobile, or a landline with its
/// area code (003 art. 7: demands come by hotline, visit and letter, from people who give the
/// office's telephone). SMS goes only to a mobile number.
///
/// Stored and shown as the mobile's 11 digits, or a landline as `0719-8866001`; on input a
/// landline may be written `07198866001`, `0719 8866001` or `(0719)8866001`.
public enum ContactNumber: Hashable, Sendable, TextCodable, CustomStringConvertible {
    case mobile(MobileNumber)
    /// Area code (3–4 digits, starting 0) and local number (7–8 digits, not starting 0 or 1).
    case landline(areaCode: String, local: String)

    public init?(_ text: String) {
        if let mobile = MobileNumber(text) {
            self = .mobile(mobile)
            return
        }
        let separators: Set<Character> = [" ", "-", "(", ")", "（", "）"]
        let compact = text.filter { !separators.contains($0) }
        guard compact.allSatisfy({ $0.isASCII && $0.isNumber }), compact.hasPrefix("0") else { return nil }
        // 010 and 020–029 are the three-digit area codes; every other one has four digits.
        let areaLength = compact.hasPrefix("01") || compact.hasPrefix("02") ? 3 : 4
        let areaCode = String(compact.prefix(areaLength))
        let local = String(compact.dropFirst(areaLength))
        guard (7...8).contains(local.count), let first = local.first, first != "0", first != "1" else { return nil }
        self = .landline(areaCode: areaCode, local: local)
    }

    /// The number as it is stored and printed.
    public var text: String {
        switch self {
        case .mobile(let mobile): mobile.digits
        case .landline(let areaCode, let local): "\(areaCode)-\(local)"
        }
    }

    /// The number SMS can go to, if it is one.
    public var mobile: MobileNumber? {
        if case .mobile(let mobile) = self { mobile } else { nil }
    }

    public var codedText: String { text }
    public static let textForm = "a mobile or landline number"

    /// A mobile masked as in logs; a landline is an office number and stays readable.
    public var description: String {
        switch self {
        case .mobile(let mobile): mobile.masked
        case .landline: text
        }
    }
}
