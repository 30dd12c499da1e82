import DemandDomain
import Foundation

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
