import Foundation

/// 企业诉求分办单 (002 §12): what the unit downloads before handling, as handling serves it at
/// `GET /demands/{id}/dispatch-slip` and the portal prints it.
public struct DispatchSlip: Codable, Sendable {
    public var title: String
    /// The tier that dispatched it (交办单位).
    public var issuer: String
    public var number: String
    public var registrationNumber: String?
    public var matter: String
    public var difficulty: String
    public var enterprise: String
    public var address: String
    public var contact: String
    public var phone: String
    public var leadUnit: String
    public var cooperatingUnits: [String]
    public var resultDueAt: Date?
    public var dispatchedAt: Date
    /// 签批领导: who approved the dispatch, where the procedure asks (Lincang).
    public var approval: String?
    /// The whole slip as plain text, for SMS-free channels and archives.
    public var text: String

    public init(
        title: String, issuer: String, number: String, registrationNumber: String?, matter: String, difficulty: String, enterprise: String,
        address: String, contact: String, phone: String, leadUnit: String, cooperatingUnits: [String], resultDueAt: Date?,
        dispatchedAt: Date, approval: String? = nil, text: String
    ) {
        self.title = title
        self.issuer = issuer
        self.number = number
        self.registrationNumber = registrationNumber
        self.matter = matter
        self.difficulty = difficulty
        self.enterprise = enterprise
        self.address = address
        self.contact = contact
        self.phone = phone
        self.leadUnit = leadUnit
        self.cooperatingUnits = cooperatingUnits
        self.resultDueAt = resultDueAt
        self.dispatchedAt = dispatchedAt
        self.approval = approval
        self.text = text
    }
}
