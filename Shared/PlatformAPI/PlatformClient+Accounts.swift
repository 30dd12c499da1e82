import DemandDomain
import Foundation

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

    /// `query` (with its `?`) may name a `unit` (the office only).
    public func accounts(_ session: Session, query: String = "") async throws -> [Account] {
        try await send(.accounts, tier: session.tier, query: query, token: session.token)
    }

    public func resetPassword(_ session: Session, subject: String) async throws -> PasswordReset {
        try await send(.resetPassword, tier: session.tier, pathParameters: ["subject": subject], token: session.token)
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
