import DemandDomain
import Foundation
import InputValidation
import Tenancy

/// A unit (or the office) has not yet submitted returns on a period that are due soon or overdue
/// (001 §4.7, 004 二（六）); the notifier texts the people named. Sent at most once a day per submitter.
public struct ReturnReminderEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    /// The unit's id, or `office`.
    public var submitterID: String
    /// The people to text: the unit's administrators, or the office's staff.
    public var personIDs: [String]
    public var period: ReturnPeriod
    /// Titles of the forms still missing.
    public var formTitles: [String]
    public var dueDate: CivilDate

    public init(tenant: TenantID, submitterID: String, personIDs: [String], period: ReturnPeriod, formTitles: [String], dueDate: CivilDate) {
        self.tenant = tenant
        self.submitterID = submitterID
        self.personIDs = personIDs
        self.period = period
        self.formTitles = formTitles
        self.dueDate = dueDate
    }
}

/// The office issued the month's bulletin to the tier's leaders (003 art. 19); the notifier texts
/// each of them its headline figures. Sent once per tier and month.
public struct BriefingIssuedEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var month: CalendarMonth
    public var recipients: [BriefingRecipient]
    public var received: Int
    public var closed: Int
    /// 办结率 and 满意率 as printed (`83.3%`, or `—` with nothing to count).
    public var completionRate: String
    public var satisfactionRate: String
    public var overdueNow: Int

    public init(tenant: TenantID, month: CalendarMonth, recipients: [BriefingRecipient], received: Int, closed: Int, completionRate: String,
        satisfactionRate: String, overdueNow: Int)
    {
        self.tenant = tenant
        self.month = month
        self.recipients = recipients
        self.received = received
        self.closed = closed
        self.completionRate = completionRate
        self.satisfactionRate = satisfactionRate
        self.overdueNow = overdueNow
    }
}
