import Foundation
import InputValidation
import Tenancy

/// The enterprise's registration details as written on the form (003 登记表, 002 §3).
public struct EnterpriseDetails: Codable, Sendable, Hashable {
    public var name: String
    public var creditCode: UnifiedSocialCreditCode
    public var address: String

    public init(name: String, creditCode: UnifiedSocialCreditCode, address: String) {
        self.name = name
        self.creditCode = creditCode
        self.address = address
    }
}

/// The person at the enterprise to contact about the demand.
public struct ContactPerson: Codable, Sendable, Hashable {
    public var name: String
    public var title: String
    /// A mobile, or a landline with its area code; SMS goes only to a mobile.
    public var phone: ContactNumber
    public var email: String?

    public init(name: String, title: String, phone: ContactNumber, email: String? = nil) {
        self.name = name
        self.title = title
        self.phone = phone
        self.email = email
    }
}

/// A file kept elsewhere (object storage, the document system), referred to by the demand.
public struct AttachmentReference: Codable, Sendable, Hashable {
    public var name: String
    public var uri: String

    public init(name: String, uri: String) {
        self.name = name
        self.uri = uri
    }
}

/// What the enterprise asks for: every field of the registration form, validated.
public struct DemandContent: Codable, Sendable, Hashable {
    public var enterprise: EnterpriseDetails
    public var contact: ContactPerson
    public var channel: DemandChannel
    public var category: DemandCategory
    public var industryGroup: IndustryGroup
    /// 主要困难和问题.
    public var difficulty: String
    /// 希望协调解决的具体事项.
    public var helpWanted: String
    /// 咨询类: answered by the competent department rather than solved.
    public var isConsultation: Bool
    public var attachments: [AttachmentReference]
    /// 反映时间: the day the enterprise raised the matter, where the office registers it later (a
    /// letter, a visit); nil when it was raised on the platform at submission.
    public var raisedOn: CivilDate?
    /// 备注 written by whoever registered the demand.
    public var remarks: String?
    /// 建议承办单位: the unit the paired cadre (or the office) proposes (000 Q17); the dispatcher sees it
    /// and decides.
    public var suggestedUnit: String?

    public init(
        enterprise: EnterpriseDetails,
        contact: ContactPerson,
        channel: DemandChannel,
        category: DemandCategory,
        industryGroup: IndustryGroup,
        difficulty: String,
        helpWanted: String,
        isConsultation: Bool = false,
        attachments: [AttachmentReference] = [],
        raisedOn: CivilDate? = nil,
        remarks: String? = nil,
        suggestedUnit: String? = nil
    ) {
        self.raisedOn = raisedOn
        self.remarks = remarks
        self.suggestedUnit = suggestedUnit
        self.enterprise = enterprise
        self.contact = contact
        self.channel = channel
        self.category = category
        self.industryGroup = industryGroup
        self.difficulty = difficulty
        self.helpWanted = helpWanted
        self.isConsultation = isConsultation
        self.attachments = attachments
    }
}

/// The demand form as people fill it in: plain text everywhere, checked by ``validated()``.
///
/// APIs decode this rather than ``DemandContent`` so that every problem in a submission is reported
/// at once, with a code and a Chinese message per field.
public struct DemandForm: Codable, Sendable, Hashable {
    public struct Enterprise: Codable, Sendable, Hashable {
        public var name: String
        public var creditCode: String
        public var address: String
        public init(name: String, creditCode: String, address: String) {
            self.name = name
            self.creditCode = creditCode
            self.address = address
        }
    }

    public struct Contact: Codable, Sendable, Hashable {
        public var name: String
        public var title: String
        public var phone: String
        public var email: String?
        public init(name: String, title: String, phone: String, email: String? = nil) {
            self.name = name
            self.title = title
            self.phone = phone
            self.email = email
        }
    }

    public var enterprise: Enterprise
    public var contact: Contact
    public var channel: DemandChannel?
    public var category: DemandCategory
    public var industryGroup: IndustryGroup
    public var difficulty: String
    public var helpWanted: String
    public var isConsultation: Bool?
    public var attachments: [AttachmentReference]?
    /// Whether the matter is already before a court, an arbitrator or an administrative review.
    public var legalProceeding: LegalProceeding?
    /// Whether the matter involves state secrets.
    public var involvesStateSecrets: Bool?
    /// 反映时间, when the office registers a matter raised earlier (`YYYY-MM-DD`).
    public var raisedOn: CivilDate?
    /// 备注.
    public var remarks: String?
    /// 建议承办单位 (000 Q17).
    public var suggestedUnit: String?

    public init(
        enterprise: Enterprise,
        contact: Contact,
        channel: DemandChannel? = nil,
        category: DemandCategory,
        industryGroup: IndustryGroup,
        difficulty: String,
        helpWanted: String,
        isConsultation: Bool? = nil,
        attachments: [AttachmentReference]? = nil,
        legalProceeding: LegalProceeding? = nil,
        involvesStateSecrets: Bool? = nil,
        raisedOn: CivilDate? = nil,
        remarks: String? = nil,
        suggestedUnit: String? = nil
    ) {
        self.raisedOn = raisedOn
        self.remarks = remarks
        self.suggestedUnit = suggestedUnit
        self.enterprise = enterprise
        self.contact = contact
        self.channel = channel
        self.category = category
        self.industryGroup = industryGroup
        self.difficulty = difficulty
        self.helpWanted = helpWanted
        self.isConsultation = isConsultation
        self.attachments = attachments
        self.legalProceeding = legalProceeding
        self.involvesStateSecrets = involvesStateSecrets
    }

