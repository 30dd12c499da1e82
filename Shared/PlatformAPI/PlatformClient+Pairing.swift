import DemandDomain
import Foundation
import InputValidation
import Tenancy

/// The cadre's month on intake (`/pairing/…`): contacts, business statuses, duties and reminders.
extension PlatformClient {
    public struct PairingContact: Codable, Sendable {
        public var id: UUID
        public var enterpriseID: String
        public var enterpriseName: String
        public var cadreID: String
        public var cadreName: String
        public var contactedOn: CivilDate
        public var way: ContactWay
        public var wayName: String
        public var summary: String
        public var demandsRaised: Int
        public var resolvedOnSpot: String?
        public var recordedAt: Date
    }

    public struct BusinessStatusHistory: Codable, Sendable {
        public struct Report: Codable, Sendable {
            public var month: CalendarMonth
            public var status: BusinessStatus
            public var statusName: String
            public var note: String?
            public var reportedBy: String
            public var reportedAt: Date
        }

        public var enterpriseID: String
        public var reports: [Report]
    }

    public struct PairingMonth: Codable, Sendable {
        public struct Enterprise: Codable, Sendable {
            public var enterpriseID: String
            public var name: String
            public var contacts: Int
            public var resolvedOnSpot: Int
            public var lastContactOn: CivilDate?
            public var status: BusinessStatus?
            public var statusName: String?
        }

        public struct Cadre: Codable, Sendable {
            public var cadreID: String
            public var name: String
            public var unitID: String?
            public var unitName: String?
            public var enterprises: [Enterprise]
            public var contacted: Int
            public var statusReported: Int
            public var resolvedOnSpot: Int
            public var complete: Bool
            public var remindedAt: Date?
        }

        public var tier: String
        public var month: CalendarMonth
        public var reminderDay: Int?
        public var cadres: [Cadre]
    }

    public struct RemindersSent: Codable, Sendable {
        public var month: CalendarMonth
        public var reminded: [String]
    }

    /// Each cadre's duties in a month (this month when nil).
    public func pairingMonth(_ session: Session, month: CalendarMonth? = nil) async throws -> PairingMonth {
        try await send(.pairingMonth, tier: session.tier, query: month.map { "?month=\($0)" } ?? "", token: session.token)
    }

    public func pairingContacts(_ session: Session, month: CalendarMonth? = nil, enterpriseID: String? = nil) async throws
        -> [PairingContact]
    {
        let query = Self.queryString([("month", month?.description), ("enterpriseID", enterpriseID)])
        return try await send(.pairingContacts, tier: session.tier, query: query, token: session.token)
    }

    public func recordContact(_ session: Session, _ input: PairingContactInput) async throws -> PairingContact {
        try await send(.recordContact, tier: session.tier, token: session.token, body: input)
    }

    public func businessStatus(_ session: Session, enterpriseID: String) async throws -> BusinessStatusHistory {
        try await send(.businessStatus, tier: session.tier, pathParameters: ["enterpriseID": enterpriseID], token: session.token)
    }

    public func reportBusinessStatus(_ session: Session, enterpriseID: String, _ input: BusinessStatusInput) async throws
        -> BusinessStatusHistory
    {
        try await send(.reportBusinessStatus, tier: session.tier, pathParameters: ["enterpriseID": enterpriseID], token: session.token,
            body: input)
    }

    /// The office reminds the cadres who are behind this month.
    public func sendPairingReminders(_ session: Session) async throws -> RemindersSent {
        try await send(.pairingReminders, tier: session.tier, token: session.token, body: [String: String]())
    }

    // MARK: 干部测评

    public struct CadreAppraisal: Codable, Sendable {
        public var quarter: CalendarQuarter
        public var cadreID: String?
        public var cadreName: String?
        public var due: Bool
        public var ratings: [CadreDuty: SatisfactionLevel]?
        public var results: String?
        public var submittedAt: Date?
    }

    public struct CadreQuarters: Codable, Sendable {
        public struct Duty: Codable, Sendable {
            public var duty: CadreDuty
            public var dutyName: String
            public var rated: Int
            public var satisfied: Int
        }

