import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import OfficeDocuments
import PlatformAPI
import ServiceRuntime
import Tenancy

/// 干部测评 (000 Q22; 002 §6, §11, §16, §23): the enterprise rates its paired cadre each quarter on
/// the four duties and says what the pairing achieved; the office, the inspector, a unit's
/// administrator (its own cadres) and the cadre see the results with the months kept.
extension PortalRoutes {
    // MARK: The enterprise's form

    func appraisalPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.enterprise])
        return try await appraisalForm(session, flash: session.flash)
    }

    func submitAppraisal(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.enterprise])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        var ratings: [String: String] = [:]
        for duty in CadreDuty.allCases { ratings[duty.rawValue] = form["rating-\(duty.rawValue)"] }
        let input = CadreAppraisalInput(ratings: ratings, results: form["results"])
        do {
            _ = try await client.submitAppraisal(session.api, input)
            try await sessions.setFlash(.done("感谢您的测评，结果已提交"), for: session.id)
            return Self.redirect("/appraisal")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await appraisalForm(session, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)),
                typed: input, errors: error.fieldMessages)
        }
    }

    private func appraisalForm(
        _ session: PortalSession, flash: Flash?, status: HTTPResponse.Status = .ok, typed: CadreAppraisalInput? = nil,
        errors: [String: String] = [:]
    ) async throws -> Response {
        let appraisal = try await client.appraisal(session.api)
        let chosen = typed?.ratings ?? (appraisal.ratings ?? [:]).reduce(into: [:]) { $0[$1.key.rawValue] = $1.value.rawValue }
        let duties = CadreDuty.allCases.map { duty -> [String: Any] in
            [
                "key": duty.rawValue, "name": duty.chineseName, "error": errors["ratings.\(duty.rawValue)"] ?? "",
                "levels": SatisfactionLevel.allCases.map { level in
                    ["value": level.rawValue, "label": level.chineseName, "checked": chosen[duty.rawValue] == level.rawValue,
                     "id": "rating-\(duty.rawValue)-\(level.rawValue)"]
                },
            ]
        }
        return pages.page("appraisal", title: "干部测评", session: session, flash: flash, status: status, [
            "quarter": appraisal.quarter.chineseText, "cadreName": appraisal.cadreName ?? "", "hasCadre": appraisal.cadreName != nil,
            "submittedAt": appraisal.submittedAt.map(CivilDate.shanghaiText) ?? "", "duties": duties,
            "results": typed?.results ?? appraisal.results ?? "", "resultsError": errors["results"] ?? "",
        ])
    }

    // MARK: The results

    func appraisalResultsPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.appraisalReaders)
        let quarter = Self.quarter(request.uri.queryParameters.get("quarter"))
        let report = try await client.cadreQuarters(session.api, quarter: quarter)
        let thisQuarter = CalendarQuarter(CalendarMonth(CivilDate(Date())))
        return pages.page("appraisals", title: "\(report.quarter.chineseText)干部测评", session: session, flash: session.flash, [
            "quarter": report.quarter.description, "isOffice": session.api.role == .office && report.quarter == thisQuarter,
            "dutyNames": CadreDuty.allCases.map(\.chineseName),
            "cadres": report.cadres.map(Self.quarterRow), "hasCadres": !report.cadres.isEmpty,
            "quarters": (0..<8).map { thisQuarter.adding(quarters: -$0) }.map {
                ["value": $0.description, "label": $0.chineseText, "selected": $0 == report.quarter]
            },
        ])
    }

    func appraisalResultsExport(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.appraisalReaders)
        let report = try await client.cadreQuarters(session.api, quarter: Self.quarter(request.uri.queryParameters.get("quarter")))
        let rows = report.cadres.map { cadre -> [ReportTable.Cell] in
            [.text(cadre.name), .text(cadre.unitName ?? ""), .integer(cadre.enterprises), .integer(cadre.appraised)]
                + cadre.duties.map { $0.rated == 0 ? .empty : .percent(Double($0.satisfied) / Double($0.rated)) }
                + [.integer(cadre.monthsContacted), .integer(cadre.monthsStatusReported), .integer(cadre.resolvedOnSpot),
                    .integer(cadre.briefsAccepted), .text(cadre.results.joined(separator: "；"))]
        }
        let table = ReportTable(title: "\(report.quarter.chineseText)干部测评",
            header: ["干部", "单位", "包联企业", "已测评企业"] + CadreDuty.allCases.map { "\($0.chineseName)满意率" }
                + ["走访达标月数", "经营状况填报月数", "当场化解", "简报采用", "包联成效"],
            rows: rows)
        return Download.table(table, name: "appraisals", format: request.uri.path.hasSuffix(".xlsx") ? .xlsx : .csv)
    }

    func requestAppraisals(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        try checkCSRF(try await request.form(context: context), session)
        let sent = try await client.requestAppraisals(session.api)
        let text = sent.enterprises.isEmpty ? "没有需要提醒的企业（未测评的企业本季度均已提醒过）" : "已向\(sent.enterprises.count)家企业发送测评短信"
        try await sessions.setFlash(.done(text), for: session.id)
        return Self.redirect("/appraisals")
    }

    static let appraisalReaders: Set<Role> = [.office, .inspector, .unitAdmin, .countyAdmin, .cadre]

    static func quarter(_ text: String?) -> CalendarQuarter {
        let thisQuarter = CalendarQuarter(CalendarMonth(CivilDate(Date())))
        return text.flatMap { CalendarQuarter($0) }.map { min($0, thisQuarter) } ?? thisQuarter
    }

    static func quarterRow(_ cadre: PlatformClient.CadreQuarters.Cadre) -> [String: Any] {
        [
            "cadreID": cadre.cadreID, "name": cadre.name, "unitName": cadre.unitName ?? "", "enterprises": cadre.enterprises,
            "appraised": cadre.appraised, "monthsContacted": cadre.monthsContacted,
            "monthsStatusReported": cadre.monthsStatusReported, "monthsSoFar": cadre.monthsSoFar, "resolvedCount": cadre.resolvedOnSpot,
            "briefCount": cadre.briefsAccepted,
            "duties": cadre.duties.map { duty -> [String: Any] in
                ["rate": duty.rated == 0 ? "—" : String(format: "%.0f%%", 100 * Double(duty.satisfied) / Double(duty.rated))]
            },
            "results": cadre.results.map { ["text": $0] },
        ]
    }
}
