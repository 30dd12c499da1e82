import InputValidation
import Tenancy
/// A prompt letter (提示函, 001 六.3): the office reminds one of its pairing groups — a unit whose
/// cadres are paired with enterprises — of work to get done, and asks for its feedback by a day.
public struct PromptLetterInput: Sendable, Hashable, Codable {
    public var unitID: String
    /// 事由: one line, also the SMS's.
    public var subject: String
    public var body: String
    /// `YYYY-MM-DD`: the day the unit's feedback is due.
    public var replyBy: String

    public init(unitID: String, subject: String, body: String, replyBy: String) {
        self.unitID = unitID
        self.subject = subject
        self.body = body
        self.replyBy = replyBy
    }

    public static let subjectLimit = 40
    public static let bodyLimit = 2000
    /// The furthest a feedback day may be set.
    public static let replyWithinDays = 90

    /// The feedback day, or every problem with the input. It is after today and within
    /// ``replyWithinDays``.
    public func validated(today: CivilDate) throws(ValidationError) -> CivilDate {
        var issues = IssueCollector()
        if !unitID.hasVisibleCharacters { issues.add("MISSING_FIELD", "unitID", "请选择提示的单位") }
        issues.requireText(subject, field: "subject", label: "事由", maxLength: Self.subjectLimit)
        issues.requireText(body, field: "body", label: "提示内容", maxLength: Self.bodyLimit)
        let day = CivilDate(replyBy)
        if let day {
            if day <= today {
                issues.add("DATE_NOT_AFTER_TODAY", "replyBy", "反馈期限应晚于今天")
            } else if day > today.adding(days: Self.replyWithinDays) {
                issues.add("DATE_TOO_FAR", "replyBy", "反馈期限不能超过\(Self.replyWithinDays)天")
            }
        } else {
            issues.add("INVALID_DATE", "replyBy", "反馈期限应为“年-月-日”格式的日期")
        }
        try issues.finish()
        return day!
    }
}

/// A unit's feedback on a prompt letter: what it did about it.
public struct PromptLetterReply: Sendable, Hashable, Codable {
    public var text: String

    public init(text: String) {
        self.text = text
    }

    public static let textLimit = 2000

    public func validated() throws(ValidationError) -> String {
        var issues = IssueCollector()
        issues.requireText(text, field: "text", label: "落实情况", maxLength: Self.textLimit)
        try issues.finish()
        return text.trimmingWhitespace
    }
}