        public struct Cadre: Codable, Sendable {
            public var cadreID: String
            public var name: String
            public var unitID: String?
            public var unitName: String?
            public var enterprises: Int
            public var appraised: Int
            public var duties: [Duty]
            public var monthsContacted: Int
            public var monthsStatusReported: Int
            public var monthsSoFar: Int
            public var resolvedOnSpot: Int
            public var briefsAccepted: Int
            public var results: [String]
        }

        public var tier: String
        public var quarter: CalendarQuarter
        public var cadres: [Cadre]
    }

    public struct AppraisalRequestsSent: Codable, Sendable {
        public var quarter: CalendarQuarter
        public var enterprises: [String]
    }

    /// The enterprise's appraisal of its cadre this quarter.
    public func appraisal(_ session: Session) async throws -> CadreAppraisal {
        try await send(.myAppraisal, tier: session.tier, token: session.token)
    }

    public func submitAppraisal(_ session: Session, _ input: CadreAppraisalInput) async throws -> CadreAppraisal {
        try await send(.submitAppraisal, tier: session.tier, token: session.token, body: input)
    }

    /// Each cadre's quarter (this quarter when nil).
    public func cadreQuarters(_ session: Session, quarter: CalendarQuarter? = nil) async throws -> CadreQuarters {
        try await send(.cadreQuarters, tier: session.tier, query: quarter.map { "?quarter=\($0)" } ?? "", token: session.token)
    }

    /// The office asks the enterprises that have not appraised their cadres this quarter.
    public func requestAppraisals(_ session: Session) async throws -> AppraisalRequestsSent {
        try await send(.appraisalRequests, tier: session.tier, token: session.token, body: [String: String]())
    }

    // MARK: Allocation

    public struct PairingCadre: Codable, Sendable {
        public var cadreID: String
        public var name: String
        public var unitID: String?
        public var unitName: String?
        public var enterprises: Int
        public var exemption: PairingExemption?
        public var exemptionName: String?
        public var note: String?
    }

    public struct Allocation: Codable, Sendable {
        public struct Assignment: Codable, Sendable {
            public var enterpriseID: String
            public var enterpriseName: String
            public var cadreID: String
            public var cadreName: String
            public var unitName: String?
            public var basis: AllocationBasis
            public var basisName: String
        }

        public struct Leftover: Codable, Sendable {
            public var enterpriseID: String
            public var enterpriseName: String
            public var reason: PairingAllocator.Leftover
            public var reasonName: String
        }

        public var seed: String
        public var perCadre: Int
        /// The priority lists the draw served first.
        public var leaderContacts: [String: String]
        public var industryManaged: [String: String]
        public var applied: Bool
        public var allocationID: UUID?
        public var assignments: [Assignment]
        public var unassigned: [Leftover]
    }

    public struct AllocationRequest: Codable, Sendable {
        public var seed: String?
        public var perCadre: Int?
        public var leaderContacts: [String: String]?
        public var industryManaged: [String: String]?
        public var apply: Bool?

        public init(seed: String? = nil, perCadre: Int? = nil, leaderContacts: [String: String]? = nil,
            industryManaged: [String: String]? = nil, apply: Bool? = nil)
        {
            self.seed = seed
            self.perCadre = perCadre
            self.leaderContacts = leaderContacts
            self.industryManaged = industryManaged
            self.apply = apply
        }
    }

    /// The office's lists that allocation serves first, with names.
    public struct PriorityLists: Decodable, Sendable {
        public struct Entry: Decodable, Sendable {
            public var enterpriseID: String
            public var enterpriseName: String
            public var assigneeID: String
            public var assigneeName: String
        }

        public var leaderContacts: [Entry]
        public var industryManaged: [Entry]
    }

    public func priorityLists(_ session: Session) async throws -> PriorityLists {
        try await send(.priorityEnterprises, tier: session.tier, token: session.token)
    }

    /// Replaces the office's lists: enterprise id → leader (cadre id), enterprise id → department (unit id).
    public func setPriorityLists(_ session: Session, leaderContacts: [String: String], industryManaged: [String: String]) async throws
        -> PriorityLists
    {
        try await send(.setPriorityEnterprises, tier: session.tier, token: session.token,
            body: ["leaderContacts": leaderContacts, "industryManaged": industryManaged])
    }

