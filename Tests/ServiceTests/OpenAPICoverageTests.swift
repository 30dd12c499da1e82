import Hummingbird
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
