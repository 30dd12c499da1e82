import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import PlatformEvents
import Tenancy

/// 账号管理 (002 §1–2, §7–8): a unit admin sees its unit's accounts, the office every account of
/// the tier, with who is locked out or still on an initial password, and resets a forgotten
/// password: the new initial password is shown this once, to hand over in person or by phone.
extension PortalRoutes {
    static let accountRoles: Set<Role> = [.office, .unitAdmin]
    /// The most accounts one page lists; a search narrows a tier's thousands of enterprises.
    static let accountPageSize = 100

    func accountsPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.accountRoles)
        let query = request.uri.queryParameters
        return try await accountsForm(session, search: query.get("q") ?? "", unit: query.get("unit") ?? "", flash: session.flash)
    }

    func resetPassword(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.accountRoles)
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let subject = context.parameters.get("subject") ?? ""
        // The list the reset was made from comes back.
        let (search, unit) = (form["q"] ?? "", form["unit"] ?? "")
        do {
            let reset = try await client.resetPassword(session.api, subject: subject)
            let who = reset.unitName.map { "\($0) \(reset.name)" } ?? reset.name
            return try await accountsForm(session, search: search, unit: unit, flash: .done("已重置\(who)的密码"), fields: [
                "reset": ["name": reset.name, "unit": reset.unitName ?? "", "password": reset.password],
            ])
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await accountsForm(session, search: search, unit: unit, flash: .failed(error.message),
                status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    private func accountsForm(
        _ session: PortalSession, search rawSearch: String, unit: String, flash: Flash?,
        status: HTTPResponse.Status = .ok, fields: [String: Any] = [:]
    ) async throws -> Response {
        let search = Self.searchText(rawSearch)
        let isOffice = session.api.role == .office
        // "-" chooses the tier's own organs and enterprises, which intake names "".
        let requestedUnit = isOffice && !unit.isEmpty ? (unit == "-" ? "" : unit) : nil
        async let listed = client.accounts(session.api, unit: requestedUnit, search: search.isEmpty ? nil : search,
            limit: Self.accountPageSize + 1)
        async let tierUnits = isOffice ? client.units(session.api) : []
        let matching = try await listed
        var page = fields
        page["accounts"] = matching.prefix(Self.accountPageSize).map { Self.accountRow($0, me: session.api.subject) }
        page["hasAccounts"] = !matching.isEmpty
        if matching.count > Self.accountPageSize {
            page["truncated"] = ["shown": Self.accountPageSize]
        } else {
            page["count"] = matching.count
        }
        page["q"] = search
        page["unit"] = unit
        page["isOffice"] = isOffice
        page["officeName"] = rules.procedure(for: session.api.tier).officeName
        if isOffice {
            let pending = try await client.accountApplications(session.api).count
            if pending > 0 { page["pendingApplications"] = pending }
        }
        page["units"] = [["value": "", "label": "全部", "selected": unit.isEmpty], ["value": "-", "label": "本级机关和企业", "selected": unit == "-"]]
            + (try await tierUnits).map { ["value": $0.id, "label": $0.name, "selected": $0.id == unit] }
        return pages.page("accounts", title: "账号管理", session: session, flash: flash, status: status, page)
    }

    private static func accountRow(_ account: PlatformClient.Account, me: String) -> [String: Any] {
        var row: [String: Any] = [
            "subject": account.subject, "name": account.name, "unitName": account.unitName ?? "—", "role": account.role.chineseName,
            "active": account.active, "initial": account.mustChangePassword, "canReset": account.active && account.subject != me,
        ]
        if let until = account.lockedUntil { row["lockedUntil"] = CivilDate.shanghaiText(until) }
        if let at = account.lastResetAt { row["lastReset"] = "\(CivilDate.shanghaiText(at)) \(account.lastResetBy ?? "")" }
        return row
    }
}
