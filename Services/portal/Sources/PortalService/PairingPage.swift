import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import Tenancy

/// 包联工作 (000 Q14–Q15; 002 §15–16): the cadre records contacts and business statuses for the
/// enterprises they are paired with; the office and the inspector see who is behind this month, and
/// the office reminds them.
extension PortalRoutes {
    func pairingPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.cadre, .office, .inspector])
        let month = request.uri.queryParameters.get("month").flatMap { CalendarMonth($0) }
        return try await pairingView(session, month: month, flash: session.flash)
    }

    func recordPairingContact(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.cadre])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let input = PairingContactInput(enterpriseID: form["enterpriseID"] ?? "", contactedOn: form["contactedOn"] ?? "",
            way: form["way"] ?? "", summary: form["summary"] ?? "",
            demandsRaised: (form["demandsRaised"] ?? "").isEmpty ? 0 : Int(form["demandsRaised"] ?? "") ?? -1,
            resolvedOnSpot: form["resolvedOnSpot"])
        do {
            let contact = try await client.recordContact(session.api, input)
            try await sessions.setFlash(.done("已登记对\(contact.enterpriseName)的走访"), for: session.id)
            return Self.redirect("/pairing")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await pairingView(session, month: nil, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)),
                typed: .init(contact: input, contactErrors: error.fieldMessages))
        }
    }

    func reportBusinessStatus(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.cadre])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let enterpriseID = form["enterpriseID"] ?? ""
        let input = BusinessStatusInput(month: form["month"] ?? "", status: form["status"] ?? "", note: form["note"])
        do {
            _ = try await client.reportBusinessStatus(session.api, enterpriseID: enterpriseID, input)
            try await sessions.setFlash(.done("已填报经营状况"), for: session.id)
            return Self.redirect("/pairing")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await pairingView(session, month: nil, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)),
                typed: .init(statusEnterpriseID: enterpriseID, status: input, statusErrors: error.fieldMessages))
        }
    }

    func sendPairingReminders(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        try checkCSRF(try await request.form(context: context), session)
        let sent = try await client.sendPairingReminders(session.api)
        let text = sent.reminded.isEmpty ? "没有需要提醒的干部（未完成的干部本月均已提醒过）" : "已向\(sent.reminded.count)名干部发送短信提醒"
        try await sessions.setFlash(.done(text), for: session.id)
        return Self.redirect("/pairing")
    }

    /// What a cadre typed into one of the two forms, shown again beside its errors.
    struct PairingTyped {
        var contact: PairingContactInput?
        var contactErrors: [String: String] = [:]
        var statusEnterpriseID: String?
        var status: BusinessStatusInput?
        var statusErrors: [String: String] = [:]
    }

    private func pairingView(
        _ session: PortalSession, month requested: CalendarMonth?, flash: Flash?, status: HTTPResponse.Status = .ok,
        typed: PairingTyped = PairingTyped()
    ) async throws -> Response {
        let api = session.api
        let thisMonth = CalendarMonth(CivilDate(Date()))
        let month = api.role == .cadre ? thisMonth : min(requested ?? thisMonth, thisMonth)
        async let report = client.pairingMonth(api, month: month)
        async let contacts = client.pairingContacts(api, month: month)
        let duties = try await report
        var fields: [String: Any] = [
            "month": month.description, "monthText": month.chineseText,
            "reminderDay": duties.reminderDay.map(String.init) ?? "",
            "cadres": duties.cadres.map(Self.cadreRow), "hasCadres": !duties.cadres.isEmpty,
            "contacts": try await contacts.map(Self.contactRow),
            "isCadre": api.role == .cadre, "isOffice": api.role == .office,
            "months": (0..<12).map { thisMonth.adding(months: -$0) }.map {
                ["value": $0.description, "label": $0.chineseText, "selected": $0 == month]
            },
        ]
        fields["hasContacts"] = !((fields["contacts"] as? [Any])?.isEmpty ?? true)
        fields["behind"] = duties.cadres.filter { !$0.complete }.count
        if api.role == .cadre {
            let enterprises = duties.cadres.first?.enterprises ?? []
            fields.merge(Self.cadreForms(enterprises: enterprises, thisMonth: thisMonth, typed: typed)) { $1 }
            let proposals = try await client.pairingProposals(api, all: true)
            fields["proposals"] = proposals.prefix(10).map(Self.proposalRow)
            fields["hasProposals"] = !proposals.isEmpty
            // A cadre asks for an enterprise to go back to the pool or off the list; reassigning is the office's.
            fields["cadreKinds"] = [PairingChangeKind.remove, .release].map { ["value": $0.rawValue, "label": $0.chineseName] }
        }
        fields["keepsWorkingGroups"] = rules.tree[api.tier]?.pairingWorkingGroups == true
        return pages.page("pairing", title: api.role == .cadre ? "包联工作" : "\(month.chineseText)包联工作情况", session: session, flash: flash,
            status: status, fields)
    }

    private static func cadreForms(enterprises: [PlatformClient.PairingMonth.Enterprise], thisMonth: CalendarMonth, typed: PairingTyped)
        -> [String: Any]
    {
        let contact = typed.contact
        let statusMonth = typed.status?.month ?? thisMonth.description
        return [
            "hasEnterprises": !enterprises.isEmpty,
            "contactEnterprises": enterprises.map {
                ["id": $0.enterpriseID, "name": $0.name, "selected": $0.enterpriseID == contact?.enterpriseID]
            },
            "statusEnterprises": enterprises.map {
                ["id": $0.enterpriseID, "name": $0.name, "selected": $0.enterpriseID == typed.statusEnterpriseID]
            },
            "ways": ContactWay.allCases.map { ["value": $0.rawValue, "label": $0.chineseName, "selected": $0.rawValue == contact?.way] },
            "statuses": BusinessStatus.allCases.map {
                ["value": $0.rawValue, "label": $0.chineseName, "selected": $0.rawValue == typed.status?.status]
            },
            "statusMonths": (0...BusinessStatusInput.monthsBack).map { thisMonth.adding(months: -$0) }.map {
                ["value": $0.description, "label": $0.chineseText, "selected": $0.description == statusMonth]
            },
            "contactedOn": contact?.contactedOn ?? CivilDate(Date()).description, "today": CivilDate(Date()).description,
            "summary": contact?.summary ?? "", "demandsRaised": contact?.demandsRaised.map(String.init) ?? "0",
            "resolvedOnSpot": contact?.resolvedOnSpot ?? "",
            "statusNote": typed.status?.note ?? "",
            "contactErrors": typed.contactErrors, "statusErrors": typed.statusErrors,
        ]
    }

    static func cadreRow(_ cadre: PlatformClient.PairingMonth.Cadre) -> [String: Any] {
        [
            "cadreID": cadre.cadreID, "name": cadre.name, "unitName": cadre.unitName ?? "", "count": cadre.enterprises.count,
            "contacted": cadre.contacted, "statusReported": cadre.statusReported, "complete": cadre.complete,
            "resolvedCount": cadre.resolvedOnSpot,
            "remindedAt": cadre.remindedAt.map(CivilDate.shanghaiText) ?? "",
            "enterprises": cadre.enterprises.map { enterprise -> [String: Any] in
                [
                    "id": enterprise.enterpriseID, "name": enterprise.name, "contacts": enterprise.contacts,
                    "lastContactOn": enterprise.lastContactOn?.description ?? "", "contacted": enterprise.contacts > 0,
                    "statusName": enterprise.statusName ?? "",
                ]
            },
        ]
    }

    static func contactRow(_ contact: PlatformClient.PairingContact) -> [String: Any] {
        [
            "date": contact.contactedOn.description, "enterprise": contact.enterpriseName, "cadre": contact.cadreName,
            "way": contact.wayName, "summary": contact.summary, "demandsRaised": contact.demandsRaised,
            "resolved": contact.resolvedOnSpot ?? "",
        ]
    }
}