    /// Limits on free text, in characters.
    public enum Limits {
        public static let name = 100
        public static let address = 200
        public static let title = 50
        public static let email = 100
        public static let longText = 2000
        public static let attachments = 20
    }

    /// Checks every field and returns the typed content, or throws every problem found.
    ///
    /// Matters in litigation, arbitration or administrative review, and matters involving state
    /// secrets, are outside the procedure (003 art. 2) and refused with the reason; that refusal is
    /// the first issue reported.
    public func validated() throws(ValidationError) -> DemandContent {
        var collector = IssueCollector()
        if let legalProceeding {
            collector.add(
                "OUT_OF_SCOPE", "legalProceeding",
                "该事项已进入\(legalProceeding.chineseName)程序，依规不纳入企业诉求受理范围，请通过法定途径解决"
            )
        }
        if involvesStateSecrets == true {
            collector.add("OUT_OF_SCOPE", "involvesStateSecrets", "涉及国家秘密的事项不纳入企业诉求受理范围")
        }
        collector.requireText(enterprise.name, field: "enterprise.name", label: "企业名称", maxLength: Limits.name)
        collector.requireText(
            enterprise.address, field: "enterprise.address", label: "详细地址", maxLength: Limits.address)
        var creditCode: UnifiedSocialCreditCode?
        do {
            creditCode = try UnifiedSocialCreditCode(validating: enterprise.creditCode)
        } catch {
            collector.add("INVALID_CREDIT_CODE", "enterprise.creditCode", error.message)
        }
        collector.requireText(contact.name, field: "contact.name", label: "联系人", maxLength: Limits.name)
        collector.requireText(contact.title, field: "contact.title", label: "职务", maxLength: Limits.title)
        let phone = ContactNumber(contact.phone)
        if phone == nil {
            collector.add("INVALID_PHONE", "contact.phone", "联系电话应为11位手机号码或带区号的固定电话（如0719-8866001）")
        }
        if let email = contact.email, !email.isEmpty {
            if email.count > Limits.email || !Self.looksLikeEmail(email) {
                collector.add("INVALID_EMAIL", "contact.email", "电子邮箱格式不正确")
            }
        }
        collector.requireText(difficulty, field: "difficulty", label: "主要困难和问题", maxLength: Limits.longText)
        collector.requireText(
            helpWanted, field: "helpWanted", label: "希望协调解决的具体事项", maxLength: Limits.longText)
        if let remarks, remarks.count > Limits.longText {
            collector.add("TEXT_TOO_LONG", "remarks", "备注不能超过\(Limits.longText)个字")
        }
        if let suggestedUnit, suggestedUnit.count > Limits.name {
            collector.add("TEXT_TOO_LONG", "suggestedUnit", "建议承办单位不能超过\(Limits.name)个字")
        }
        if let raisedOn, raisedOn > CivilDate(Date()) {
            collector.add("INVALID_DATE", "raisedOn", "反映时间不能晚于今天")
        }
        let attachments = attachments ?? []
        if attachments.count > Limits.attachments {
            collector.add("TOO_MANY_ATTACHMENTS", "attachments", "附件不能超过\(Limits.attachments)个")
        }
        try collector.finish()
        guard let creditCode, let phone else { throw ValidationError(collector.issues) }
        let email = contact.email.flatMap { $0.isEmpty ? nil : $0 }
        return DemandContent(
            enterprise: EnterpriseDetails(
                name: enterprise.name.trimmingWhitespace,
                creditCode: creditCode,
                address: enterprise.address.trimmingWhitespace
            ),
            contact: ContactPerson(
                name: contact.name.trimmingWhitespace,
                title: contact.title.trimmingWhitespace,
                phone: phone,
                email: email
            ),
            channel: channel ?? .platform,
            category: category,
            industryGroup: industryGroup,
            difficulty: difficulty.trimmingWhitespace,
            helpWanted: helpWanted.trimmingWhitespace,
            isConsultation: isConsultation ?? false,
            attachments: attachments,
            raisedOn: raisedOn,
            remarks: remarks.trimmedOrNil,
            suggestedUnit: suggestedUnit.trimmedOrNil
        )
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !text.contains(" ")
        else { return false }
        return true
    }
}

extension DemandForm {
    /// The form that reproduces a content, for edits that start from what was submitted.
    public init(_ content: DemandContent) {
        self.init(
            enterprise: .init(
                name: content.enterprise.name,
                creditCode: content.enterprise.creditCode.rawValue,
                address: content.enterprise.address
            ),
            contact: .init(
                name: content.contact.name,
                title: content.contact.title,
                phone: content.contact.phone.text,
                email: content.contact.email
            ),
            channel: content.channel,
            category: content.category,
            industryGroup: content.industryGroup,
            difficulty: content.difficulty,
            helpWanted: content.helpWanted,
            isConsultation: content.isConsultation,
            attachments: content.attachments,
            raisedOn: content.raisedOn,
            remarks: content.remarks,
            suggestedUnit: content.suggestedUnit
        )
    }
}
