import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// 附件 (002 §13) on the running stack: kept by the intake where the demand was registered, read
    /// by whoever may read the demand (the unit it went to as well), refused when they are not what
    /// they say or too large.
    @Suite("Attachments")
    struct AttachmentTests {
        static let pdf = Array("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8)

        @Test("The enterprise attaches a PDF; its cadre and then the unit read it byte for byte; bad files are refused")
        func attachAndRead() async throws {
            let stack = try await TestStack.shared.start()
            let runner = try await TestStack.shared.runner()
            let client = try await TestStack.shared.client()
            let cast = try await TestStack.shared.people()
            let demand = try await client.submit(cast.enterprise, form: JourneyRunner.sampleForm())
            let attached = try await client.attach(cast.enterprise, tier: "maojian", demand.id, filename: "C:\\fakepath\\营业执照 2026.pdf",
                bytes: Self.pdf)
            #expect(attached.filename == "营业执照 2026.pdf" && attached.contentType == "application/pdf" && attached.size == Self.pdf.count)
            let listed = try await client.attachments(cast.cadre, tier: "maojian", demand.id)
            #expect(listed.map(\.id) == [attached.id] && listed.first?.uploadedBy == "十堰示范汽车零部件有限公司")
            #expect(Array(try await client.attachmentContent(cast.cadre, tier: "maojian", demand.id, attachmentID: attached.id)) == Self.pdf)

            func refusal(_ session: Session, _ name: String, _ bytes: [UInt8]) async -> APICallError? {
                do {
                    _ = try await client.attach(session, tier: "maojian", demand.id, filename: name, bytes: bytes)
                    return nil
                } catch {
                    return error as? APICallError
                }
            }
            #expect(await refusal(cast.enterprise, "说明.pdf", Array("MZ\u{90}\u{0}program".utf8))?.code == "UNSUPPORTED_FILE_TYPE",
                "a program named .pdf is not a PDF")
            #expect(await refusal(cast.enterprise, "表.xlsx", [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 20)) == nil,
                "an Office file is a zip with its extension")
            let justOver = Self.pdf + Array(repeating: 0x20, count: AttachmentFile.maxSize + 1 - Self.pdf.count)
            #expect(await refusal(cast.enterprise, "大.pdf", justOver)?.code == "ATTACHMENT_TOO_LARGE")
            #expect(await refusal(cast.enterprise, "更大.pdf", justOver + Array(repeating: 0x20, count: 2 << 20))?.status == 413)
            #expect(await refusal(cast.countyDispatcher, "分办.pdf", Self.pdf)?.status == 403, "the dispatcher reads but does not attach")
            let other = try await client.login(tier: "maojian", login: "十堰青山建材有限公司", password: Cast.demoPassword)
            #expect(await refusal(other, "别家.pdf", Self.pdf)?.status == 404, "another enterprise does not see the demand")

            _ = try await client.approve(cast.cadre, demand.id)
            _ = try await runner.waitAtDispatch(cast.countyDispatcher, tier: "maojian", demand.id, state: .awaitingDispatch)
            _ = try await client.route(cast.countyDispatcher, demand.id, lead: "maojian-jxj")
            let seen = try await eventually("the unit it went to reads the attachments") {
                try? await client.attachments(cast.countyUnit, tier: "maojian", demand.id)
            }
            #expect(seen.count == 2)
            let (status, _) = try await client.raw("unauthenticated", .GET,
                stack.url(.intake, tier: "maojian") + "/demands/\(demand.id.uuidString.lowercased())/attachments/\(attached.id.uuidString.lowercased())",
                token: nil)
            #expect(status == 401)
        }
    }
}
