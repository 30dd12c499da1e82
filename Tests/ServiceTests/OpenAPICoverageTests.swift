import DemandDomain
import Foundation
import Hummingbird
import InputValidation
import PlatformAPI
import ServiceRuntime
import Tenancy
import Testing

@Suite struct OpenAPICoverageTests {
    let document = """
        openapi: 3.0.3
        info: {title: t, version: "1"}
        paths:
          /demands:
            get:
              summary: "List: all of them."
            post: {summary: Raise.}
          /demands/{id}/sign:
            parameters: [{$ref: "#/components/parameters/id"}]
            post: {summary: Sign.}
        components:
          schemas:
            /notAPath:
              get: {}
        """

    @Test func readsOperationsFromThePathsBlockOnly() {
        #expect(OpenAPIOperations(document: document).operations == ["GET /demands", "POST /demands", "POST /demands/{id}/sign"])
    }

    @Test func acceptsARouterThatMatches() throws {
        let router = Router()
        router.get("demands") { _, _ in "" }
        router.post("demands") { _, _ in "" }
        router.post("demands/:id/sign") { _, _ in "" }
        try OpenAPIOperations(routes: router.routes).requireSame(as: OpenAPIOperations(document: document))
    }

    @Test func namesUndocumentedAndMissingRoutes() {
        let router = Router()
        router.get("demands") { _, _ in "" }
        router.post("demands") { _, _ in "" }
        router.post("demands/:id/withdraw") { _, _ in "" }
        #expect {
            try OpenAPIOperations(routes: router.routes).requireSame(as: OpenAPIOperations(document: document))
        } throws: { error in
            let text = "\(error)"
            return text.contains("does not document POST /demands/{id}/withdraw")
                && text.contains("lacks: POST /demands/{id}/sign")
        }
    }
}

/// The portal and the test stack call the services through `PlatformClient`, written by hand: each
/// operation it calls must be in the service's OpenAPI document, so the two cannot drift apart.
@Suite struct ClientContractTests {
    static func document(of service: ServiceKind) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let module = service.rawValue.prefix(1).uppercased() + service.rawValue.dropFirst() + "Service"
        return try String(contentsOf: root.appendingPathComponent("Services/\(service.rawValue)/Sources/\(module)/openapi.yaml"),
            encoding: .utf8)
    }

    @Test("Every operation PlatformClient calls is documented by its service", arguments: APIOperation.all.map(\.name))
    func operationIsDocumented(name: String) throws {
        let operation = try #require(APIOperation.all.first { $0.name == name })
        let documented = OpenAPIOperations(document: try Self.document(of: operation.service)).operations
        #expect(documented.contains(operation.documentedOperation),
            "\(operation.service.rawValue) does not document \(operation.documentedOperation)")
    }

    @Test("The check notices an operation that no document has")
    func noticesUndocumented() throws {
        let documented = OpenAPIOperations(document: try Self.document(of: .handling)).operations
        #expect(!documented.contains("POST /demands/{id}/withdraw"))
        #expect(documented.contains(HandlingAction.sign.operation.documentedOperation))
    }
}

