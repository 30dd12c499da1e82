import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import Tenancy

/// 名录导入 (000 Q1, 002 §2): the office uploads the statistics bureau's 四上企业 list or its cadre
/// roster as saved from Excel or WPS; the page first shows every row that would be refused and why,
/// then imports the good rows and shows, once, the first passwords drawn for new accounts.
extension PortalRoutes {
    /// A sheet of thousands of enterprises, with room for the form around it.
    static let sheetUploadLimit = 8 * 1024 * 1024

    static let sheetKinds: [(value: String, label: String)] = [("enterprises", "四上企业名单"), ("cadres", "干部名册")]

    func directoryImportPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        return directoryImportForm(session, flash: session.flash)
    }

    func previewDirectorySheet(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.uploadForm(upTo: Self.sheetUploadLimit)
        try checkCSRF(form.fields, session)
        let kind = try Self.sheetKind(form.fields)
        guard let file = form.files["sheet"], !file.bytes.isEmpty else {
            return directoryImportForm(session, flash: .failed("请选择要导入的CSV文件"), status: .unprocessableContent, kind: kind)
        }
        do {
            let preview = try await client.importDirectorySheet(session.api, kind: kind, csv: file.bytes, preview: true)
            return directoryImportForm(session, flash: nil, kind: kind, fields: [
                "preview": Self.sheetFields(preview, kind: kind) + [
                    "filename": file.filename, "sheet": Data(file.bytes).base64EncodedString(),
                    "canImport": preview.added + preview.updated > 0,
                ],
            ])
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return directoryImportForm(session, flash: .failed(error.problemsText), status: HTTPResponse.Status(code: Int(error.status)),
                kind: kind)
        }
    }

    func importDirectorySheet(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        // The sheet comes back as base64 in the preview's form: a third larger than the file.
        let form = try await request.form(context: context, upTo: Self.sheetUploadLimit * 3 / 2)
        try checkCSRF(form, session)
        let kind = try Self.sheetKind(form)
        guard let sheet = form["sheet"].flatMap({ Data(base64Encoded: $0) }) else { throw PortalError.badRequest("表单格式不正确") }
        do {
            let result = try await client.importDirectorySheet(session.api, kind: kind, csv: Array(sheet), preview: false)
            return directoryImportForm(session, flash: .done("已导入\(result.added + result.updated)行"), kind: kind, fields: [
                "result": Self.sheetFields(result, kind: kind) + [
                    "passwords": result.initialPasswords.map { ["unit": $0.unitName.isEmpty ? "—" : $0.unitName, "login": $0.login,
                        "password": $0.password] },
                    "hasPasswords": !result.initialPasswords.isEmpty,
                ],
            ])
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return directoryImportForm(session, flash: .failed(error.problemsText), status: HTTPResponse.Status(code: Int(error.status)),
                kind: kind)
        }
    }

    private func directoryImportForm(
        _ session: PortalSession, flash: Flash?, status: HTTPResponse.Status = .ok, kind: String = "enterprises",
        fields: [String: Any] = [:]
    ) -> Response {
        pages.page("directory-import", title: "名录导入", session: session, flash: flash, status: status, fields.merging([
            "kinds": Self.sheetKinds.map { ["value": $0.value, "label": $0.label, "selected": $0.value == kind] },
        ]) { current, _ in current })
    }

    private static func sheetKind(_ form: FormData) throws -> String {
        guard let kind = form["kind"], sheetKinds.contains(where: { $0.value == kind }) else { throw PortalError.badRequest("请选择名录类型") }
        return kind
    }

    private static func sheetFields(_ answer: PlatformClient.DirectorySheetImport, kind: String) -> [String: Any] {
        [
            "kindName": sheetKinds.first { $0.value == kind }?.label ?? kind, "rows": answer.rows,
            "accepted": answer.added + answer.updated, "added": answer.added, "updated": answer.updated,
            "refusedCount": answer.refused.count, "hasRefused": !answer.refused.isEmpty, "newLogins": answer.newLogins,
            "refused": answer.refused.map { ["line": $0.line, "name": $0.name.isEmpty ? "—" : $0.name, "problems": $0.problems.joined(separator: "；")] },
            "kind": kind,
        ]
    }
}

extension Dictionary where Key == String, Value == Any {
    fileprivate static func + (lhs: Self, rhs: Self) -> Self { lhs.merging(rhs) { _, new in new } }
}
