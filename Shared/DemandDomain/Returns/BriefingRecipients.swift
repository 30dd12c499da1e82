import Foundation
import InputValidation
import Tenancy

/// A leader of the tier who receives the monthly bulletin (通报报送对象): named on the bulletin and
/// texted its headline figures when the office issues it.
public struct BriefingRecipient: Codable, Sendable, Hashable {
    public var name: String
    /// 职务, for example 区长 or 分管副区长.
    public var title: String?
    public var phone: MobileNumber

    public init(name: String, title: String?, phone: MobileNumber) {
        self.name = name
        self.title = title
        self.phone = phone
    }

    /// `张三（区长）`, as the bulletin prints it.
    public var printedName: String { title.map { "\(name)（\($0)）" } ?? name }
}

/// The list as the office types it: each leader's name, title and mobile number.
public struct BriefingRecipientsInput: Codable, Sendable, Hashable {
    public struct Entry: Codable, Sendable, Hashable {
        public var name: String
        public var title: String?
        public var phone: String

        public init(name: String, title: String?, phone: String) {
            self.name = name
            self.title = title
            self.phone = phone
        }
    }

    public var recipients: [Entry]

    public init(recipients: [Entry]) {
        self.recipients = recipients
    }

    public static let limit = 50

    /// Every entry needs a name and a mainland mobile number; no number twice.
    public func validated() throws(ValidationError) -> [BriefingRecipient] {
        var issues = IssueCollector()
        if recipients.count > Self.limit { issues.add("TOO_MANY_RECIPIENTS", "recipients", "报送对象最多\(Self.limit)人") }
        var result: [BriefingRecipient] = []
        var seen: Set<MobileNumber> = []
        for (index, entry) in recipients.enumerated() {
            let field = "recipients[\(index)]"
            issues.requireText(entry.name, field: "\(field).name", label: "第\(index + 1)位的姓名", maxLength: 20)
            issues.optionalText(entry.title, field: "\(field).title", label: "第\(index + 1)位的职务", maxLength: 30)
            guard let phone = MobileNumber(entry.phone) else {
                issues.add("INVALID_MOBILE", "\(field).phone", "第\(index + 1)位的手机号码不正确")
                continue
            }
            if !seen.insert(phone).inserted { issues.add("DUPLICATE_RECIPIENT", "\(field).phone", "第\(index + 1)位的手机号码重复") }
            result.append(BriefingRecipient(name: entry.name.trimmingWhitespace, title: entry.title.trimmedOrNil, phone: phone))
        }
        try issues.finish()
        return result
    }
}

/// Who the tier's monthly bulletin goes to (通报报送对象), and the months it was issued.
public struct BriefingRecipients: Codable, Sendable {
    public struct Issue: Codable, Sendable {
        public var month: CalendarMonth
        public var issuedAt: Date
        public var issuedBy: String
        public var recipients: Int

        public init(month: CalendarMonth, issuedAt: Date, issuedBy: String, recipients: Int) {
            self.month = month
            self.issuedAt = issuedAt
            self.issuedBy = issuedBy
            self.recipients = recipients
        }
    }

    public var tier: TenantID
    public var recipients: [BriefingRecipient]
    public var issued: [Issue]

    public init(tier: TenantID, recipients: [BriefingRecipient], issued: [Issue]) {
        self.tier = tier
        self.recipients = recipients
        self.issued = issued
    }
}
