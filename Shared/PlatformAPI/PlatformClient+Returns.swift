import DemandDomain
import Foundation
import InputValidation
import Tenancy

/// 定期报送: the returns a tier's regime asks of its units and office (reporting).
extension PlatformClient {
    public struct ReturnsReminded: Decodable, Sendable {
        public var reminded: Int
    }

    /// The returns on `month` (default last month) and who has sent which.
    public func returnsTracker(_ session: Session, month: CalendarMonth? = nil) async throws -> ReturnsTracker {
        try await send(.returnsTracker, tier: nil, query: month.map { "?month=\($0)" } ?? "", token: session.token)
    }

    /// The office texts everyone still missing a return on `month` (each at most once a day).
    public func sendReturnReminders(_ session: Session, month: CalendarMonth) async throws -> ReturnsReminded {
        try await send(.returnReminders, tier: nil, query: "?month=\(month)", token: session.token, body: [String: String]())
    }

    public func returnSheet(_ session: Session, form: String, period: ReturnPeriod, submitter: String) async throws -> ReturnSheet {
        try await send(.returnSheet, tier: nil, pathParameters: ["form": form, "period": period.description, "submitter": submitter],
            token: session.token)
    }

    public func submitReturn(_ session: Session, form: String, period: ReturnPeriod, submitter: String, _ content: ReturnContent)
        async throws -> ReturnSheet
    {
        try await send(.submitReturn, tier: nil, pathParameters: ["form": form, "period": period.description, "submitter": submitter],
            token: session.token, body: content)
    }
}

/// 通报报送: the leaders the tier's monthly bulletin goes to (reporting).
extension PlatformClient {
    public func briefingRecipients(_ session: Session) async throws -> BriefingRecipients {
        try await send(.briefingRecipients, tier: nil, token: session.token)
    }

    public func setBriefingRecipients(_ session: Session, _ input: BriefingRecipientsInput) async throws -> BriefingRecipients {
        try await send(.setBriefingRecipients, tier: nil, token: session.token, body: input)
    }

    /// The office issues `month`'s bulletin: each leader on the list is texted its headline figures, once.
    public func issueBriefing(_ session: Session, month: CalendarMonth) async throws -> BriefingRecipients {
        try await send(.issueBriefing, tier: nil, query: "?month=\(month)", token: session.token, body: [String: String]())
    }
}
