import Foundation
import InputValidation
import Tenancy

/// How often a return (定期报送的表单) is due.
public enum ReturnCadence: String, Codable, Sendable {
    case monthly
    case quarterly
}

/// The month or quarter a return reports on: `2026-11` or `2026-Q4`.
public enum ReturnPeriod: Hashable, Sendable, Comparable, CustomStringConvertible, TextCodable {
    case month(CalendarMonth)
    case quarter(CalendarQuarter)

    public init?(_ text: String) {
        if let month = CalendarMonth(text) {
            self = .month(month)
        } else if let quarter = CalendarQuarter(text) {
            self = .quarter(quarter)
        } else {
            return nil
        }
    }

    public var cadence: ReturnCadence {
        switch self {
        case .month: .monthly
        case .quarter: .quarterly
        }
    }

    /// The period's last month: the month itself, or the quarter's last, whose tracker lists it.
    public var lastMonth: CalendarMonth {
        switch self {
        case .month(let month): month
        case .quarter(let quarter): quarter.lastMonth
        }
    }

    /// The first month after the period: returns are due early in it.
    public var followingMonth: CalendarMonth { lastMonth.adding(months: 1) }

    public var firstDay: CivilDate {
        switch self {
        case .month(let month): month.firstDay
        case .quarter(let quarter): quarter.firstDay
        }
    }

    public var lastDay: CivilDate { lastMonth.lastDay }

    public var chineseText: String {
        switch self {
        case .month(let month): month.chineseText
        case .quarter(let quarter): quarter.chineseText
        }
    }

    public var description: String {
        switch self {
        case .month(let month): month.description
        case .quarter(let quarter): quarter.description
        }
    }

    public var codedText: String { description }
    public static let textForm = "YYYY-MM or YYYY-Qn"

    public static func < (lhs: ReturnPeriod, rhs: ReturnPeriod) -> Bool { lhs.firstDay < rhs.firstDay }
}

/// Who owes a return.
public enum ReturnSubmitter: String, Codable, Sendable {
    /// Every handling unit of the tier (乡镇和县直有关部门, 004; 各级各相关部门, 001).
    case units
    /// Every unit whose cadres are paired with enterprises: its 包联工作组 (001 §4.7(2)).
    case pairingUnits
    /// The tier's office itself (专班办, 001 §4.7(3)).
    case office
}

/// What the platform fills in from its own records before the submitter adds the rest.
public enum ReturnPrefill: String, Codable, Sendable {
    /// Demands the unit led and closed in the period without sending them up (自行办结).
    case unitClosedDemands
    /// The unit's demands still open at the end of the period, with their state.
    case unitOpenDemands
    /// Demands raised in the period by the enterprises the unit's cadres are paired with.
    case pairedEnterpriseDemands
    /// Demands the tier escalated to its parent in the period (转报).
    case tierEscalatedDemands
}

/// A figure the platform counts for the period and prints at the head of the return.
public enum ReturnFigure: String, Codable, Sendable, CaseIterable {
    case received, closed, completionRate, onTimeReceiptRate, satisfactionRate, overdueNow, escalated

    public var chineseName: String {
        switch self {
        case .received: "收到诉求（件）"
        case .closed: "办结（件）"
        case .completionRate: "办结率"
        case .onTimeReceiptRate: "接收问题及时率"
        case .satisfactionRate: "满意率"
        case .overdueNow: "当前逾期（件）"
        case .escalated: "转报上级（件）"
        }
    }
}

/// A narrative or numeric field the submitter writes.
public struct ReturnField: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case text
        case number
    }

    public var id: String
    public var label: String
    public var kind: Kind

    public init(_ id: String, _ label: String, kind: Kind = .text) {
        self.id = id
        self.label = label
        self.kind = kind
    }
}

/// One form of a tier's reporting regime: what it asks, who owes it, and by when.
public struct ReturnForm: Codable, Sendable, Hashable {
    public var id: String
    public var title: String
    public var cadence: ReturnCadence
    /// The return on a period is due by this day of the month after it (day 3: by 3 December for
    /// November; for a quarter, of the next quarter's first month).
    public var dueDay: Int
    public var submitter: ReturnSubmitter
    /// Figures of the submitter (the unit, or the tier for the office) printed at the head.
    public var figures: [ReturnFigure]
    /// The columns of the form's list; empty when it has none.
    public var columns: [String]
    /// Rows the platform fills in; the submitter may correct them and add more.
    public var prefill: ReturnPrefill?
    public var fields: [ReturnField]

