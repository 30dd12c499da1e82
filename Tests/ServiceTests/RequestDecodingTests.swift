import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import ServiceRuntime

@Suite("Request bodies")
struct RequestDecodingTests {
    @Test("Control characters are found in any string of a JSON body, escaped or not; line breaks and tabs are text",
        arguments: [
            (#"{"difficulty": "用电\u0000增容"}"#, UInt32?.some(0x00)),
            (#"{"login": "李明远\u001F"}"#, 0x1F),
            (#"{"text": "a\bb"}"#, 0x08),
            (#"{"text": "a\fb"}"#, 0x0C),
            (#"{"text": "\u007f"}"#, 0x7F),
            ("{\"text\": \"raw DEL \u{7F}\"}", 0x7F),
            ("{\"text\": \"raw C1 \u{85} next line\"}", 0x85),
            ("{\"text\": \"\u{A0}non-breaking space and ©\"}", nil),
            (#"{"te\u0001xt": "key names too"}"#, 0x01),
            (#"{"text": "第一段\n第二段\r\n\t缩进"}"#, nil),
            (#"{"text": "a literal backslash: \\u0000"}"#, nil),
            (#"{"text": "\u4e2d\u6587", "n": 0}"#, nil),
        ])
    func controlCharacters(json: String, found: UInt32?) {
        #expect(JSONTextGuard.firstControlCharacter(in: Array(json.utf8)) == found)
    }

    struct Form: Decodable {
        var name: String
        var days: Int
    }

    func router() -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.post("form") { request, context -> HTTPResponse.Status in
            _ = try await request.decodeJSON(Form.self, context: context)
            return .noContent
        }
        return router
    }

    struct ErrorAnswer: Decodable {
        struct Detail: Decodable {
            struct Issue: Decodable { var field: String }
            var code: String
            var message: String
            var issues: [Issue]?
        }
        var error: Detail
    }

    @Test("Bad bodies get a stable code naming the field, a Chinese message, and never reach the handler",
        arguments: [
            (#"{"name": "a\u0000b", "days": 1}"#, 422, "CONTROL_CHARACTER", String?.none),
            (#"{"name": "张三"}"#, 422, "MISSING_FIELD", "days"),
            (#"{"name": "张三", "days": null}"#, 422, "MISSING_FIELD", "days"),
            (#"{"name": "张三", "days": "五"}"#, 422, "INVALID_FIELD", "days"),
            (#"{"name": "张三", "days": "#, 400, "MALFORMED_JSON", nil),
            (#"{"name": "张三", "days": 3}"#, 204, "", nil),
        ])
    func badBodies(body: String, status: Int, code: String, field: String?) async throws {
        let app = Application(router: router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/form", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(Int(response.status.code) == status, "\(body)")
                guard status != 204 else { return }
                let answer = try JSONDecoder().decode(ErrorAnswer.self, from: Data(response.body.readableBytesView))
                #expect(answer.error.code == code)
                #expect(answer.error.issues?.first?.field == field)
                #expect(answer.error.message.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) })
            }
        }
    }
}