/// The served documents: each service's own merged with the shared parts, complete enough to
/// generate a client from.
@Suite struct OpenAPIDocumentTests {
    @Test("Merging keeps the service's own text and adds only what it lacks")
    func merge() {
        let own = """
            openapi: 3.0.3
            paths:
              /demands:
                get: {summary: Own.}
            components:
              schemas:
                Demand: {type: string, description: own}
            """
        let shared = """
            # comment
            paths:
              /healthz:
                get: {summary: Alive.}
            components:
              responses:
                Error: {description: e}
              schemas:
                Demand: {type: object}
                Error: {type: object}
            """
        #expect(OpenAPIDocument.merged(own, shared: shared) == """
            openapi: 3.0.3
            paths:
              /demands:
                get: {summary: Own.}
              /healthz:
                get: {summary: Alive.}
            components:
              schemas:
                Demand: {type: string, description: own}
                Error: {type: object}
              responses:
                Error: {description: e}

            """)
    }

    static let services: [ServiceKind] = [.intake, .dispatch, .handling, .notifier, .reporting]

    /// Each operation's key (`GET /demands`), whether it is public, and its response codes.
    struct Operation {
        var name: String
        var isPublic = false
        var responses: Set<String> = []
    }

    static func operations(in document: String) -> [Operation] {
        var operations: [Operation] = []
        var inPaths = false, inResponses = false
        var path = ""
        for line in document.split(separator: "\n").map(String.init) {
            if !line.hasPrefix(" ") { inPaths = line.hasPrefix("paths:") }
            guard inPaths else { continue }
            let indent = line.prefix { $0 == " " }.count
            let text = line.trimmingCharacters(in: .whitespaces)
            if indent == 2 { path = String(text.dropLast()) }
            if indent == 4, let colon = text.firstIndex(of: ":"),
                ["get", "post", "put", "delete", "patch"].contains(String(text[..<colon]))
            {
                operations.append(Operation(name: "\(text[..<colon].uppercased()) \(path)"))
                if text.contains("security: []") { operations[operations.count - 1].isPublic = true }
                inResponses = false
                continue
            }
            guard indent > 4, !operations.isEmpty else { continue }
            if text == "security: []" { operations[operations.count - 1].isPublic = true }
            if indent == 6 { inResponses = text == "responses:" }
            if indent == 8, inResponses, let colon = text.firstIndex(of: ":") {
                operations[operations.count - 1].responses.insert(text[..<colon].replacingOccurrences(of: "\"", with: ""))
            }
        }
        return operations
    }

    static func served(_ service: ServiceKind) throws -> String {
        OpenAPIDocument.merged(try ClientContractTests.document(of: service))
    }

    @Test("Every operation documents its error answers: a default, and 401 and 403 where a token is needed",
        arguments: services)
    func errorAnswers(service: ServiceKind) throws {
        let operations = Self.operations(in: try Self.served(service))
        #expect(operations.count > 5)
        for operation in operations where !["/healthz", "/readyz", "/metrics", "/openapi.yaml"].contains(operation.name.split(separator: " ")[1]) {
            #expect(operation.responses.contains("default"), "\(service.rawValue) \(operation.name) has no default answer")
            #expect(operation.responses.contains { $0.hasPrefix("2") }, "\(service.rawValue) \(operation.name) has no success answer")
            if !operation.isPublic {
                #expect(operation.responses.isSuperset(of: ["401", "403"]), "\(service.rawValue) \(operation.name) lacks 401/403")
            }
        }
    }

    @Test("The operations the documents mark public are exactly those the services let through without a token")
    func publicOperations() throws {
        var documented = Set<String>()
        for service in Self.services {
            for operation in Self.operations(in: try Self.served(service)) where operation.isPublic {
                documented.insert(String(operation.name.split(separator: " ")[1]))
            }
        }
        #expect(documented == AuthMiddleware.publicPaths)
    }

    @Test("Every reference resolves, and no body is a bare object", arguments: services)
    func references(service: ServiceKind) throws {
        let document = try Self.served(service)
        var defined = Set<String>()
        var section = ""
        var inComponents = false
        for line in document.split(separator: "\n").map(String.init) {
            if !line.hasPrefix(" ") { inComponents = line.hasPrefix("components:") }
            guard inComponents else { continue }
            let indent = line.prefix { $0 == " " }.count
            let key = line.trimmingCharacters(in: .whitespaces).split(separator: ":").first.map(String.init) ?? ""
            if indent == 2 { section = key }
            if indent == 4 { defined.insert("#/components/\(section)/\(key)") }
        }
        let references = document.matches(of: /\$ref: "([^"]+)"/).map { String($0.output.1) }
        #expect(!references.isEmpty)
        for reference in Set(references) {
            #expect(defined.contains(reference), "\(service.rawValue): \(reference) is not defined")
        }
        #expect(!document.contains("{type: object}"), "\(service.rawValue) has a body that is a bare object")
    }
}
