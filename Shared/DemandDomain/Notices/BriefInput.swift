import InputValidation
import Tenancy
/// 简报投稿 (002 §5, §19): a cadre reports what the pairing achieved, an enterprise sends news it
/// wants published; the office accepts (then everyone of the tier reads it, and a cadre's counts for
/// their unit) or rejects it with the reason.
public struct BriefInput: Sendable, Hashable, Codable {
    public var title: String
    public var body: String

    public init(title: String, body: String) {
        self.title = title
        self.body = body
    }

    public static let titleLimit = 60
    public static let bodyLimit = 5000

    public func validated() throws(ValidationError) -> (title: String, body: String) {
        var issues = IssueCollector()
        issues.requireText(title, field: "title", label: "标题", maxLength: Self.titleLimit)
        issues.requireText(body, field: "body", label: "正文", maxLength: Self.bodyLimit)
        try issues.finish()
        return (title.trimmingWhitespace, body.trimmingWhitespace)
    }
}

public enum BriefState: String, Codable, Sendable, CaseIterable {
    case pending, accepted, rejected

    public var chineseName: String {
        switch self {
        case .pending: "待审核"
        case .accepted: "已采用"
        case .rejected: "未采用"
        }
    }
}

/// The office's decision on a brief; a rejection says why.
public struct BriefDecision: Sendable, Hashable, Codable {
    public var accept: Bool
    public var reason: String?

    public init(accept: Bool, reason: String? = nil) {
        self.accept = accept
        self.reason = reason
    }

    public static let reasonLimit = 200

    public func validated() throws(ValidationError) -> String? {
        guard !accept else { return nil }
        var issues = IssueCollector()
        issues.requireText(reason ?? "", field: "reason", label: "未采用的原因", maxLength: Self.reasonLimit)
        try issues.finish()
        return reason?.trimmingWhitespace
    }
}
