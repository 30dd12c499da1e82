import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import Tenancy

/// 简报投稿 (002 §5, §19), the third part of 公告文档: cadres and enterprises submit briefs, the office
/// accepts or rejects them with the reason and sees how many each unit's cadres had accepted; the
/// accepted briefs are published to everyone of the tier.
extension PortalRoutes {
    static let briefAuthorRoles: Set<Role> = [.cadre, .enterprise]

    func briefsPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        return try await briefsView(session, values: [:], errors: [:], flash: session.flash)
    }

    func submitBrief(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.briefAuthorRoles)
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let values = ["title": form["title"] ?? "", "body": form["body"] ?? ""]
        do {
            _ = try await client.submitBrief(session.api, BriefInput(title: values["title"]!, body: values["body"]!))
            try await sessions.setFlash(.done("简报已提交，等待\(rules.procedure(for: session.api.tier).officeName)审核"), for: session.id)
            return Self.redirect("/briefs")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await briefsView(session, values: values, errors: error.fieldMessages, flash: .failed(error.message),
                status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    func decideBrief(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PortalError.notFound }
        let accept = form["decision"] == "accept"
        do {
            let brief = try await client.decideBrief(session.api, id: id, BriefDecision(accept: accept, reason: form["reason"]))
            try await sessions.setFlash(.done("“\(brief.title)”\(accept ? "已采用并发布" : "未采用")"), for: session.id)
            return Self.redirect("/briefs")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await briefsView(session, values: [:], errors: [:], flash: .failed(error.message),
                status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    private func briefsView(
        _ session: PortalSession, values: [String: String], errors: [String: String], flash: Flash?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let api = session.api
        let all = try await client.briefs(api)
        func row(_ brief: PlatformClient.Brief) -> [String: Any] {
            [
                "id": brief.id.uuidString.lowercased(), "title": brief.title, "body": brief.body, "state": brief.stateName,
                "stateClass": brief.state == .accepted ? "text-bg-success" : brief.state == .rejected ? "text-bg-danger" : "text-bg-secondary",
                "byline": [brief.unitName, brief.submitterName].compactMap { $0 }.joined(separator: " "),
                "submitted": CivilDate.shanghaiText(brief.submittedAt), "reason": brief.reason ?? "",
                "decided": brief.decidedAt.map { "\(CivilDate.shanghaiText($0)) \(brief.decidedBy ?? "")" } ?? "",
            ]
        }
        let published = all.filter { $0.state == .accepted }
        var fields: [String: Any] = ["form": values, "errors": errors]
        fields["tabs"] = Self.noticeTabs(active: "/briefs")
        fields["published"] = published.map(row)
        fields["hasPublished"] = !published.isEmpty
        if Self.briefAuthorRoles.contains(api.role) {
            let mine = all.filter { $0.submittedBy == api.subject }
            fields["author"] = ["mine": mine.map(row), "hasMine": !mine.isEmpty, "cadre": api.role == .cadre]
        }
        if api.role == .office || api.role == .inspector {
            let pending = all.filter { $0.state == .pending }
            fields["review"] = ["pending": pending.map(row), "hasPending": !pending.isEmpty, "decides": api.role == .office]
            // 002 §5: accepted briefs of a tier's cadres count for the unit the cadre works in.
            let byUnit = Dictionary(grouping: published.filter { $0.unitID != nil }) { $0.unitName ?? $0.unitID! }
            fields["unitCounts"] = byUnit.sorted { $0.value.count > $1.value.count }.map { ["unit": $0.key, "count": $0.value.count] }
            fields["hasUnitCounts"] = !byUnit.isEmpty
        }
        return pages.page("briefs", title: "公告文档", session: session, flash: flash, status: status, fields)
    }

    /// 公告栏, 政策指南 and 简报投稿, the three parts of 公告文档.
    static func noticeTabs(active: String) -> [[String: Any]] {
        [("/notices?kind=announcement", "公告栏"), ("/notices?kind=policy", "政策指南"), ("/briefs", "简报投稿")].map {
            ["href": $0.0, "label": $0.1, "active": $0.0 == active]
        }
    }
}
