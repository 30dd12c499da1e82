import DemandDomain
import Foundation
import Tenancy

extension PlatformClient {
    /// A 约谈 of a unit as intake records it.
    public struct UnitInterview: Decodable, Sendable {
        public var id: UUID
        public var unitID: String
        public var unitName: String
        public var heldOn: CivilDate
        public var attendees: String
        public var demands: String?
        public var decision: String
        public var dueOn: CivilDate?
        public var recordedBy: String?
        public var recordedAt: Date
    }

    /// The office's and the inspector's: the tier's records; a unit's administrators: their unit's.
    public func interviews(_ session: Session) async throws -> [UnitInterview] {
        try await send(.interviews, tier: session.tier, token: session.token)
    }

    public func recordInterview(_ session: Session, _ input: UnitInterviewInput) async throws -> UnitInterview {
        try await send(.recordInterview, tier: session.tier, token: session.token, body: input)
    }
}

/// 常态化工作小组 (Jinzai): the office's working groups of units and the enterprises each serves.
extension PlatformClient {
    public struct WorkingGroupEnterprise: Decodable, Sendable {
        public var id: String
        public var name: String
        public var industryGroup: IndustryGroup
        public var pairedCadre: String?
    }

    public struct WorkingGroup: Decodable, Sendable {
        public struct Member: Decodable, Sendable {
            public var name: String
            public var unitID: String
            public var unitName: String
        }

        public var id: UUID
        public var name: String
        public var leadUnitID: String
        public var leadUnitName: String
        public var leader: String
        public var members: [Member]
        public var enterprises: [WorkingGroupEnterprise]
        public var sizeNote: String?
        public var updatedBy: String?
        public var updatedAt: Date
    }

    public struct WorkingGroupList: Decodable, Sendable {
        public var groups: [WorkingGroup]
        public var ungrouped: [WorkingGroupEnterprise]
    }

    public func workingGroups(_ session: Session) async throws -> WorkingGroupList {
        try await send(.workingGroups, tier: session.tier, token: session.token)
    }

    /// Forms a group (`id` nil) or changes one.
    public func saveWorkingGroup(_ session: Session, id: UUID? = nil, _ input: WorkingGroupInput) async throws -> WorkingGroup {
        guard let id else { return try await send(.formWorkingGroup, tier: session.tier, token: session.token, body: input) }
        return try await send(.changeWorkingGroup, tier: session.tier, pathParameters: ["groupID": id.uuidString.lowercased()],
            token: session.token, body: input)
    }

    public func dissolveWorkingGroup(_ session: Session, id: UUID) async throws {
        let _: Empty = try await send(.dissolveWorkingGroup, tier: session.tier, pathParameters: ["groupID": id.uuidString.lowercased()],
            token: session.token)
    }
}
