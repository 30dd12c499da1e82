import DemandDomain
import Foundation
import Tenancy

extension PlatformClient {
    /// A login account the caller manages (`GET /accounts`).
    public struct Account: Decodable, Sendable {
        public var subject: String
        public var name: String
        public var role: Role
        public var unitID: String?
        public var unitName: String?
        public var active: Bool
        public var mustChangePassword: Bool
        public var lockedUntil: Date?
        public var lastResetAt: Date?
        public var lastResetBy: String?
    }

    /// A reset's new initial password, answered once (`POST /accounts/{subject}/password-reset`).
    public struct PasswordReset: Decodable, Sendable {
        public var subject: String
        public var name: String
        public var unitName: String?
        public var password: String
    }

    /// The accounts the caller manages: of one `unit` (the office only; "" for the tier's own organs
    /// and enterprises), whose name contains `search`, the first `limit`.
    public func accounts(_ session: Session, unit: String? = nil, search: String? = nil, limit: Int? = nil) async throws -> [Account] {
        let query = Self.queryString([("unit", unit), ("q", search), ("limit", limit.map(String.init))])
        return try await send(.accounts, tier: session.tier, query: query, token: session.token)
    }

    public func resetPassword(_ session: Session, subject: String) async throws -> PasswordReset {
        try await send(.resetPassword, tier: session.tier, pathParameters: ["subject": subject], token: session.token)
    }
}

extension PlatformClient {
    /// An enterprise's online account application (`/account-applications`).
    public struct AccountApplication: Decodable, Sendable {
        public var id: UUID
        public var enterpriseName: String
        public var creditCode: String
        public var address: String
        public var industryGroup: IndustryGroup
        public var contactName: String
        public var contactPhone: String
        public var note: String?
        public var state: String
        public var appliedAt: Date
        public var decidedBy: String?
        public var decidedAt: Date?
        public var reason: String?
        public var enterpriseID: String?
    }

    /// Applies without a session; `clientAddress` is the applicant's, which intake limits per day.
    public func applyForAccount(tier: TenantID, _ input: AccountApplicationInput, clientAddress: String? = nil) async throws
        -> AccountApplication
    {
        try await send(.applyForAccount, tier: tier, token: nil, body: input,
            headers: clientAddress.map { ["X-Forwarded-For": $0] } ?? [:])
    }

    /// Pending applications, or all (`all`).
    public func accountApplications(_ session: Session, all: Bool = false) async throws -> [AccountApplication] {
        try await send(.accountApplications, tier: session.tier, query: all ? "?state=all" : "", token: session.token)
    }

    public func decideAccountApplication(_ session: Session, id: UUID, approve: Bool, reason: String? = nil) async throws
        -> AccountApplication
    {
        struct Decision: Encodable, Sendable {
            var approve: Bool
            var reason: String?
        }
        return try await send(.decideAccountApplication, tier: session.tier, id: id, token: session.token,
            body: Decision(approve: approve, reason: reason))
    }
}

extension PlatformClient {
    /// Received and closed per month (`GET /figures/months`).
    public struct MonthlyTrend: Decodable, Sendable {
        public struct Month: Decodable, Sendable {
            public var month: String
            public var label: String
            public var received: Int
            public var closed: Int
        }

        public var months: [Month]
    }

    /// `query`: `?from=2026-06&to=2026-11`, optionally with `&tier=`.
    public func figureMonths(_ session: Session, query: String) async throws -> MonthlyTrend {
        try await send(.figureMonths, tier: nil, query: query, token: session.token)
    }
}
