import InputValidation
import Tenancy
/// What the 公告文档 menu holds (002 §5, §10, §17–18): the office's announcements (公告栏) and its
/// guide to the policies that support enterprises (政策指南), by category.
public enum NoticeKind: String, Codable, Sendable, CaseIterable {
    case announcement
    case policy

    public var chineseName: String {
        switch self {
        case .announcement: "公告栏"
        case .policy: "政策指南"
        }
    }
}

/// The categories a policy guide entry is filed under (惠企政策汇编).
public enum PolicyCategory: String, Codable, Sendable, CaseIterable {
    case fiscal, tax, finance, talent, technology, market, factors, other

    public var chineseName: String {
        switch self {
        case .fiscal: "财政扶持"
        case .tax: "税费减免"
        case .finance: "金融服务"
        case .talent: "人才用工"
        case .technology: "科技创新"
        case .market: "市场开拓"
        case .factors: "要素保障"
        case .other: "其他"
        }
    }
}

/// An announcement or a policy guide entry the office publishes. An announcement may be texted to
/// the tier's enterprises; a policy entry has a category.
public struct NoticeInput: Sendable, Hashable, Codable {
    public var kind: String
    public var title: String
    public var body: String
    public var category: String?
    /// Text the tier's enterprises that a new announcement is up (announcements only).
    public var notifyEnterprises: Bool?

    public init(kind: String, title: String, body: String, category: String? = nil, notifyEnterprises: Bool? = nil) {
        self.kind = kind
        self.title = title
        self.body = body
        self.category = category
        self.notifyEnterprises = notifyEnterprises
    }

    public static let titleLimit = 60
    public static let bodyLimit = 5000

    public struct Checked: Sendable, Hashable {
        public var kind: NoticeKind
        public var title: String
        public var body: String
        public var category: PolicyCategory?
        public var notifyEnterprises: Bool
    }

    public func validated() throws(ValidationError) -> Checked {
        var issues = IssueCollector()
        let kind = NoticeKind(rawValue: kind)
        if kind == nil { issues.add("INVALID_NOTICE_KIND", "kind", "请选择公告或政策指南") }
        issues.requireText(title, field: "title", label: "标题", maxLength: Self.titleLimit)
        issues.requireText(body, field: "body", label: "正文", maxLength: Self.bodyLimit)
        let category = category.flatMap { $0.isEmpty ? nil : $0 }.map { PolicyCategory(rawValue: $0) }
        switch kind {
        case .policy?:
            if category == nil { issues.add("MISSING_FIELD", "category", "请选择政策类别") }
            if category == .some(nil) { issues.add("INVALID_CATEGORY", "category", "没有这个政策类别") }
            if notifyEnterprises == true { issues.add("SMS_ONLY_FOR_ANNOUNCEMENTS", "notifyEnterprises", "只有公告可以短信提醒企业") }
        case .announcement?:
            if category != nil { issues.add("INVALID_CATEGORY", "category", "公告不分类别") }
        case nil:
            break
        }
        try issues.finish()
        return Checked(kind: kind!, title: title.trimmingWhitespace, body: body.trimmingWhitespace, category: category ?? nil,
            notifyEnterprises: notifyEnterprises == true)
    }
}
