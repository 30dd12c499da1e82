import Foundation
import InputValidation
import Tenancy

/// How a cadre met the enterprise they are paired with (000 Q14; 002 §16: 走访、电话、微信、座谈).
public enum ContactWay: String, Codable, Sendable, CaseIterable {
    case visit
    case phone
    case wechat
    case meeting

    public var chineseName: String {
        switch self {
        case .visit: "上门走访"
        case .phone: "电话联系"
        case .wechat: "微信联系"
        case .meeting: "座谈会议"
        }
    }
}

/// An enterprise's business status in a month (002 §15), as its cadre reports it; the last three
/// states are the ones 000 Q9 has the enterprise re-paired or removed for.
public enum BusinessStatus: String, Codable, Sendable, CaseIterable {
    case operating
    case reducedOutput
    case suspended
    case closed
    case bankrupt

    public var chineseName: String {
        switch self {
        case .operating: "正常经营"
        case .reducedOutput: "减产或部分停产"
        case .suspended: "停产停业"
        case .closed: "关闭注销"
        case .bankrupt: "进入破产程序"
        }
    }
}

/// A calendar month in Beijing time, written `YYYY-MM`: the period of a cadre's monthly duties.
public struct CalendarMonth: Hashable, Comparable, Sendable, CustomStringConvertible, TextCodable {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (2000...2999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// `2026-11`; nothing else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1])
        else { return nil }
        self.init(year: year, month: month)
    }

    /// The month a date falls in.
    public init(_ date: CivilDate) {
        year = date.year
        month = date.month
    }

    public var firstDay: CivilDate { CivilDate(year: year, month: month, day: 1)! }
    public var lastDay: CivilDate { CivilDate(year: year, month: month, day: CivilDate.daysInMonth(year: year, month: month))! }

    public func adding(months: Int) -> CalendarMonth { CalendarMonth(firstDay.adding(months: months)) }

    public func contains(_ date: CivilDate) -> Bool { date.year == year && date.month == month }

    public var description: String { String(format: "%04d-%02d", year, month) }
    public var chineseText: String { "\(year)年\(month)月" }

    public static func < (lhs: CalendarMonth, rhs: CalendarMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    public var codedText: String { description }
    public static let textForm = "YYYY-MM"
}

/// When the monthly reminder goes to cadres who are behind (000 Q14–Q15: a contact and a business
/// status every month): on the reminder day and any later day of the month, once per cadre.
public struct PairingReminderSchedule: Sendable, Hashable {
    /// The day of the month (1–28); nil turns the automatic reminder off.
    public var day: Int?

    public static let defaultDay = 20

    public init(day: Int?) {
        self.day = day
    }

    /// The month whose reminders are due on `today`, or nil before the reminder day.
    public func dueMonth(on today: CivilDate) -> CalendarMonth? {
        guard let day, today.day >= day else { return nil }
        return CalendarMonth(today)
    }
}

/// The checks on a contact a cadre records: when it happened, how, and what was discussed.
public struct PairingContactInput: Sendable, Hashable, Codable {
    public var enterpriseID: String
    /// `YYYY-MM-DD`.
    public var contactedOn: String
    public var way: String
    public var summary: String
    /// How many demands the enterprise raised in the contact (000 Q16 counts them).
    public var demandsRaised: Int?
    /// A difficulty the cadre or their unit solved on the spot (000 Q16: 第一时间化解), which then
    /// needs no demand on the platform; counted as solved at first contact.
    public var resolvedOnSpot: String?

    public init(enterpriseID: String, contactedOn: String, way: String, summary: String, demandsRaised: Int? = nil,
        resolvedOnSpot: String? = nil)
    {
        self.enterpriseID = enterpriseID
        self.contactedOn = contactedOn
        self.way = way
        self.summary = summary
        self.demandsRaised = demandsRaised
        self.resolvedOnSpot = resolvedOnSpot
    }

    public static let summaryLimit = 1000
    public static let resolvedOnSpotLimit = 500
    /// A contact is recorded within this many days; older ones belong to a month already counted.
    public static let lateRecordDays = 62

    /// The contact's date and way, or every problem with the input. A contact is not in the future and
    /// not older than ``lateRecordDays``.
    public func validated(today: CivilDate) throws(ValidationError) -> (date: CivilDate, way: ContactWay) {
        var issues = IssueCollector()
        if !enterpriseID.hasVisibleCharacters { issues.add("MISSING_FIELD", "enterpriseID", "请选择包联企业") }
        let date = CivilDate(contactedOn)
        if let date {
            if date > today {
                issues.add("DATE_IN_FUTURE", "contactedOn", "走访日期不能晚于今天")
            } else if date < today.adding(days: -Self.lateRecordDays) {
                issues.add("DATE_TOO_OLD", "contactedOn", "只能登记\(Self.lateRecordDays)天内的走访")
            }
        } else {
            issues.add("INVALID_DATE", "contactedOn", "走访日期应为“年-月-日”格式的日期")
        }
        let way = ContactWay(rawValue: way)
        if way == nil { issues.add("INVALID_CONTACT_WAY", "way", "请选择走访方式") }
        issues.requireText(summary, field: "summary", label: "交流内容", maxLength: Self.summaryLimit)
        if let demandsRaised, !(0...99).contains(demandsRaised) {
            issues.add("INVALID_COUNT", "demandsRaised", "提出诉求数应为0到99之间的整数")
        }
        issues.optionalText(resolvedOnSpot?.trimmingWhitespace, field: "resolvedOnSpot", label: "当场化解的困难",
            maxLength: Self.resolvedOnSpotLimit)
        try issues.finish()
        return (date!, way!)
    }
}

/// The checks on a business status a cadre reports for one month: the current month or one of the
/// two before it (the profile keeps at least the last three, 002 §15).
public struct BusinessStatusInput: Sendable, Hashable, Codable {
    public var month: String
    public var status: String
    public var note: String?

