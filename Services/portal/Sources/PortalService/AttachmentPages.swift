import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import ServiceRuntime
import Tenancy

/// 附件 (002 §13) on the demand's page: the files kept with the demand where it was registered,
/// downloaded through the portal with the person's own token; the enterprise, its cadre and the
/// office add files until the demand is closed.
extension PortalRoutes {
    /// Room for one file of the largest size and the form around it.
    static let attachmentUploadLimit = AttachmentFile.maxSize + 64 * 1024

    /// Where a demand's attachments are kept: the intake it was registered at (an escalated
    /// demand's origin).
    static func attachmentHome(of demand: DemandSnapshot) -> (tier: TenantID, id: UUID)? {
        if let origin = demand.origin, let tier = TenantID(validating: origin.tenant) { return (tier, origin.demandID) }
        return TenantID(validating: demand.tenant).map { ($0, demand.id) }
    }

    /// The page's 附件 card; nil where the person may not read them (the card is left out).
    func attachmentFields(of demand: DemandSnapshot, pageID: UUID, as api: Session) async throws -> [String: Any]? {
        guard let home = Self.attachmentHome(of: demand) else { return nil }
        let files: [PlatformClient.Attachment]
        do {
            files = try await client.attachments(api, tier: home.tier, home.id)
        } catch let error as APICallError where error.status == 403 || error.status == 404 {
            return nil
        }
        let page = pageID.uuidString.lowercased()
        return [
            "files": files.map {
                ["name": $0.filename, "size": Self.sizeText($0.size), "by": $0.uploadedBy, "at": CivilDate.shanghaiText($0.uploadedAt),
                 "url": "/demands/\(page)/attachments/\($0.id.uuidString.lowercased())?tier=\(home.tier.rawValue)&demand=\(home.id.uuidString.lowercased())"]
            },
            "hasFiles": !files.isEmpty,
            "canAttach": [.enterprise, .cadre, .office].contains(api.role) && demand.location.state != .closed
                && files.count < AttachmentFile.maxPerDemand,
        ]
    }

    func uploadAttachment(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.enterprise, .cadre, .office])
        let id = try Self.demandID(context)
        let form = try await request.uploadForm(upTo: Self.attachmentUploadLimit)
        try checkCSRF(form.fields, session)
        let page = "/demands/\(id.uuidString.lowercased())"
        guard let file = form.files["attachment"], !file.bytes.isEmpty else {
            try await sessions.setFlash(.failed("请选择要上传的附件"), for: session.id)
            return Self.redirect(page)
        }
        let (demand, _) = try await read(id, as: session.api)
        guard let home = Self.attachmentHome(of: demand) else { throw PortalError.notFound }
        do {
            let attached = try await client.attach(session.api, tier: home.tier, home.id, filename: file.filename, bytes: file.bytes)
            try await sessions.setFlash(.done("已上传附件：\(attached.filename)"), for: session.id)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            try await sessions.setFlash(.failed("附件未上传：\(error.problemsText)"), for: session.id)
        }
        return Self.redirect(page)
    }

    func downloadAttachment(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        // The page's link names the intake that keeps the file; that intake checks the person may read it.
        let query = request.uri.queryParameters
        guard let attachmentID = context.parameters.get("attachment").flatMap(UUID.init(uuidString:)),
            let tier = query.get("tier").flatMap(TenantID.init(validating:)), tree.contains(tier),
            let demandID = query.get("demand").flatMap(UUID.init(uuidString:))
        else { throw PortalError.notFound }
        let home = (tier: tier, id: demandID)
        guard let file = try await client.attachments(session.api, tier: home.tier, home.id).first(where: { $0.id == attachmentID })
        else { throw PortalError.notFound }
        let data = try await client.attachmentContent(session.api, tier: home.tier, home.id, attachmentID: attachmentID)
        return Download.uploaded(ByteBuffer(bytes: data), filename: file.filename, contentType: file.contentType)
    }

    static func sizeText(_ bytes: Int) -> String {
        bytes < 1024 * 1024 ? "\(max(1, bytes / 1024)) KB" : String(format: "%.1f MB", Double(bytes) / 1024 / 1024)
    }
}
