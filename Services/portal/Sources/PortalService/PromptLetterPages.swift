import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import PlatformEvents
import Tenancy

/// 提示函 (001 六.3): the office sends a numbered letter to one of its pairing groups (a unit) with
/// the day its feedback is due, and sees which are answered; the unit's administrators read their
/// letters and answer what they did. The inspector reads.
extension PortalRoutes {
    static let promptLetterRoles: Set<Role> = [.office, .inspector, .unitAdmin, .countyAdmin]
    static let promptLetterFields = ["unitID", "subject", "body", "replyBy"]
    /// The feedback day the form proposes: a week on.
    static let promptLetterReplyDays = 7

    func promptLettersPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.promptLetterRoles)
        return try await promptLetters(session, values: [:], errors: [:], flash: session.flash)
    }

    func issuePromptLetter(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let values = Dictionary(uniqueKeysWithValues: Self.promptLetterFields.map { ($0, form[$0] ?? "") })
        do {
            let letter = try await client.issuePromptLetter(session.api, PromptLetterInput(unitID: values["unitID"]!,
                subject: values["subject"]!, body: values["body"]!, replyBy: values["replyBy"]!))
            try await sessions.setFlash(.done("已向\(letter.unitName)发出提示函（\(letter.number)），已短信通知该单位管理员"), for: session.id)
            return Self.redirect("/prompt-letters")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await promptLetters(session, values: values, errors: error.fieldMessages, flash: .failed(error.message),
                status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    func replyToPromptLetter(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.unitAdmin, .countyAdmin])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PortalError.notFound }
        do {
            let letter = try await client.replyToPromptLetter(session.api, letterID: id, PromptLetterReply(text: form["text"] ?? ""))
            try await sessions.setFlash(.done("已反馈提示函（\(letter.number)）的落实情况"), for: session.id)
            return Self.redirect("/prompt-letters")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await promptLetters(session, values: [:], errors: [:], flash: .failed(error.message),
                status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    private func promptLetters(
        _ session: PortalSession, values: [String: String], errors: [String: String], flash: Flash?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let isOffice = session.api.role == .office
        async let listed = client.promptLetters(session.api)
        async let units = isOffice ? client.units(session.api) : []
        let answers = session.api.role == .unitAdmin || session.api.role == .countyAdmin
        let letters = try await listed.map { letter -> [String: Any] in
            var row: [String: Any] = [
                "id": letter.id.uuidString.lowercased(), "number": letter.number, "unit": letter.unitName, "subject": letter.subject,
                "body": letter.body, "replyBy": letter.replyBy.chineseText, "issued": "\(CivilDate.shanghaiText(letter.issuedAt)) \(letter.issuedBy ?? "")",
                "status": letter.status, "statusClass": Self.promptLetterBadge(letter.status),
                "canReply": answers && letter.reply == nil,
            ]
            if let reply = letter.reply {
                row["reply"] = ["text": reply, "by": letter.repliedBy ?? "", "at": letter.repliedAt.map(CivilDate.shanghaiText) ?? ""]
            }
            return row
        }
        var fields: [String: Any] = values
        fields["errors"] = errors
        fields["letters"] = letters
        fields["hasLetters"] = !letters.isEmpty
        fields["officeName"] = rules.procedure(for: session.api.tier).officeName
        if isOffice {
            let chosen = values["unitID"] ?? ""
            fields["issue"] = [
                "units": try await units.map { ["id": $0.id, "name": $0.name, "selected": $0.id == chosen] },
                "replyBy": values["replyBy"].flatMap { $0.isEmpty ? nil : $0 }
                    ?? CivilDate(Date()).adding(days: Self.promptLetterReplyDays).description,
            ]
        }
        return pages.page("prompt-letters", title: "提示函", session: session, flash: flash, status: status, fields)
    }

    static func promptLetterBadge(_ status: String) -> String {
        switch status {
        case "已反馈": "text-bg-success"
        case "逾期反馈": "text-bg-warning"
        case "逾期未反馈": "text-bg-danger"
        default: "text-bg-secondary"
        }
    }
}