    public init(
        id: String, title: String, cadence: ReturnCadence = .monthly, dueDay: Int, submitter: ReturnSubmitter,
        figures: [ReturnFigure] = [], columns: [String] = [], prefill: ReturnPrefill? = nil, fields: [ReturnField] = []
    ) {
        self.id = id
        self.title = title
        self.cadence = cadence
        self.dueDay = dueDay
        self.submitter = submitter
        self.figures = figures
        self.columns = columns
        self.prefill = prefill
        self.fields = fields
    }

    /// The last day to submit the return on `period`.
    public func dueDate(of period: ReturnPeriod) -> CivilDate {
        let month = period.followingMonth
        return CivilDate(year: month.year, month: month.month, day: min(dueDay, CivilDate.daysInMonth(year: month.year, month: month.month)))!
    }

    /// The period the form reports on in the tracker of `month`: the month itself, or the quarter
    /// when `month` ends one (nil for a quarterly form in a quarter's first two months).
    public func period(reportedIn month: CalendarMonth) -> ReturnPeriod? {
        switch cadence {
        case .monthly: .month(month)
        case .quarterly: CalendarQuarter(month).lastMonth == month ? .quarter(CalendarQuarter(month)) : nil
        }
    }
}

/// A tier's reporting regime (报送制度), chosen per tier (`Tenant.returnScheme`); two come from the
/// seeds: ``jinzai`` (004 二（六）) and ``fuyuan`` (001 §4.7).
public struct ReturnScheme: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    /// Where the rules come from, printed under the tracker.
    public var source: String
    public var forms: [ReturnForm]
    /// Days before a return is due on which those who have not submitted it are texted.
    public var reminderLeadDays: Int

    public func form(_ id: String) -> ReturnForm? { forms.first { $0.id == id } }

    /// The forms whose reminder day (``reminderLeadDays`` before they are due) is `today`, by the
    /// tracker month they belong to (the month reported on, or a quarter's last month).
    public func remindersDue(on today: CivilDate) -> [CalendarMonth: [String]] {
        var due: [CalendarMonth: [String]] = [:]
        // A return falls due within the two months after its month ends; its reminder up to two days before.
        for month in (0...2).map({ CalendarMonth(today).adding(months: -$0) }) {
            for form in forms {
                guard let period = form.period(reportedIn: month) else { continue }
                if form.dueDate(of: period).adding(days: -reminderLeadDays) == today { due[month, default: []].append(form.id) }
            }
        }
        return due
    }

    public static func preset(_ id: String) -> ReturnScheme? { [jinzai, fuyuan].first { $0.id == id } }

    static let contact = "联系人及电话"

    /// Jinzai's six standard forms, from every township and county department by the 3rd of each month
    /// (004 二（六）: "确定专人于每月3日前将表单报送至县“四送一服”办公室").
    public static let jinzai = ReturnScheme(
        id: "jinzai", name: "“四送一服”双千工程常态化信息报送",
        source: "金寨县《“四送一服”双千工程常态化工作方案》二（六）：6个统一制式表单，每月3日前报送",
        forms: [
            ReturnForm(id: "regular-work", title: "常态化开展情况表", dueDay: 3, submitter: .units,
                figures: [.received, .closed, .completionRate, .onTimeReceiptRate, .satisfactionRate],
                fields: [ReturnField("visits", "走访企业（家次）", kind: .number), ReturnField("activities", "开展“四送一服”活动情况"),
                    ReturnField("problems", "存在问题及下步打算")]),
            ReturnForm(id: "factor-results", title: "要素对接成果清单", dueDay: 3, submitter: .units,
                columns: ["企业名称", "要素类别", "对接内容", "对接成果", "对接日期"]),
            ReturnForm(id: "funding-needs", title: "资金要素需求清单", dueDay: 3, submitter: .units,
                columns: ["企业名称", "需求金额（万元）", "资金用途", "拟对接渠道", contact]),
            ReturnForm(id: "technology-needs", title: "科技要素需求清单", dueDay: 3, submitter: .units,
                columns: ["企业名称", "科技需求内容", "拟合作单位", contact]),
            ReturnForm(id: "self-resolved", title: "自行办结问题清单", dueDay: 3, submitter: .units,
                columns: ["诉求编号", "企业名称", "问题类别", "办结日期", "办理结果"], prefill: .unitClosedDemands),
            ReturnForm(id: "forwarded", title: "转省市有关单位问题清单", dueDay: 3, submitter: .units,
                columns: ["企业名称", "问题内容", "转至单位", "转报日期", "办理进展"]),
        ],
        reminderLeadDays: 2)

    /// Fuyuan's cadence (001 §4.7): departments report their handling by the 1st, pairing groups
    /// their month by the 3rd, the office the quarter by the 5th of the next quarter's first month.
    public static let fuyuan = ReturnScheme(
        id: "fuyuan", name: "领导包联企业总结报告制度",
        source: "抚远市“敲门行动”工作方案 四（七）：部门每月1日前、包联工作组每月3日前、专班办每季度第一个月5日前报送",
        forms: [
            ReturnForm(id: "unit-progress", title: "承办工作进展和成效", dueDay: 1, submitter: .units,
                figures: [.received, .closed, .completionRate, .onTimeReceiptRate, .overdueNow],
                columns: ["诉求编号", "企业名称", "办理状态", "进展情况"], prefill: .unitOpenDemands,
                fields: [ReturnField("progress", "承办工作进展和成效")]),
            ReturnForm(id: "pairing-group", title: "包联工作组月度报告", dueDay: 3, submitter: .pairingUnits,
                columns: ["诉求编号", "企业名称", "办理状态", "采取的措施"], prefill: .pairedEnterpriseDemands,
                fields: [ReturnField("leaderWork", "领导包联工作情况"), ReturnField("measures", "采取的工作措施"),
                    ReturnField("results", "问题解决成效"), ReturnField("evaluation", "工作评价")]),
            ReturnForm(id: "office-quarterly", title: "包联企业工作季度报告", cadence: .quarterly, dueDay: 5, submitter: .office,
                figures: ReturnFigure.allCases, columns: ["诉求编号", "企业名称", "问题类别"], prefill: .tierEscalatedDemands,
                fields: [ReturnField("summary", "包联企业工作开展情况"), ReturnField("results", "问题解决成效"),
                    ReturnField("next", "存在问题和下步打算")]),
        ],
        reminderLeadDays: 2)
}

