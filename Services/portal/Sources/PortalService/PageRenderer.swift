import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import Mustache
import PlatformAPI
import Tenancy

/// Renders the Mustache templates of `Resources/templates` (they escape every value by default)
/// inside the common layout: title, the person's menu, the one-time message.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let rules: TierRules
    var tree: TenantTree { rules.tree }

    public init(rules: TierRules) async throws {
        self.rules = rules
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("templates").path else {
            throw PortalError.badRequest("templates not bundled")
        }
        library = try await MustacheLibrary(directory: directory)
    }

    /// A page for `session` (or for nobody, on the login page), as HTML with the portal's headers.
    public func page(
        _ template: String, title: String, session: PortalSession?, flash: Flash? = nil, status: HTTPResponse.Status = .ok,
        _ fields: [String: Any] = [:]
    ) -> Response {
        var context = fields
        context["title"] = title
        context["flash"] = flash.map { ["text": $0.text, "isError": $0.isError] }
        // A person's own tier names the platform (临沧's people work in 临沧市企业服务平台).
        context["platformName"] = session.flatMap { tree[$0.api.tier]?.platformName } ?? "十堰亲清企业服务信息平台"
        if let session {
            context["user"] = [
                "name": session.api.name ?? session.api.subject,
                "roleName": session.api.role.chineseName(in: rules.procedure(for: session.api.tier)),
                "tierName": tree[session.api.tier]?.name ?? session.api.tier.rawValue,
            ]
            context["csrf"] = session.csrfToken
            let tier = tree[session.api.tier]
            context["menu"] = Self.menu(for: session.api.role, collectsReturns: tier?.returns != nil,
                keepsWorkingGroups: tier?.pairingWorkingGroups == true)
        }
        let html = library.render(Self.withoutEmptyText(context), withTemplate: template) ?? "<!doctype html><title>页面错误</title>"
        return Response(status: status, headers: Self.headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Mustache opens a section (`{{#error}}…{{/error}}`) for any string, even an empty one: a page's
    /// values lose their empty strings here, so that a section shows exactly when there is text.
    static func withoutEmptyText(_ value: Any) -> Any {
        if let fields = value as? [String: Any] {
            return fields.compactMapValues { field in (field as? String)?.isEmpty == true ? nil : withoutEmptyText(field) }
        }
        if let list = value as? [Any] { return list.map(withoutEmptyText) }
        return value
    }

    static let headers: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
    ]

    static func menu(for role: Role, collectsReturns: Bool, keepsWorkingGroups: Bool = false) -> [[String: String]] {
        var items = [["href": "/home", "label": homeLabel(for: role)]]
        if role == .enterprise || role == .cadre { items.append(["href": "/demands/new", "label": "发布诉求"]) }
        // The office registers what came by hotline, e-mail, visit or letter (003 art. 7–10).
        if role == .office { items.append(["href": "/demands/new", "label": "登记诉求"]) }
        // 包联工作 (000 Q14–Q15): the cadre's monthly contacts and statuses; who is behind, for the office.
        if role == .cadre || role == .office || role == .inspector { items.append(["href": "/pairing", "label": "包联工作"]) }
        // 干部测评 (002 §16): the enterprise rates its cadre; the others read the results.
        if role == .enterprise { items.append(["href": "/appraisal", "label": "干部测评"]) }
        // 企业信息 (002 §13): the enterprise keeps its own basics.
        if role == .enterprise { items.append(["href": "/enterprise", "label": "企业信息"]) }
        if [.office, .inspector, .unitAdmin, .countyAdmin, .cadre].contains(role) { items.append(["href": "/appraisals", "label": "干部测评"]) }
        if role == .office || role == .inspector { items.append(["href": "/evaluation", "label": "年度测评"]) }
        // 定期报送 (001 §4.7, 004 二（六）), where the tier's regime asks returns of its units and office.
        if collectsReturns, PortalRoutes.returnsRoles.contains(role) { items.append(["href": "/returns", "label": "定期报送"]) }
        // 提示函 (001 六.3): the letters the office sent the unit, to read and answer (the office's are on 包联工作).
        if role == .unitAdmin || role == .countyAdmin { items.append(["href": "/prompt-letters", "label": "提示函"]) }
        // 约谈记录 (003 art. 18): the unit's interviews by the office (the office's are linked from its overview).
        if role == .unitAdmin || role == .countyAdmin { items.append(["href": "/interviews", "label": "约谈记录"]) }
        // 常态化工作小组 (Jinzai): the groups the unit leads or sits in (the office's are on 包联工作).
        if keepsWorkingGroups, role == .unitAdmin || role == .countyAdmin { items.append(["href": "/working-groups", "label": "工作小组"]) }
        // 账号管理 (002 §1–2): who is locked out or still on an initial password; resets.
        if PortalRoutes.accountRoles.contains(role) { items.append(["href": "/accounts", "label": "账号管理"]) }
        // 公告文档 (002 §5, §10, §17–18): 公告栏 and 政策指南, for everyone.
        items.append(["href": "/notices", "label": "公告文档"])
        items.append(["href": "/me", "label": "我的资料"])
        return items
    }

    static func homeLabel(for role: Role) -> String {
        switch role {
        case .enterprise: "我的诉求"
        case .cadre: "诉求管理"
        case .dispatcher: "分办队列"
        case .unitAdmin, .countyAdmin: "承办台账"
        case .office, .inspector, .system: "诉求总览"
        }
    }
}