    public func pairingCadres(_ session: Session) async throws -> [PairingCadre] {
        try await send(.pairingCadres, tier: session.tier, token: session.token)
    }

    /// Records why a cadre is given no enterprise; nil: no longer exempt.
    public func setExemption(_ session: Session, cadreID: String, reason: PairingExemption?, note: String? = nil) async throws
        -> PairingCadre
    {
        struct Body: Encodable, Sendable {
            var reason: String?
            var note: String?
        }
        return try await send(.setExemption, tier: session.tier, pathParameters: ["cadreID": cadreID], token: session.token,
            body: Body(reason: reason?.rawValue, note: note))
    }

    public struct Deactivation: Decodable, Sendable {
        public var cadreID: String
        public var cadreName: String
        public var releasedEnterprises: [String]
        /// Demands that waited for the cadre's review, which the office reviews now.
        public var reviewsForOffice: Int
    }

    /// The office deactivates a cadre who retires or leaves; their enterprises go back to the pool.
    public func deactivateCadre(_ session: Session, cadreID: String, reason: String) async throws -> Deactivation {
        try await send(.deactivateCadre, tier: session.tier, pathParameters: ["cadreID": cadreID], token: session.token,
            body: ["reason": reason])
    }

    public func allocate(_ session: Session, _ request: AllocationRequest) async throws -> Allocation {
        try await send(.allocate, tier: session.tier, token: session.token, body: request)
    }

    // MARK: Changes of pairing

    public struct PairingProposal: Codable, Sendable {
        public var id: UUID
        public var enterpriseID: String
        public var enterpriseName: String
        public var kind: PairingChangeKind
        public var kindName: String
        public var fromCadreName: String?
        public var toCadreID: String?
        public var toCadreName: String?
        public var reason: String
        public var proposedBy: String
        public var proposedAt: Date
        public var state: String
        public var stateName: String
        public var decisionNote: String?
    }

    public func proposeChange(_ session: Session, _ input: PairingProposalInput) async throws -> PairingProposal {
        try await send(.proposeChange, tier: session.tier, token: session.token, body: input)
    }

    /// Open proposals, or every one with `all`.
    public func pairingProposals(_ session: Session, all: Bool = false) async throws -> [PairingProposal] {
        try await send(.pairingProposals, tier: session.tier, query: all ? "?state=all" : "", token: session.token)
    }

    public func decideChange(_ session: Session, proposalID: UUID, approve: Bool, note: String? = nil) async throws -> PairingProposal {
        struct Body: Encodable, Sendable {
            var approve: Bool
            var note: String?
        }
        return try await send(.decideChange, tier: session.tier, pathParameters: ["proposalID": proposalID.uuidString.lowercased()],
            token: session.token, body: Body(approve: approve, note: note))
    }
}

// MARK: Prompt letters (提示函)

extension PlatformClient {
    public struct PromptLetter: Codable, Sendable {
        public var id: UUID
        public var number: String
        public var unitID: String
        public var unitName: String
        public var subject: String
        public var body: String
        public var replyBy: CivilDate
        public var issuedBy: String?
        public var issuedAt: Date
        public var reply: String?
        public var repliedBy: String?
        public var repliedAt: Date?
        /// 已反馈, 逾期反馈, 待反馈 or 逾期未反馈.
        public var status: String
    }

    /// The office's and the inspector's: the tier's letters; a unit's administrators: their unit's.
    public func promptLetters(_ session: Session) async throws -> [PromptLetter] {
        try await send(.promptLetters, tier: session.tier, token: session.token)
    }

    public func issuePromptLetter(_ session: Session, _ input: PromptLetterInput) async throws -> PromptLetter {
        try await send(.issuePromptLetter, tier: session.tier, token: session.token, body: input)
    }

    public func replyToPromptLetter(_ session: Session, letterID: UUID, _ reply: PromptLetterReply) async throws -> PromptLetter {
        try await send(.replyToPromptLetter, tier: session.tier, pathParameters: ["letterID": letterID.uuidString.lowercased()],
            token: session.token, body: reply)
    }
}
