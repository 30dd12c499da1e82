import Foundation
import Hummingbird
import InputValidation
import Tenancy

extension AppRequestContext {
    /// A path parameter naming a record by its UUID; 404 for `what` when it is not one.
    public func uuid(_ name: String = "id", of what: String) throws -> UUID {
        guard let id = parameters.get(name).flatMap(UUID.init(uuidString:)) else { throw APIError.notFound(what) }
        return id
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

extension DecodingError {
    /// The dotted path of the field that failed to decode.
    public var fieldPath: String { ErrorMiddleware.describe(self) }
}

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
