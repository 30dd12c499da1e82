import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import OfficeDocuments
import PlatformAPI
import Tenancy

/// 年度测评 (003 art. 20): the office enters each unit's democratic appraisal score at the year's
/// end and sees the quantified score the year's figures give, the total and the ranking; an
/// inspector or a city office reads it.
extension PortalRoutes {
    func evaluationPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office, .inspector])
        return try await evaluationForm(session, year: Self.evaluationYear(request.uri.queryParameters.get("year")), flash: session.flash)
    }

    func recordAppraisal(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let unit = context.parameters.get("unit") else { throw PortalError.notFound }
        let year = Self.evaluationYear(form["year"])
        // The score's range is reporting's rule (its message comes back below); here only a number is asked for.
        guard let score = form["appraisalScore"].flatMap(Double.init), score.isFinite else {
            return try await evaluationForm(session, year: year, flash: .failed("请填写0至100之间的民主评议得分"), status: .unprocessableContent)
        }
        do {
            _ = try await client.recordAppraisal(session.api, year: year, unitID: unit, score: score)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await evaluationForm(session, year: year, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)))
        }
        try await sessions.setFlash(.done("已保存民主评议得分"), for: session.id)
        return Self.redirect("/evaluation?year=\(year)")
    }

    private func evaluationForm(_ session: PortalSession, year: Int, flash: Flash?, status: HTTPResponse.Status = .ok) async throws
        -> Response
    {
        let evaluation = try await client.annualEvaluation(session.api, year: year)
        let canEnter = session.api.role == .office
        let rows = evaluation.rows.map { row -> [String: Any] in
            [
                "rank": row.rank.map(String.init) ?? "—", "unitID": row.unitID, "name": row.name, "received": row.received,
                "completion": Dashboard.percent(row.completionRate), "onTimeReceipt": Dashboard.percent(row.onTimeReceiptRate),
                "satisfaction": Dashboard.percent(row.satisfactionRate), "quantified": Self.score(row.quantifiedScore),
                "appraisal": Self.score(row.appraisalScore), "appraisalValue": row.appraisalScore.map { Self.score($0) } ?? "",
                "total": Self.score(row.totalScore), "canEnter": canEnter,
            ]
        }
        let thisYear = CivilDate(Date()).year
        return pages.page("evaluation", title: "\(year)年度承办单位测评", session: session, flash: flash, status: status, [
            "year": year, "rows": rows, "canEnter": canEnter, "hasRows": !rows.isEmpty,
            "years": (thisYear - 4...thisYear).reversed().map { ["year": $0, "selected": $0 == year] },
        ])
    }

    static func evaluationYear(_ text: String?) -> Int {
        let thisYear = CivilDate(Date()).year
        return text.flatMap(Int.init).flatMap { (2000...thisYear).contains($0) ? $0 : nil } ?? thisYear
    }

    static func score(_ value: Double?) -> String {
        value.map { String(format: "%.1f", $0) } ?? "—"
    }
}
