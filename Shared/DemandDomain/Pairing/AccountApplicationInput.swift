import InputValidation
import Tenancy
/// An enterprise outside the pairing program asks for an account online (002 §13, 000 Q29): who it
/// is, who to reach, and the password it will log in with once the office approves. Its demands then
/// go straight to dispatch, with no cadre to review them.
public struct AccountApplicationInput: Codable, Sendable, Hashable {
    public var enterpriseName: String
    public var creditCode: String
    public var address: String
    public var industryGroup: String
    public var contactName: String
    public var contactPhone: String
    public var password: String
    public var note: String?

    public init(enterpriseName: String, creditCode: String, address: String, industryGroup: String, contactName: String,
        contactPhone: String, password: String, note: String? = nil)
    {
        self.enterpriseName = enterpriseName
        self.creditCode = creditCode
        self.address = address
        self.industryGroup = industryGroup
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.password = password
        self.note = note
    }

    public struct Valid: Sendable {
        public var enterpriseName: String
        public var creditCode: UnifiedSocialCreditCode
        public var address: String
        public var industryGroup: IndustryGroup
        public var contactName: String
        public var contactPhone: MobileNumber
        public var note: String?
    }

    public static let nameLimit = 100, addressLimit = 200, contactNameLimit = 50, noteLimit = 500

    /// The application as it is kept, or every problem with it (the password against `passwordProblem`,
    /// the policy the service applies to any password a person chooses).
    public func validated(passwordProblem: (String) -> String?) throws(ValidationError) -> Valid {
        var issues = IssueCollector()
        issues.requireText(enterpriseName, field: "enterpriseName", label: "企业名称", maxLength: Self.nameLimit)
        var code: UnifiedSocialCreditCode?
        do {
            code = try UnifiedSocialCreditCode(validating: creditCode)
        } catch {
            issues.add("INVALID_CREDIT_CODE", "creditCode", error.message)
        }
        issues.requireText(address, field: "address", label: "注册地址", maxLength: Self.addressLimit)
        let group = IndustryGroup(rawValue: industryGroup)
        if group == nil { issues.add("INVALID_INDUSTRY_GROUP", "industryGroup", "请选择行业组") }
        issues.requireText(contactName, field: "contactName", label: "联系人", maxLength: Self.contactNameLimit)
        let phone = MobileNumber(contactPhone)
        if phone == nil {
            let issue = FieldIssue.invalidMobile("contactPhone")
            issues.add(issue.code, issue.field, issue.message)
        }
        if let problem = passwordProblem(password) { issues.add("WEAK_PASSWORD", "password", problem) }
        issues.optionalText(note?.trimmingWhitespace, field: "note", label: "说明", maxLength: Self.noteLimit)
        try issues.finish()
        return Valid(enterpriseName: enterpriseName.trimmingWhitespace, creditCode: code!, address: address.trimmingWhitespace,
            industryGroup: group!, contactName: contactName.trimmingWhitespace, contactPhone: phone!,
            note: note?.trimmingWhitespace.isEmpty == false ? note?.trimmingWhitespace : nil)
    }
}
