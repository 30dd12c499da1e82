import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import Tenancy

/// 通报报送 (003 art. 19): the office keeps the list of the tier's leaders its monthly bulletin goes
/// to, and issues each month's bulletin to them (each texted the headline figures once); the
/// inspector reads the list and what was issued.
extension PortalRoutes {
    func briefingPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office, .inspector])
        return try await briefingForm(session, flash: session.flash)
    }

    func setBriefingRecipients(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let typed = form["recipients"] ?? ""
        let input = BriefingRecipientsInput(recipients: Self.recipientLines(typed))
        do {
            _ = try await client.setBriefingRecipients(session.api, input)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await briefingForm(session, flash: .failed(error.problemsText),
                status: HTTPResponse.Status(code: Int(error.status)), typed: typed)
        }
        try await sessions.setFlash(.done("已保存通报报送对象"), for: session.id)
        return Self.redirect("/briefing")
    }

    func issueBriefing(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let month = form["month"].flatMap(CalendarMonth.init) else { throw PortalError.notFound }
        do {
            _ = try await client.issueBriefing(session.api, month: month)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await briefingForm(session, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)))
        }
        try await sessions.setFlash(.done("已印发\(month.chineseText)通报，并短信告知报送对象"), for: session.id)
        return Self.redirect("/briefing")
    }

    private func briefingForm(_ session: PortalSession, flash: Flash?, status: HTTPResponse.Status = .ok, typed: String? = nil) async throws
        -> Response
    {
        let list = try await client.briefingRecipients(session.api)
        let lastMonth = CalendarMonth(CivilDate(Date())).adding(months: -1)
        let issued = Set(list.issued.map(\.month))
        let lines = list.recipients.map { [$0.name, $0.title ?? "", $0.phone.digits].filter { !$0.isEmpty }.joined(separator: "，") }
        return pages.page("briefing", title: "月度通报报送", session: session, flash: flash, status: status, [
            "isOffice": session.api.role == .office, "recipientsText": typed ?? lines.joined(separator: "\n"),
            "recipients": list.recipients.map { ["name": $0.printedName, "phone": $0.phone.masked] },
            "hasRecipients": !list.recipients.isEmpty,
            "issued": list.issued.map {
                ["month": $0.month.chineseText, "value": $0.month.description, "at": CivilDate.shanghaiText($0.issuedAt), "by": $0.issuedBy,
                 "count": $0.recipients]
            },
            "hasIssued": !list.issued.isEmpty,
            "months": (0..<12).map { lastMonth.adding(months: -$0) }.filter { !issued.contains($0) }.map {
                ["value": $0.description, "label": $0.chineseText]
            },
        ])
    }

    /// One leader a line: `姓名，职务，手机号码` (or `姓名，手机号码`), split at Chinese or ASCII commas or tabs.
    static func recipientLines(_ text: String) -> [BriefingRecipientsInput.Entry] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(whereSeparator: { "，,、\t".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }
            switch parts.count {
            case 0: return nil
            case 1: return .init(name: parts[0], title: nil, phone: "")
            case 2: return .init(name: parts[0], title: nil, phone: parts[1])
            default: return .init(name: parts[0], title: parts[1...(parts.count - 2)].joined(separator: "、"), phone: parts[parts.count - 1])
            }
        }
    }
}