    public init(month: String, status: String, note: String? = nil) {
        self.month = month
        self.status = status
        self.note = note
    }

    public static let monthsBack = 2
    public static let noteLimit = 200

    public func validated(today: CivilDate) throws(ValidationError) -> (month: CalendarMonth, status: BusinessStatus) {
        var issues = IssueCollector()
        let current = CalendarMonth(today)
        let month = CalendarMonth(month)
        if let month {
            if month > current || month < current.adding(months: -Self.monthsBack) {
                issues.add("MONTH_OUT_OF_RANGE", "month", "只能填报本月及前\(Self.monthsBack)个月的经营状况")
            }
        } else {
            issues.add("INVALID_MONTH", "month", "月份应为“年-月”格式，例如\(current)")
        }
        let status = BusinessStatus(rawValue: status)
        if status == nil { issues.add("INVALID_BUSINESS_STATUS", "status", "请选择经营状况") }
        issues.optionalText(note, field: "note", label: "说明", maxLength: Self.noteLimit)
        try issues.finish()
        return (month!, status!)
    }
}

/// The basics of an enterprise's profile (002 §3, §15) that the enterprise itself, its paired cadre
/// or the office may change on the platform; its name, credit code and industry group come from the
/// office's roster.
public struct EnterpriseProfileInput: Sendable, Hashable, Codable {
    public var address: String
    public var legalRepresentative: String?
    public var legalRepresentativePhone: String?
    public var liaisonName: String?
    public var liaisonPhone: String?
    public var profile: String?

    public init(address: String, legalRepresentative: String? = nil, legalRepresentativePhone: String? = nil,
        liaisonName: String? = nil, liaisonPhone: String? = nil, profile: String? = nil)
    {
        self.address = address
        self.legalRepresentative = legalRepresentative
        self.legalRepresentativePhone = legalRepresentativePhone
        self.liaisonName = liaisonName
        self.liaisonPhone = liaisonPhone
        self.profile = profile
    }

    public static let profileLimit = 2000
    public static let textLimit = 100

    /// The fields as the profile keeps them: field → text ("" for blank), phones as their digits.
    public func validated() throws(ValidationError) -> [EnterpriseProfileField: String] {
        var issues = IssueCollector()
        issues.requireText(address, field: "address", label: "注册地址", maxLength: Self.textLimit)
        issues.optionalText(legalRepresentative, field: "legalRepresentative", label: "法定代表人", maxLength: Self.textLimit)
        issues.optionalText(liaisonName, field: "liaisonName", label: "联系人", maxLength: Self.textLimit)
        issues.optionalText(profile, field: "profile", label: "企业简介", maxLength: Self.profileLimit)
        var phones: [EnterpriseProfileField: String] = [:]
        for (field, text) in [(EnterpriseProfileField.legalRepresentativePhone, legalRepresentativePhone), (.liaisonPhone, liaisonPhone)] {
            guard let text = text.trimmedOrNil else { continue }
            if let number = MobileNumber(text) {
                phones[field] = number.digits
            } else {
                let issue = FieldIssue.invalidMobile(field.rawValue)
                issues.add(issue.code, issue.field, issue.message)
            }
        }
        try issues.finish()
        return [
            .address: address.trimmingWhitespace, .legalRepresentative: legalRepresentative.trimmedOrNil ?? "",
            .legalRepresentativePhone: phones[.legalRepresentativePhone] ?? "", .liaisonName: liaisonName.trimmedOrNil ?? "",
            .liaisonPhone: phones[.liaisonPhone] ?? "", .profile: profile.trimmedOrNil ?? "",
        ]
    }
}

/// A field of the profile whose changes are kept (who, when, from what to what).
public enum EnterpriseProfileField: String, Sendable, Codable, CaseIterable {
    case address, legalRepresentative, legalRepresentativePhone, liaisonName, liaisonPhone, profile

    public var chineseName: String {
        switch self {
        case .address: "注册地址"
        case .legalRepresentative: "法定代表人"
        case .legalRepresentativePhone: "法定代表人电话"
        case .liaisonName: "联系人"
        case .liaisonPhone: "联系人电话"
        case .profile: "企业简介"
        }
    }
}
