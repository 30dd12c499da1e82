import DemandDomain
import Foundation
import InputValidation
import Tenancy

/// 公告文档: the tier office's announcements and policy guide entries, on the tier's intake.
extension PlatformClient {
    public struct Notice: Codable, Sendable {
        public var id: UUID
        public var tenant: String
        public var kind: NoticeKind
        public var title: String
        public var body: String
        public var category: PolicyCategory?
        public var categoryName: String?
        public var texted: Bool
        public var publishedBy: String?
        public var publishedAt: Date
    }

    /// `tier`'s notices (the person's own tier when nil; a tier above it may be read too).
    public func notices(_ session: Session, tier: TenantID? = nil, kind: NoticeKind? = nil, category: PolicyCategory? = nil,
        search: String? = nil) async throws -> [Notice]
    {
        let query = Self.queryString([("kind", kind?.rawValue), ("category", category?.rawValue), ("q", search)])
        return try await send(.notices, tier: tier ?? session.tier, query: query, token: session.token)
    }

    public func publishNotice(_ session: Session, _ input: NoticeInput) async throws -> Notice {
        try await send(.publishNotice, tier: session.tier, token: session.token, body: input)
    }

    public func withdrawNotice(_ session: Session, id: UUID) async throws {
        let _: Empty = try await send(.withdrawNotice, tier: session.tier, id: id, token: session.token)
    }
}

/// 简报投稿: briefs cadres and enterprises submit, and the office's decisions on them.
extension PlatformClient {
    public struct Brief: Codable, Sendable {
        public var id: UUID
        public var title: String
        public var body: String
        public var submittedBy: String
        public var submitterName: String?
        public var submitterRole: Role
        public var unitID: String?
        public var unitName: String?
        public var submittedAt: Date
        public var state: BriefState
        public var stateName: String
        public var decidedBy: String?
        public var decidedAt: Date?
        public var reason: String?
    }

    public func briefs(_ session: Session, state: BriefState? = nil) async throws -> [Brief] {
        try await send(.briefs, tier: session.tier, query: Self.queryString([("state", state?.rawValue)]), token: session.token)
    }

    public func submitBrief(_ session: Session, _ input: BriefInput) async throws -> Brief {
        try await send(.submitBrief, tier: session.tier, token: session.token, body: input)
    }

    public func decideBrief(_ session: Session, id: UUID, _ decision: BriefDecision) async throws -> Brief {
        try await send(.decideBrief, tier: session.tier, id: id, token: session.token, body: decision)
    }
}
