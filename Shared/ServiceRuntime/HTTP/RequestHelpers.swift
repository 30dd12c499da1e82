import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Tenancy

extension AppRequestContext {
    /// The `:id` path parameter as a demand id; 404 when it is not one.
    public func demandID() throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else { throw APIError.demandNotFound }
        return id
    }

    /// A path parameter naming a record by its UUID; 404 for `what` when it is not one.
    public func uuid(_ name: String = "id", of what: String) throws -> UUID {
        guard let id = parameters.get(name).flatMap(UUID.init(uuidString:)) else { throw APIError.notFound(what) }
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
}

extension Parameters {
    /// `?q=`: a search text of at most 50 code points (as the documents' maxLength counts) without
    /// control characters; nil when absent or blank.
    public func searchText(describing what: String) throws -> String? {
        guard let text = get("q")?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard text.unicodeScalars.count <= 50, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError(.badRequest, code: "INVALID_QUERY", message: "q须为50字以内的\(what)")
        }
        return text
    }

    /// `?name=true|false`; nil when absent.
    public func flag(_ name: String) throws -> Bool? {
        guard let text = get(name) else { return nil }
        guard let value = Bool(text) else { throw APIError(.badRequest, code: "INVALID_QUERY", message: "\(name)须为true或false") }
        return value
    }

    /// `?name=` as one of an enumeration's values; nil when absent or empty.
    public func option<Choice: RawRepresentable>(_ name: String) throws -> Choice? where Choice.RawValue == String {
        guard let text = get(name), !text.isEmpty else { return nil }
        guard let value = Choice(rawValue: text) else {
            throw APIError(.badRequest, code: "INVALID_QUERY", message: "\(name)参数不正确：\(text)")
        }
        return value
    }

    /// `?unit=`: a unit's id (letters, digits, `_`, `.`, `-`, at most 64), or empty; nil when absent.
    /// Checked here so that no other text (a NUL byte, which Postgres refuses) reaches a query.
    public func unitID() throws -> String? {
        guard let unit = get("unit") else { return nil }
        guard unit.count <= 64, unit.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) else {
            throw APIError(.badRequest, code: "INVALID_QUERY", message: "unit须为单位编号")
        }
        return unit
    }

    /// `?limit=`: how many rows one answer may hold, 1 to 500.
    public func pageLimit() throws -> Int? {
        guard let limit = get("limit") else { return nil }
        guard let value = Int(limit), (1...500).contains(value) else {
            throw APIError(.badRequest, code: "INVALID_QUERY", message: "limit须为1至500")
        }
        return value
    }
}

extension DemandFilter {
    /// A `YYYY-MM-DD` query value.
    fileprivate static func day(_ text: String, _ name: String) throws -> CivilDate {
        guard let day = CivilDate(text), (2000...2099).contains(day.year) else {
            throw APIError(.badRequest, code: "INVALID_QUERY", message: "\(name)须为YYYY-MM-DD格式的日期")
        }
        return day
    }
}

extension DecodingError {
    /// The dotted path of the field that failed to decode.
    public var fieldPath: String { ErrorMiddleware.describe(self) }
}

extension DemandView: ResponseEncodable {}
extension DemandListItem: ResponseEncodable {}
extension Principal: ResponseEncodable {}

extension RouterMethods where Context == AppRequestContext {
    /// A POST that makes something from a JSON body: decodes `Input`, hands it to `make` with the
    /// caller, and answers 201 Created with what was made.
    @discardableResult
    public func postCreating<Input: Decodable & Sendable, Made: ResponseEncodable>(
        _ path: RouterPath, _ input: Input.Type, make: @escaping @Sendable (Input, Principal) async throws -> Made
    ) -> Self {
        post(path) { request, context -> Response in
            let principal = try context.requirePrincipal()
            let body = try await request.decodeJSON(Input.self, context: context)
            var response = try await make(body, principal).response(from: request, context: context)
            response.status = .created
            return response
        }
    }
}
