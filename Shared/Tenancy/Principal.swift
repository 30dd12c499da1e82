import Foundation

/// A logged-in person as the signed token describes them.
public struct Principal: Codable, Sendable, Hashable {
    /// The account's person id.
    public var subject: String
    public var role: Role
    public var tenant: TenantID
    public var unitID: String?
    public var enterpriseID: String?
    public var name: String?
    /// A dispatcher's industry groups (Shiyan city: 经信, 住建, …), whose queue they keep; nil for
    /// one who keeps the whole tier's.
    public var industryGroups: [IndustryGroup]?

    public init(
        subject: String,
        role: Role,
        tenant: TenantID,
        unitID: String? = nil,
        enterpriseID: String? = nil,
        name: String? = nil,
        industryGroups: [IndustryGroup]? = nil
    ) {
        self.subject = subject
        self.role = role
        self.tenant = tenant
        self.unitID = unitID
        self.enterpriseID = enterpriseID
        self.name = name
        self.industryGroups = industryGroups
    }
}
