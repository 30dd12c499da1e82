import Foundation
import Tenancy

/// How one submitter stands with one return.
public enum ReturnStatus: String, Codable, Sendable {
    /// Submitted by its due date.
    case onTime
    /// Submitted after it.
    case late
    /// Not submitted; still time.
    case pending
    /// Not submitted; past due.
    case overdue

    public init(submittedOn: CivilDate?, due: CivilDate, today: CivilDate) {
        if let submittedOn {
            self = submittedOn <= due ? .onTime : .late
        } else {
            self = today <= due ? .pending : .overdue
        }
    }

    public var isMissing: Bool { self == .pending || self == .overdue }

    public var chineseName: String {
        switch self {
        case .onTime: "已报送"
        case .late: "逾期报送"
        case .pending: "未报送"
        case .overdue: "逾期未报"
        }
    }
}

/// The returns due in the month after `month`, and who has sent which (the office's tracker).
public struct ReturnsTracker: Codable, Sendable {
    public struct TrackedForm: Codable, Sendable {
        public var form: ReturnForm
        public var period: ReturnPeriod
        public var dueDate: CivilDate

        public init(form: ReturnForm, period: ReturnPeriod, dueDate: CivilDate) {
            self.form = form
            self.period = period
            self.dueDate = dueDate
        }
    }

    public struct Cell: Codable, Sendable {
        public var formID: String
        public var period: ReturnPeriod
        public var status: ReturnStatus
        public var submittedAt: Date?
        public var submittedBy: String?

        public init(formID: String, period: ReturnPeriod, status: ReturnStatus, submittedAt: Date? = nil, submittedBy: String? = nil) {
            self.formID = formID
            self.period = period
            self.status = status
            self.submittedAt = submittedAt
            self.submittedBy = submittedBy
        }
    }

    public struct Submitter: Codable, Sendable {
        /// A unit's id, or `office`.
        public var id: String
        public var name: String
        /// Only the forms this submitter owes.
        public var cells: [Cell]
        public var lastRemindedOn: CivilDate?

        public init(id: String, name: String, cells: [Cell], lastRemindedOn: CivilDate? = nil) {
            self.id = id
            self.name = name
            self.cells = cells
            self.lastRemindedOn = lastRemindedOn
        }
    }

    public var tier: TenantID
    public var tierName: String
    public var schemeName: String
    public var source: String
    public var month: CalendarMonth
    public var forms: [TrackedForm]
    public var submitters: [Submitter]

    public init(tier: TenantID, tierName: String, schemeName: String, source: String, month: CalendarMonth, forms: [TrackedForm], submitters: [Submitter]) {
        self.tier = tier
        self.tierName = tierName
        self.schemeName = schemeName
        self.source = source
        self.month = month
        self.forms = forms
        self.submitters = submitters
    }
}

/// One return as its submitter sees it: the figures and rows the platform fills in, or what was sent.
public struct ReturnSheet: Codable, Sendable {
    public struct Figure: Codable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var tier: TenantID
    public var tierName: String
    public var form: ReturnForm
    public var period: ReturnPeriod
    public var dueDate: CivilDate
    public var submitterID: String
    public var submitterName: String
    public var status: ReturnStatus
    public var figures: [Figure]
    /// What was submitted, or else the platform's rows and empty fields.
    public var content: ReturnContent
    public var submittedAt: Date?
    public var submittedBy: String?
    /// Whether the caller may submit it (the unit's administrator, or the office for its own).
    public var editable: Bool

    public init(tier: TenantID, tierName: String, form: ReturnForm, period: ReturnPeriod, dueDate: CivilDate, submitterID: String, submitterName: String, status: ReturnStatus, figures: [Figure], content: ReturnContent, submittedAt: Date? = nil, submittedBy: String? = nil, editable: Bool) {
        self.tier = tier
        self.tierName = tierName
        self.form = form
        self.period = period
        self.dueDate = dueDate
        self.submitterID = submitterID
        self.submitterName = submitterName
        self.status = status
        self.figures = figures
        self.content = content
        self.submittedAt = submittedAt
        self.submittedBy = submittedBy
        self.editable = editable
    }
}

