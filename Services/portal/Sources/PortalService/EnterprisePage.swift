import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import PlatformEvents
import Tenancy

/// 企业信息 (002 §3, §13, §15): the enterprise's profile as the directory holds it, its recent
/// business statuses and every change made on the platform. The enterprise changes its own basics;
/// its paired cadre and the office keep them current; the inspector reads.
extension PortalRoutes {
    static let profileRoles: Set<Role> = [.enterprise, .cadre, .office, .inspector]

    /// The enterprise's own profile, from its menu.
    func ownEnterprisePage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.enterprise])
        guard let id = session.api.enterpriseID else { throw PortalError.notFound }
        return Self.redirect("/enterprises/\(id)")
    }

    func enterprisePage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.profileRoles)
        return try await enterpriseView(session, id: try Self.enterpriseID(context), flash: session.flash)
    }

    func changeEnterpriseProfile(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.profileRoles)
        let id = try Self.enterpriseID(context)
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let input = EnterpriseProfileInput(address: form["address"] ?? "", legalRepresentative: form["legalRepresentative"],
            legalRepresentativePhone: form["legalRepresentativePhone"], liaisonName: form["liaisonName"],
            liaisonPhone: form["liaisonPhone"], profile: form["profile"])
        do {
            _ = try await client.changeEnterpriseProfile(session.api, enterpriseID: id, input)
        } catch let error as APICallError where error.status == 422 {
            return try await enterpriseView(session, id: id, flash: .failed("请按提示修改后再保存"), status: .unprocessableContent,
                typed: form.values, errors: Dictionary(error.issues.map { ($0.field, $0.message) }) { first, _ in first })
        }
        try await sessions.setFlash(.done("已保存企业信息"), for: session.id)
        return Self.redirect("/enterprises/\(id)")
    }

    private func enterpriseView(
        _ session: PortalSession, id: String, flash: Flash?, status: HTTPResponse.Status = .ok, typed: [String: String]? = nil,
        errors: [String: String] = [:]
    ) async throws -> Response {
        let profile: PlatformClient.EnterpriseProfile
        do {
            profile = try await client.enterpriseProfile(session.api, enterpriseID: id)
        } catch let error as APICallError where error.status == 404 || error.status == 403 {
            throw PortalError.notFound
        }
        let enterprise = profile.enterprise
        let fields = EnterpriseProfileField.allCases.map { field -> [String: Any] in
            [
                "name": field.rawValue, "label": field.chineseName,
                "value": typed?[field.rawValue] ?? enterprise.profileValue(field), "error": errors[field.rawValue] ?? "",
                "isLong": field == .profile, "isPhone": field == .legalRepresentativePhone || field == .liaisonPhone,
                "hint": field == .liaisonPhone ? "平台发给企业的短信发送到此号码" : "",
            ]
        }
        return pages.page("enterprise", title: enterprise.name, session: session, flash: flash, status: status, [
            "id": enterprise.id, "creditCode": enterprise.creditCode.rawValue, "industryGroup": enterprise.industryGroup.chineseName,
            "onList": enterprise.onFourAboveList == true, "pairedCadre": profile.pairedCadreName ?? "",
            "editable": profile.editable, "fields": fields,
            "statuses": enterprise.businessStatus.map { ["month": CalendarMonth($0.month)?.chineseText ?? $0.month, "text": $0.text] },
            "hasStatuses": !enterprise.businessStatus.isEmpty,
            "changes": profile.changes.map {
                ["at": CivilDate.shanghaiText($0.changedAt), "by": "\($0.changedBy)（\($0.changedByRole)）", "field": $0.fieldName,
                 "from": $0.from.isEmpty ? "（空）" : $0.from, "to": $0.to.isEmpty ? "（空）" : $0.to]
            },
            "hasChanges": !profile.changes.isEmpty,
        ])
    }

    static func enterpriseID(_ context: PortalContext) throws -> String {
        guard let id = context.parameters.get("enterprise"), !id.isEmpty else { throw PortalError.notFound }
        return id
    }
}
