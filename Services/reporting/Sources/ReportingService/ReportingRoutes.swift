import DemandDomain
import Foundation
import Hummingbird
import InputValidation
import OfficeDocuments
import ServiceRuntime
import Tenancy

/// Reporting's HTTP API (see `openapi.yaml` beside this file).
struct ReportingRoutes {
    let reporting: ReportingWorkflow
    let returns: ReturnsDesk
    let distribution: BriefingDistribution

    struct RemindersSent: ResponseEncodable {
        var reminded: Int
    }

    struct AppraisalRequest: Decodable {
        var appraisalScore: Double
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("figures") { request, context in
            try await reporting.figures(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("figures/months") { request, context in
            try await reporting.trend(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("figures/units") { request, context in
            try await reporting.unitFigures(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("figures/cadres") { request, context in
            try await reporting.cadreFigures(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("rankings/units") { request, context in
            try await reporting.unitRanking(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("evaluations/annual") { request, context in
            try await reporting.annualEvaluation(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.put("evaluations/annual/:year/units/:unit") { request, context in
            let body = try await request.decodeJSON(AppraisalRequest.self, context: context)
            return try await reporting.recordAppraisal(by: try context.requirePrincipal(), year: context.parameters.get("year") ?? "",
                unitID: context.parameters.get("unit") ?? "", score: body.appraisalScore)
        }
        router.get("briefings/recipients") { _, context in
            try await distribution.recipients(for: try context.requirePrincipal())
        }
        router.put("briefings/recipients") { request, context in
            let input = try await request.decodeJSON(BriefingRecipientsInput.self, context: context)
            return try await distribution.setRecipients(input, by: try context.requirePrincipal())
        }
        router.post("briefings/monthly/issue") { request, context in
            guard let month = request.uri.queryParameters.get("month").flatMap(CalendarMonth.init) else {
                throw APIError.badRequest(code: "INVALID_PERIOD", message: "通报月份应为YYYY-MM")
            }
            return try await distribution.issue(month: month, by: try context.requirePrincipal())
        }
        router.get("returns") { request, context in
            try await returns.tracker(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.post("returns/reminders") { request, context in
            RemindersSent(reminded: try await returns.sendReminders(for: try context.requirePrincipal(), parameters: request.uri.queryParameters))
        }
        router.get("returns/:form/:period/:submitter") { request, context in
            try await returns.sheet(for: try context.requirePrincipal(), tier: request.uri.queryParameters.get("tier"),
                key: try returnKey(context))
        }
        router.put("returns/:form/:period/:submitter") { request, context in
            let content = try await request.decodeJSON(ReturnContent.self, context: context)
            return try await returns.submit(content, by: try context.requirePrincipal(), tier: request.uri.queryParameters.get("tier"),
                key: try returnKey(context))
        }
        router.get("lists/overdue") { request, context in
            try await reporting.overdue(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("lists/unsatisfied") { request, context in
            try await reporting.unsatisfied(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        for name in ReportTables.Name.allCases {
            for format in Download.TableFormat.allCases {
                router.get("exports/\(name.rawValue).\(format.rawValue)") { request, context -> Response in
                    let table = try await self.table(name, for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
                    return Download.table(table, name: name.rawValue, format: format)
                }
            }
        }
        router.get("briefings/monthly") { request, context -> Response in
            let briefing = try await briefing(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: briefing.html())))
        }
        router.document("briefings/monthly", pdf: reporting.runtime.pdf) { request, context in
            let briefing = try await briefing(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
            return (briefing.wordDocument(), "briefing-\(briefing.report.period.from)")
        }
    }

    private func table(_ name: ReportTables.Name, for principal: Principal, parameters: Parameters) async throws -> ReportTable {
        switch name {
        case .figures:
            let report = try await reporting.figures(for: principal, parameters: parameters)
            return ReportTables.figures(report.tiers + (report.total.map { [$0] } ?? []), title: "诉求办理情况")
        case .units:
            return ReportTables.figures(try await reporting.unitFigures(for: principal, parameters: parameters), title: "承办单位")
        case .cadres:
            return ReportTables.cadres(try await reporting.cadreFigures(for: principal, parameters: parameters))
        case .overdue:
            return ReportTables.overdue(try await reporting.overdue(for: principal, parameters: parameters))
        case .unsatisfied:
            return ReportTables.unsatisfied(try await reporting.unsatisfied(for: principal, parameters: parameters))
        case .rankings:
            return ReportTables.rankings(try await reporting.unitRanking(for: principal, parameters: parameters))
        case .evaluation:
            return ReportTables.evaluation(try await reporting.annualEvaluation(for: principal, parameters: parameters))
        case .returns:
            guard let period = parameters.get("period").flatMap(ReturnPeriod.init) else {
                throw APIError.badRequest(code: "INVALID_PERIOD", message: "报送期间应为YYYY-MM或YYYY-Qn")
            }
            return try await returns.summaryTable(for: principal, tier: parameters.get("tier"), formID: parameters.get("form") ?? "",
                period: period)
        }
    }

    private func returnKey(_ context: AppRequestContext) throws -> ReturnsDesk.Key {
        guard let period = context.parameters.get("period").flatMap(ReturnPeriod.init) else {
            throw APIError.badRequest(code: "INVALID_PERIOD", message: "报送期间应为YYYY-MM或YYYY-Qn")
        }
        return ReturnsDesk.Key(formID: context.parameters.get("form") ?? "", period: period,
            submitterID: context.parameters.get("submitter") ?? "")
    }

    private func briefing(for principal: Principal, parameters: Parameters) async throws -> Briefing {
        let report = try await reporting.figures(for: principal, parameters: parameters)
        let tier = parameters.get("tier").flatMap(TenantID.init(validating:)) ?? principal.tenant
        return Briefing(
            tierName: reporting.tree[tier]?.name ?? tier.rawValue, report: report,
            units: UnitRanking.ranked(try await reporting.unitFigures(for: principal, parameters: parameters)),
            overdue: try await reporting.overdue(for: principal, parameters: parameters),
            unsatisfied: try await reporting.unsatisfied(for: principal, parameters: parameters), generatedAt: Date(),
            recipients: try await distribution.recipients(of: tier))
    }
}
