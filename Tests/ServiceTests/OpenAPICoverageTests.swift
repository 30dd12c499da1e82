import DemandDomain
import Foundation
import Hummingbird
import PlatformAPI
import ServiceRuntime
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
