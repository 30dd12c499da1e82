import DemandDomain
import Foundation

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
