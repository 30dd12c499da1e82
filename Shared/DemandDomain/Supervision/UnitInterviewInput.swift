import InputValidation
import Tenancy
/// 约谈 of a unit (003 art. 18; 001 三.3; 004 二.5): the office interviews a unit whose demands are
/// repeatedly or long overdue, and records who attended, which demands were discussed, what was
/// required of the unit and by when.
public struct UnitInterviewInput: Sendable, Hashable, Codable {
    public var unitID: String
    /// `YYYY-MM-DD`: the day it was held, not after today.
    public var heldOn: String
    /// 参加人员.
    public var attendees: String
    /// 涉及诉求: the registration numbers discussed, as the office writes them.
    public var demands: String?
    /// 约谈情况及整改要求.
    public var decision: String
    /// `YYYY-MM-DD`: 整改期限, not before today; none when nothing is to be done by a day.
    public var dueOn: String?

    public init(unitID: String, heldOn: String, attendees: String, demands: String?, decision: String, dueOn: String?) {
        self.unitID = unitID
        self.heldOn = heldOn
        self.attendees = attendees
        self.demands = demands
        self.decision = decision
        self.dueOn = dueOn
    }

    public static let lineLimit = 200
    public static let decisionLimit = 2000

    /// How far back an interview may be recorded, and how far ahead its due day may lie.
    public static let spanDays = 365

    /// The days it names, or every problem with the input.
    public func validated(today: CivilDate) throws(ValidationError) -> (heldOn: CivilDate, dueOn: CivilDate?) {
        var issues = IssueCollector()
        if !unitID.hasVisibleCharacters { issues.add("MISSING_FIELD", "unitID", "请选择约谈的单位") }
        issues.requireText(attendees, field: "attendees", label: "参加人员", maxLength: Self.lineLimit)
        issues.requireText(decision, field: "decision", label: "约谈情况及整改要求", maxLength: Self.decisionLimit)
        if let demands, demands.count > Self.lineLimit {
            issues.add("TEXT_TOO_LONG", "demands", "涉及诉求不能超过\(Self.lineLimit)个字")
        }
        let held = CivilDate(heldOn)
        if let held {
            if held > today { issues.add("INVALID_DATE", "heldOn", "约谈日期不能晚于今天") }
            if held < today.adding(days: -Self.spanDays) { issues.add("INVALID_DATE", "heldOn", "约谈日期不能早于一年前") }
        } else {
            issues.add("INVALID_DATE", "heldOn", "约谈日期应为“年-月-日”格式的日期")
        }
        var due: CivilDate?
        if let dueOn, dueOn.hasVisibleCharacters {
            due = CivilDate(dueOn)
            if let due {
                if due < today { issues.add("INVALID_DATE", "dueOn", "整改期限不能早于今天") }
                if due > today.adding(days: Self.spanDays) { issues.add("INVALID_DATE", "dueOn", "整改期限不能超过一年") }
            } else {
                issues.add("INVALID_DATE", "dueOn", "整改期限应为“年-月-日”格式的日期")
            }
        }
        try issues.finish()
        return (held!, due)
    }
}
