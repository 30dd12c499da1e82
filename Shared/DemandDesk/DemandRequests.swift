import DemandDomain
import DemandStore
import Foundation
import HTTPTypes
import Hummingbird
import ServiceRuntime
import Tenancy

// How the services' HTTP routes name demands: the `:id` path parameter, the list filter in the
// query, and the views they answer with.

extension AppRequestContext {
    /// The `:id` path parameter as a demand id; 404 when it is not one.
    public func demandID() throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.demandNotFound }
        return id
    }
}

extension DemandFilter {
    /// `?state=inProgress,awaitingRating&tenant=maojian&overdue=true&flagged=true&followUpDue=true&awaitingCompletion=true&q=第3号&unit=maojian-jxj&industryGroup=housingAndConstruction&from=2026-11-01&to=2026-11-30&limit=50&offset=0`.
    public init(query: Parameters) throws {
        self.init()
        if let states = query.get("state") {
            let parsed = states.split(separator: ",").map { DemandState(rawValue: String($0)) }
            guard parsed.allSatisfy({ $0 != nil }) else {
                throw APIError(.badRequest, code: "INVALID_QUERY", message: "state参数不正确：\(states)")
            }
            self.states = parsed.compactMap { $0 }
        }
        if let tenant = query.get("tenant") {
            guard let id = TenantID(validating: tenant) else { throw APIError.unknownTenant(tenant) }
            self.tenant = id
        }
        overdueOnly = try query.flag("overdue") ?? false
        flaggedOnly = try query.flag("flagged") ?? false
        awaitingCompletionOnly = try query.flag("awaitingCompletion") ?? false
        if try query.flag("followUpDue") == true { followUpDueBefore = Date().addingTimeInterval(-Self.followUpInterval) }
        if let origin = query.get("origin") {
            guard let id = UUID(uuidString: origin) else {
                throw APIError(.badRequest, code: "INVALID_QUERY", message: "origin须为诉求编号")
            }
            originDemandID = id
        }
        search = try query.searchText(describing: "编号或企业名称")
        if let unit = try query.unitID(), !unit.isEmpty { leadUnitID = unit }
        category = try query.option("category")
        if query.get("industryGroup") == "all" {
            industryGroups = []
        } else if let group: IndustryGroup = try query.option("industryGroup") {
            industryGroups = [group]
        }
        let from = try query.get("from").map { try Self.day($0, "from") }
        let to = try query.get("to").map { try Self.day($0, "to") }
        if let from, let to, to < from { throw APIError(.badRequest, code: "INVALID_QUERY", message: "to不能早于from") }
        registeredFrom = from?.startInstant
        registeredBefore = to?.adding(days: 1).startInstant
        if let limit = try query.pageLimit() { self.limit = limit }
        if let offset = query.get("offset") {
            guard let value = Int(offset), value >= 0 else { throw APIError(.badRequest, code: "INVALID_QUERY", message: "offset须为非负整数") }
            self.offset = value
        }
    }

    /// A `YYYY-MM-DD` query value.
    fileprivate static func day(_ text: String, _ name: String) throws -> CivilDate {
        guard let day = CivilDate(text), (2000...2099).contains(day.year) else {
            throw APIError(.badRequest, code: "INVALID_QUERY", message: "\(name)须为YYYY-MM-DD格式的日期")
        }
        return day
    }
}

extension DemandView: ResponseEncodable {
    /// With `Prefer: return=minimal` (RFC 7240) the answer leaves out the demand's content and
    /// holds only the latest step of its history, and `Preference-Applied` says so: a caller that
    /// acts and checks where the demand went then neither waits for nor parses the enterprise's
    /// words and the whole history, which are most of a demand's bytes.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let (view, headers) = answered(to: request)
        var response = try context.responseEncoder.encode(view, from: request, context: context)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The view as `request` asks for it, as a ``Representation`` with its tag.
    public func representation(for request: Request) throws -> Representation {
        let (view, headers) = answered(to: request)
        return try Representation(encoding: view, headers: headers)
    }

    /// The whole view, or with `Prefer: return=minimal` the minimal one and the header saying so.
    private func answered(to request: Request) -> (DemandView, HTTPFields) {
        guard request.preference("return")?.lowercased() == "minimal" else { return (self, [:]) }
        var minimal = self
        minimal.content = nil
        minimal.history = Array(history.suffix(1))
        return (minimal, [.preferenceApplied: "return=minimal"])
    }
}
extension DemandListItem: ResponseEncodable {}

extension APIError {
    public static let demandNotFound = APIError(.notFound, code: "DEMAND_NOT_FOUND", message: "诉求不存在或无权查看")
}
