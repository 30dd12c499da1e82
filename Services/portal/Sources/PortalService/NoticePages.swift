import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import Tenancy

/// 公告文档 (002 §5, §10, §17–18): 公告栏 and 政策指南 for everyone, from the person's own tier and the
/// tiers above it (a county's enterprise reads its city's policies too); the office publishes, may
/// text a new announcement to the tier's enterprises, and withdraws.
extension PortalRoutes {
    static let noticeFields = ["title", "body", "category"]

    func noticesPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        let query = request.uri.queryParameters
        let kind = query.get("kind").flatMap(NoticeKind.init(rawValue:)) ?? .announcement
        return try await noticesView(session, kind: kind, search: query.get("q") ?? "",
            category: query.get("category").flatMap(PolicyCategory.init(rawValue:)), values: [:], errors: [:], flash: session.flash)
    }

    func publishNotice(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let kind = form["kind"].flatMap(NoticeKind.init(rawValue:)) ?? .announcement
        let values = Dictionary(uniqueKeysWithValues: Self.noticeFields.map { ($0, form[$0] ?? "") })
        let texts = kind == .announcement && form["notifyEnterprises"] == "on"
        do {
            let notice = try await client.publishNotice(session.api, NoticeInput(kind: kind.rawValue, title: values["title"]!,
                body: values["body"]!, category: kind == .policy ? values["category"] : nil, notifyEnterprises: texts))
            try await sessions.setFlash(.done("已发布“\(notice.title)”" + (texts ? "，并短信通知本级企业" : "")), for: session.id)
            return Self.redirect("/notices?kind=\(kind.rawValue)")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await noticesView(session, kind: kind, search: "", category: nil, values: values, errors: error.fieldMessages,
                flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    func withdrawNotice(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PortalError.notFound }
        let kind = form["kind"].flatMap(NoticeKind.init(rawValue:)) ?? .announcement
        do {
            try await client.withdrawNotice(session.api, id: id)
            try await sessions.setFlash(.done("已撤下"), for: session.id)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            try await sessions.setFlash(.failed(error.message), for: session.id)
        }
        return Self.redirect("/notices?kind=\(kind.rawValue)")
    }

    /// A typed search as the APIs take it (`?q=`): no control characters, 50 at most.
    static func searchText(_ raw: String) -> String {
        String(String.UnicodeScalarView(raw.trimmingWhitespace.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(50)))
    }

    /// The tiers whose notices the person reads: their own and every one above it.
    func noticeTiers(of tier: TenantID) -> [TenantID] {
        var tiers: [TenantID] = []
        var current: TenantID? = tier
        // The tree has no cycles (checked when it is loaded): the walk ends at the root.
        while let id = current {
            tiers.append(id)
            current = tree[id]?.parent
        }
        return tiers
    }

    private func noticesView(
        _ session: PortalSession, kind: NoticeKind, search rawSearch: String, category: PolicyCategory?, values: [String: String],
        errors: [String: String], flash: Flash?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let api = session.api
        let search = Self.searchText(rawSearch)
        let notices = try await withThrowingTaskGroup(of: [PlatformClient.Notice].self) { group in
            for tier in noticeTiers(of: api.tier) {
                group.addTask {
                    try await client.notices(api, tier: tier, kind: kind, category: category, search: search.isEmpty ? nil : search)
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }.sorted { $0.publishedAt > $1.publishedAt }
        }
        let isOffice = api.role == .office
        // Under `form`: the page's own `title` would hide the form's.
        var fields: [String: Any] = ["form": values, "errors": errors]
        fields["kind"] = kind.rawValue
        fields["kindName"] = kind.chineseName
        fields["isPolicy"] = kind == .policy
        fields["tabs"] = Self.noticeTabs(active: "/notices?kind=\(kind.rawValue)")
        fields["q"] = search
        fields["categories"] = PolicyCategory.allCases.map {
            ["value": $0.rawValue, "label": $0.chineseName, "selected": $0 == category || $0.rawValue == values["category"]]
        }
        fields["notices"] = notices.map { notice -> [String: Any] in
            [
                "id": notice.id.uuidString.lowercased(), "title": notice.title, "body": notice.body,
                "tierName": tree[TenantID(rawValue: notice.tenant)]?.name ?? notice.tenant, "categoryName": notice.categoryName ?? "",
                "published": "\(CivilDate.shanghaiText(notice.publishedAt)) \(notice.publishedBy ?? "")", "texted": notice.texted,
                "canWithdraw": isOffice && notice.tenant == api.tier.rawValue,
            ]
        }
        fields["hasNotices"] = !notices.isEmpty
        if isOffice { fields["publish"] = ["announcement": kind == .announcement] }
        return pages.page("notices", title: "公告文档", session: session, flash: flash, status: status, fields)
    }
}