/// What a submitter sends: the list's rows and the fields' values.
public struct ReturnContent: Codable, Sendable, Hashable {
    public var rows: [[String]]
    public var fields: [String: String]

    public init(rows: [[String]], fields: [String: String]) {
        self.rows = rows
        self.fields = fields
    }

    public static let cellLimit = 500
    public static let fieldLimit = 2000
    public static let rowLimit = 500

    /// Trims every value, drops blank rows, and checks the content fits the form.
    public func validated(for form: ReturnForm) throws(ValidationError) -> ReturnContent {
        var issues = IssueCollector()
        var rows: [[String]] = []
        for (index, row) in self.rows.enumerated() {
            let cells = row.map(\.trimmingWhitespace)
            guard cells.contains(where: { !$0.isEmpty }) else { continue }
            if cells.count != form.columns.count {
                issues.add("COLUMN_COUNT", "rows[\(index)]", "第\(index + 1)行应有\(form.columns.count)列")
            } else if cells.contains(where: { $0.count > Self.cellLimit }) {
                issues.add("TEXT_TOO_LONG", "rows[\(index)]", "第\(index + 1)行有内容超过\(Self.cellLimit)字")
            }
            rows.append(cells)
        }
        if rows.count > Self.rowLimit {
            issues.add("TOO_MANY_ROWS", "rows", "清单最多\(Self.rowLimit)行")
        }
        var fields: [String: String] = [:]
        for field in form.fields {
            let value = (self.fields[field.id] ?? "").trimmingWhitespace
            if value.count > Self.fieldLimit {
                issues.add("TEXT_TOO_LONG", field.id, "\(field.label)不能超过\(Self.fieldLimit)字")
            } else if field.kind == .number, !value.isEmpty, Int(value).map({ $0 < 0 }) ?? true {
                issues.add("INVALID_NUMBER", field.id, "\(field.label)应为不小于0的整数")
            }
            if !value.isEmpty { fields[field.id] = value }
        }
        let unknown = Set(self.fields.keys).subtracting(form.fields.map(\.id))
        for name in unknown.sorted() {
            issues.add("UNKNOWN_FIELD", name, "表单没有此项")
        }
        if rows.isEmpty, fields.isEmpty {
            issues.add("EMPTY_RETURN", "rows", "请至少填写一项内容；本月无此类情况请填写“无”")
        }
        try issues.finish()
        return ReturnContent(rows: rows, fields: fields)
    }
}
