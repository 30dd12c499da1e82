import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import Tenancy

/// 企业账号申请 (002 §13, 000 Q29): an enterprise outside the pairing program applies from the login
/// page, without a session (the form carries a double-submit token, as the login form does); the
/// tier office approves or refuses each application with the reason, from 账号管理.
extension PortalRoutes {
    static let applicationCookie = "portal_apply"
    static let applicationFields = ["enterpriseName", "creditCode", "address", "industryGroup", "contactName", "contactPhone", "note"]

    func applicationPage(_ request: Request, context: PortalContext) async throws -> Response {
        applicationForm(values: [:], errors: [:], flash: nil)
    }

    func submitApplication(_ request: Request, context: PortalContext) async throws -> Response {
        let form = try await request.form(context: context)
        let values = Dictionary(uniqueKeysWithValues: (["tier"] + Self.applicationFields).map { ($0, form[$0] ?? "") })
        guard let expected = request.cookies[Self.applicationCookie]?.value, let given = form["applicationToken"],
            SessionStore.constantTimeEqual(expected, given)
        else {
            return applicationForm(values: values, errors: [:], flash: .failed("页面已过期，请重新提交"), status: .forbidden)
        }
        guard let tier = TenantID(validating: values["tier"] ?? ""), tree.contains(tier) else {
            return applicationForm(values: values, errors: ["tier": "请选择区域"], flash: .failed("请选择区域"),
                status: .unprocessableContent)
        }
        guard form["password"] == form["confirmPassword"] else {
            return applicationForm(values: values, errors: ["confirmPassword": "两次输入的密码不一致"], flash: .failed("两次输入的密码不一致"),
                status: .unprocessableContent)
        }
        let input = AccountApplicationInput(enterpriseName: values["enterpriseName"]!, creditCode: values["creditCode"]!,
            address: values["address"]!, industryGroup: values["industryGroup"]!, contactName: values["contactName"]!,
            contactPhone: values["contactPhone"]!, password: form["password"] ?? "", note: values["note"])
        do {
            let application = try await client.applyForAccount(tier: tier, input, clientAddress: context.peerAddress)
            return pages.page("apply", title: "企业账号申请", session: nil, status: .ok, [
                "received": ["tier": tree[tier]?.name ?? tier.rawValue, "enterprise": application.enterpriseName,
                    "phone": application.contactPhone, "office": rules.procedure(for: tier).officeName],
            ])
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return applicationForm(values: values, errors: error.fieldMessages, flash: .failed(error.message),
                status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    private func applicationForm(values: [String: String], errors: [String: String], flash: Flash?, status: HTTPResponse.Status = .ok)
        -> Response
    {
        let token = SessionStore.randomToken()
        var fields: [String: Any] = values.merging(["applicationToken": token]) { current, _ in current }
        fields["errors"] = errors
        fields["tiers"] = tree.tenants.map { ["id": $0.id.rawValue, "name": $0.name, "selected": $0.id.rawValue == values["tier"]] }
        fields["industryGroups"] = IndustryGroup.allCases.map {
            ["value": $0.rawValue, "label": $0.chineseName, "selected": $0.rawValue == values["industryGroup"]]
        }
        var response = pages.page("apply", title: "企业账号申请", session: nil, flash: flash, status: status, fields)
        response.setCookie(Cookie(name: Self.applicationCookie, value: token, maxAge: 3600, path: "/apply", secure: secureCookies,
            httpOnly: true, sameSite: .strict))
        return response
    }

    // MARK: The office's decisions

    func applicationsPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        return try await applicationsList(session, flash: session.flash)
    }

    func decideApplication(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw PortalError.notFound }
        let approve = form["decision"] == "approve"
        do {
            let decided = try await client.decideAccountApplication(session.api, id: id, approve: approve, reason: form["reason"])
            try await sessions.setFlash(.done(approve ? "已通过\(decided.enterpriseName)的账号申请，已短信通知申请人"
                : "已不予通过\(decided.enterpriseName)的账号申请，已短信告知原因"), for: session.id)
            return Self.redirect("/account-applications")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await applicationsList(session, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    private func applicationsList(_ session: PortalSession, flash: Flash?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let all = try await client.accountApplications(session.api, all: true)
        func row(_ application: PlatformClient.AccountApplication) -> [String: Any] {
            [
                "id": application.id.uuidString.lowercased(), "enterprise": application.enterpriseName, "creditCode": application.creditCode,
                "address": application.address, "industryGroup": application.industryGroup.chineseName,
                "contact": "\(application.contactName) \(application.contactPhone)", "note": application.note ?? "",
                "appliedAt": CivilDate.shanghaiText(application.appliedAt),
                "decision": application.state == "approved" ? "已通过" : "不予通过：\(application.reason ?? "")",
                "decided": "\(application.decidedAt.map(CivilDate.shanghaiText) ?? "") \(application.decidedBy ?? "")",
            ]
        }
        let pending = all.filter { $0.state == "pending" }
        let decided = all.filter { $0.state != "pending" }.prefix(50)
        return pages.page("account-applications", title: "企业账号申请", session: session, flash: flash, status: status, [
            "pending": pending.map(row), "hasPending": !pending.isEmpty, "decided": decided.map(row), "hasDecided": !decided.isEmpty,
        ])
    }
}
