import DemandDomain
import Foundation
import InputValidation
import Tenancy

/// A cadre has not yet recorded a contact or a business status this month for some of the
/// enterprises they are paired with (000 Q14–Q15); the notifier texts them. Sent once per cadre and
/// month.
public struct PairingReminderEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var cadreID: String
    public var month: CalendarMonth
    /// The cadre's paired enterprises.
    public var enterprises: Int
    public var withoutContact: Int
    public var withoutStatus: Int

    public init(tenant: TenantID, cadreID: String, month: CalendarMonth, enterprises: Int, withoutContact: Int, withoutStatus: Int) {
        self.tenant = tenant
        self.cadreID = cadreID
        self.month = month
        self.enterprises = enterprises
        self.withoutContact = withoutContact
        self.withoutStatus = withoutStatus
    }
}

/// An enterprise is asked to appraise its paired cadre for the quarter (002 §16); the notifier texts
/// its liaison. Sent once per enterprise and quarter.
public struct AppraisalRequestEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var enterpriseID: String
    public var cadreName: String
    public var quarter: CalendarQuarter

    public init(tenant: TenantID, enterpriseID: String, cadreName: String, quarter: CalendarQuarter) {
        self.tenant = tenant
        self.enterpriseID = enterpriseID
        self.cadreName = cadreName
        self.quarter = quarter
    }
}

/// An enterprise has a new paired cadre (an allocation, 000 Q1); the notifier tells the enterprise's
/// liaison who the cadre is and how to reach them, and tells the cadre.
public struct PairingAssignedEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var enterpriseID: String
    public var enterpriseName: String
    public var cadreID: String
    public var cadreName: String
    public var unitName: String?
    public var cadrePhone: String?

    public init(tenant: TenantID, enterpriseID: String, enterpriseName: String, cadreID: String, cadreName: String, unitName: String?,
        cadrePhone: String?)
    {
        self.tenant = tenant
        self.enterpriseID = enterpriseID
        self.enterpriseName = enterpriseName
        self.cadreID = cadreID
        self.cadreName = cadreName
        self.unitName = unitName
        self.cadrePhone = cadrePhone
    }
}

/// The office approved or refused an enterprise's online account application; the notifier texts
/// the applicant's contact, who is in no directory yet when refused.
public struct AccountApplicationDecidedEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var applicationID: UUID
    public var enterpriseName: String
    public var contactName: String
    public var contactPhone: MobileNumber
    public var approved: Bool
    /// Why it was refused.
    public var reason: String?

    public init(tenant: TenantID, applicationID: UUID, enterpriseName: String, contactName: String, contactPhone: MobileNumber,
        approved: Bool, reason: String?)
    {
        self.tenant = tenant
        self.applicationID = applicationID
        self.enterpriseName = enterpriseName
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.approved = approved
        self.reason = reason
    }
}

/// A cadre solved an enterprise's difficulty on the spot while in contact with it (000 Q16):
/// reporting lists it in the unit's self-resolved matters (Jinzai's 自行办结问题清单) beside the
/// demands the unit closed. Keyed by the contact it was recorded with.
public struct SelfResolvedMatterEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var contactID: UUID
    public var enterpriseID: String
    public var enterpriseName: String
    public var cadreID: String
    /// The cadre's unit, whose return lists the matter; nil for a cadre of the tier's own organs.
    public var unitID: String?
    public var resolvedOn: CivilDate
    /// The difficulty and how it was solved, as the cadre wrote it.
    public var matter: String

    public init(tenant: TenantID, contactID: UUID, enterpriseID: String, enterpriseName: String, cadreID: String, unitID: String?,
        resolvedOn: CivilDate, matter: String)
    {
        self.tenant = tenant
        self.contactID = contactID
        self.enterpriseID = enterpriseID
        self.enterpriseName = enterpriseName
        self.cadreID = cadreID
        self.unitID = unitID
        self.resolvedOn = resolvedOn
        self.matter = matter
    }
}

/// The office sent a prompt letter (提示函) to one of its pairing groups; the notifier texts the
/// unit's administrators.
public struct PromptLetterIssuedEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var letterID: UUID
    public var number: String
    public var unitID: String
    public var subject: String
    public var replyBy: CivilDate

    public init(tenant: TenantID, letterID: UUID, number: String, unitID: String, subject: String, replyBy: CivilDate) {
        self.tenant = tenant
        self.letterID = letterID
        self.number = number
        self.unitID = unitID
        self.subject = subject
        self.replyBy = replyBy
    }
}

/// The office interviewed a unit (约谈) about its overdue demands; the notifier texts the unit's
/// administrators what was required and by when.
public struct UnitInterviewRecordedEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var interviewID: UUID
    public var unitID: String
    public var heldOn: CivilDate
    public var decision: String
    public var dueOn: CivilDate?

    public init(tenant: TenantID, interviewID: UUID, unitID: String, heldOn: CivilDate, decision: String, dueOn: CivilDate?) {
        self.tenant = tenant
        self.interviewID = interviewID
        self.unitID = unitID
        self.heldOn = heldOn
        self.decision = decision
        self.dueOn = dueOn
    }
}

/// The office published an announcement and asked for the tier's enterprises to be told; the
/// notifier texts every enterprise's liaison (at the gateway's rate, outside quiet hours).
public struct NoticePublishedEvent: Codable, Sendable, Hashable {
    public var tenant: TenantID
    public var noticeID: UUID
    public var title: String

    public init(tenant: TenantID, noticeID: UUID, title: String) {
        self.tenant = tenant
        self.noticeID = noticeID
        self.title = title
    }
}
