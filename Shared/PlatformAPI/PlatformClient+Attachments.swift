import DemandDomain
import Foundation
import InputValidation
import PlatformEvents
import PlatformWire
import Tenancy

extension PlatformClient {
    /// A file attached to a demand, as intake lists it (`GET /demands/{id}/attachments`).
    public struct Attachment: Decodable, Sendable {
        public var id: UUID
        public var filename: String
        public var contentType: String
        public var size: Int
        public var sha256: String
        public var uploadedBy: String
        public var uploadedAt: Date
    }

    /// The attachments of the demand registered as `id` in `tier`'s intake.
    public func attachments(_ session: Session, tier: TenantID, _ id: UUID) async throws -> [Attachment] {
        try await send(.attachments, tier: tier, id: id, token: session.token)
    }

    public func attach(_ session: Session, tier: TenantID, _ id: UUID, filename: String, bytes: [UInt8]) async throws -> Attachment {
        let operation = APIOperation.attach
        let path = operation.path.replacingOccurrences(of: "{id}", with: id.uuidString.lowercased())
            + Self.queryString([("filename", filename)])
        let answer = try await raw(operation.name, operation.method, resolve(operation.service, tier) + path, token: session.token,
            rawBody: bytes, rawBodyType: "application/octet-stream")
        return try EventCoding.decoder().decode(Attachment.self, from: Self.success(operation.name, answer))
    }

    /// One attachment's content.
    public func attachmentContent(_ session: Session, tier: TenantID, _ id: UUID, attachmentID: UUID) async throws -> Data {
        let operation = APIOperation.attachmentContent
        let path = operation.path.replacingOccurrences(of: "{id}", with: id.uuidString.lowercased())
            .replacingOccurrences(of: "{attachmentID}", with: attachmentID.uuidString.lowercased())
        return try Self.success(operation.name, try await raw(operation.name, operation.method, resolve(operation.service, tier) + path,
            token: session.token))
    }
}
