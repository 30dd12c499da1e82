import Crypto
import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Logging
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// Files attached to a demand (002 §13: 附件), kept in Postgres beside the demand where it was
/// registered. Whoever may read the demand may read them; the enterprise, its paired cadre and the
/// office add them until the demand is closed.
struct DemandAttachments: Sendable {
    let intake: IntakeWorkflow

    var logger: Logger { intake.logger }

    /// A little over the largest file, so that one just over it is told so in Chinese, not cut off.
    static let bodyLimit = AttachmentFile.maxSize + 1024 * 1024

    static let migration = Migration(version: 23, name: "demand attachments", statements: [
        """
        CREATE TABLE demand_attachments (
            id uuid PRIMARY KEY,
            demand_id uuid NOT NULL,
            filename text NOT NULL,
            content_type text NOT NULL,
            size integer NOT NULL,
            sha256 text NOT NULL,
            content bytea NOT NULL,
            uploaded_by text NOT NULL,
            uploaded_by_name text NOT NULL,
            uploaded_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "CREATE INDEX demand_attachments_by_demand ON demand_attachments (demand_id, uploaded_at)",
    ])

    struct Attachment: Codable, ResponseEncodable {
        var id: UUID
        var filename: String
        var contentType: String
        var size: Int
        var sha256: String
        var uploadedBy: String
        var uploadedAt: Date
    }

    static let uploaders: Set<Role> = [.enterprise, .cadre, .office]

    func add(to demandID: UUID, filename: String, bytes: [UInt8], by principal: Principal) async throws -> Attachment {
        let view = try await intake.reader.view(demandID, for: principal)
        guard Self.uploaders.contains(principal.role), principal.tenant == intake.tier.id else {
            throw APIError.forbiddenRole(principal.role)
        }
        guard view.location.state != .closed else {
            throw APIError(.conflict, code: "DEMAND_CLOSED", message: "诉求已办结，不能再添加附件")
        }
        let file = try AttachmentFile(filename: filename, bytes: bytes)
        let attachment = Attachment(id: UUID(), filename: file.filename, contentType: file.contentType, size: bytes.count,
            sha256: SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined(), uploadedBy: principal.name ?? principal.subject,
            uploadedAt: Date())
        try await intake.runtime.database.transaction { connection in
            // One upload at a time per demand, so that two at once cannot pass the count together.
            try await connection.lockForTransaction("attachments:\(demandID)", logger: logger)
            let rows = try await connection.query("SELECT count(*)::int FROM demand_attachments WHERE demand_id = \(demandID)",
                logger: logger)
            var count = 0
            for try await stored in rows.decode(Int.self) { count = stored }
            guard count < AttachmentFile.maxPerDemand else {
                throw APIError(.unprocessableContent, code: "TOO_MANY_ATTACHMENTS", message: "每件诉求最多\(AttachmentFile.maxPerDemand)个附件")
            }
            try await connection.execute(
                """
                INSERT INTO demand_attachments (id, demand_id, filename, content_type, size, sha256, content, uploaded_by, uploaded_by_name)
                VALUES (\(attachment.id), \(demandID), \(attachment.filename), \(attachment.contentType), \(attachment.size),
                    \(attachment.sha256), \(ByteBuffer(bytes: bytes)), \(principal.subject), \(attachment.uploadedBy))
                """, logger: logger)
        }
        logger.info("Attachment added", metadata: ["demand": "\(demandID)", "bytes": "\(bytes.count)", "type": "\(file.contentType)"])
        return attachment
    }

    func list(of demandID: UUID, for principal: Principal) async throws -> [Attachment] {
        _ = try await intake.reader.view(demandID, for: principal)
        let rows = try await intake.runtime.database.query(
            """
            SELECT id, filename, content_type, size, sha256, uploaded_by_name, uploaded_at FROM demand_attachments
            WHERE demand_id = \(demandID) ORDER BY uploaded_at, id
            """)
        var attachments: [Attachment] = []
        for (id, filename, type, size, sha256, by, at) in try rows.decode((UUID, String, String, Int, String, String, Date).self) {
            attachments.append(Attachment(id: id, filename: filename, contentType: type, size: size, sha256: sha256, uploadedBy: by,
                uploadedAt: at))
        }
        return attachments
    }

    func download(_ attachmentID: UUID, of demandID: UUID, for principal: Principal) async throws -> Response {
        _ = try await intake.reader.view(demandID, for: principal)
        let rows = try await intake.runtime.database.query(
            "SELECT filename, content_type, content FROM demand_attachments WHERE id = \(attachmentID) AND demand_id = \(demandID)")
        guard let (filename, type, content) = try rows.decode((String, String, ByteBuffer).self).first else {
            throw APIError.notFound("附件")
        }
        return Download.uploaded(content, filename: filename, contentType: type)
    }
}
