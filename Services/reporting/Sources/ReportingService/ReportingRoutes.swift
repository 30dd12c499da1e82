import DemandDomain
import Foundation
import Hummingbird
import ServiceRuntime

/// Reporting's HTTP API (see `openapi.yaml` beside this file).
struct ReportingRoutes {
    let reporting: ReportingWorkflow

    func register(on router: Router<AppRequestContext>) {
        router.get("figures") { request, context in
            try await reporting.figures(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("figures/units") { request, context in
            try await reporting.unitFigures(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("figures/cadres") { request, context in
            try await reporting.cadreFigures(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("lists/overdue") { request, context in
            try await reporting.overdue(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("lists/unsatisfied") { request, context in
            try await reporting.unsatisfied(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
        }
        router.get("exports/figures.csv") { request, context -> Response in
            let report = try await reporting.figures(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
            let rows = (report.tiers + (report.total.map { [$0] } ?? [])).map(CSV.figuresRow)
            return CSVDocument.response(header: CSV.figuresHeader, rows: rows, name: "figures")
        }
        router.get("exports/units.csv") { request, context -> Response in
            let units = try await reporting.unitFigures(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
            return CSVDocument.response(header: CSV.figuresHeader, rows: units.map(CSV.figuresRow), name: "units")
        }
        router.get("exports/cadres.csv") { request, context -> Response in
            let cadres = try await reporting.cadreFigures(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
            return CSVDocument.response(header: CSV.cadreHeader, rows: cadres.map(CSV.cadreRow), name: "cadres")
        }
        router.get("exports/overdue.csv") { request, context -> Response in
            let items = try await reporting.overdue(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
            let rows = items.map { item in
                [item.registrationNumber ?? "", item.enterprise ?? "", item.leadUnit ?? "", item.step ?? "",
                 CivilDate.deadlineText(item.dueAt), item.overdueWorkingDays.map(String.init) ?? ""]
            }
            return CSVDocument.response(header: ["登记编号", "企业", "牵头单位", "环节", "时限", "超期工作日"], rows: rows, name: "overdue")
        }
        router.get("exports/unsatisfied.csv") { request, context -> Response in
            let items = try await reporting.unsatisfied(for: try context.requirePrincipal(), parameters: request.uri.queryParameters)
            let rows = items.map { item in
                [item.registrationNumber ?? "", item.enterprise ?? "", item.leadUnit ?? "", item.comment ?? "",
                 CivilDate.shanghaiText(item.ratedAt)]
            }
            return CSVDocument.response(header: ["登记编号", "企业", "牵头单位", "意见", "评价时间"], rows: rows, name: "unsatisfied")
        }
        router.get("briefings/monthly") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let parameters = request.uri.queryParameters
            let report = try await reporting.figures(for: principal, parameters: parameters)
            let tier = parameters.get("tier").flatMap(TenantID.init(validating:)) ?? principal.tenant
            let briefing = Briefing(
                tierName: reporting.tree[tier]?.name ?? tier.rawValue, report: report,
                units: try await reporting.unitFigures(for: principal, parameters: parameters),
                overdue: try await reporting.overdue(for: principal, parameters: parameters),
                unsatisfied: try await reporting.unsatisfied(for: principal, parameters: parameters), generatedAt: Date())
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: briefing.html())))
        }
    }
}
