import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import PlatformEvents
import Tenancy

/// 约谈记录 (003 art. 18): the office records its interview of a unit whose demands are repeatedly or
/// long overdue; the unit's administrators read their unit's records, the inspector every one.
extension PortalRoutes {
    static let interviewRoles: Set<Role> = [.office, .inspector, .unitAdmin, .countyAdmin]
    static let interviewFields = ["unitID", "heldOn", "attendees", "demands", "decision", "dueOn"]

    func interviewsPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.interviewRoles)
        return try await interviews(session, values: [:], errors: [:], flash: session.flash)
    }

    func recordInterview(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let values = Dictionary(uniqueKeysWithValues: Self.interviewFields.map { ($0, form[$0] ?? "") })
        do {
            let interview = try await client.recordInterview(session.api, UnitInterviewInput(unitID: values["unitID"]!,
                heldOn: values["heldOn"]!, attendees: values["attendees"]!, demands: values["demands"], decision: values["decision"]!,
                dueOn: values["dueOn"]))
            try await sessions.setFlash(.done("已记录对\(interview.unitName)的约谈，已短信通知该单位管理员"), for: session.id)
            return Self.redirect("/interviews")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await interviews(session, values: values, errors: error.fieldMessages, flash: .failed(error.message),
                status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    private func interviews(
        _ session: PortalSession, values: [String: String], errors: [String: String], flash: Flash?, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let isOffice = session.api.role == .office
        async let listed = client.interviews(session.api)
        async let units = isOffice ? client.units(session.api) : []
        let records = try await listed.map { interview -> [String: Any] in
            [
                "unit": interview.unitName, "heldOn": interview.heldOn.chineseText, "attendees": interview.attendees,
                // Keys of their own: a row without them must not show the form's fields of the same name.
                "cases": interview.demands ?? "", "decision": interview.decision, "dueDay": interview.dueOn?.chineseText ?? "",
                "recorded": "\(CivilDate.shanghaiText(interview.recordedAt)) \(interview.recordedBy ?? "")",
            ]
        }
        var fields: [String: Any] = values
        fields["errors"] = errors
        fields["records"] = records
        fields["hasRecords"] = !records.isEmpty
        fields["officeName"] = rules.procedure(for: session.api.tier).officeName
        if isOffice {
            let chosen = values["unitID"] ?? ""
            fields["record"] = [
                "units": try await units.map { ["id": $0.id, "name": $0.name, "selected": $0.id == chosen] },
                "heldOnValue": values["heldOn"].flatMap { $0.isEmpty ? nil : $0 } ?? CivilDate(Date()).description,
            ]
        }
        return pages.page("interviews", title: "约谈记录", session: session, flash: flash, status: status, fields)
    }
}
