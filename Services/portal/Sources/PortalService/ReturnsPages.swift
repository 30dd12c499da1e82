import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import Tenancy

/// 定期报送 (001 §4.7, 004 二（六）): a unit fills in and submits the forms its tier's regime asks each
/// month, the rows the platform knows already in; the office (and the inspector) track who has
/// sent what by when, remind those behind by SMS and download each form's 汇总表.
extension PortalRoutes {
    static let returnsRoles: Set<Role> = [.office, .inspector, .unitAdmin, .countyAdmin]
    /// Blank rows offered under a list for the unit to add its own.
    static let blankReturnRows = 3

    // MARK: The tracker

    func returnsPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.returnsRoles)
        let month = request.uri.queryParameters.get("month").flatMap(CalendarMonth.init)
        let tracker = try await client.returnsTracker(session.api, month: month)
        let lastMonth = CalendarMonth(CivilDate(Date())).adding(months: -1)
        let forms = tracker.forms.map { tracked -> [String: Any] in
            // The month is the page's; a quarterly form names its quarter.
            let quarter = tracked.period.cadence == .quarterly ? tracked.period.chineseText + " · " : ""
            return [
                "id": tracked.form.id, "title": tracked.form.title, "period": tracked.period.description,
                "periodText": tracked.period.chineseText, "due": "\(quarter)\(tracked.dueDate.month)月\(tracked.dueDate.day)日前",
            ]
        }
        let submitters = tracker.submitters.map { submitter -> [String: Any] in
            let cells = tracker.forms.map { tracked -> [String: Any] in
                guard let cell = submitter.cells.first(where: { $0.formID == tracked.form.id }) else { return ["owed": false] }
                return [
                    "owed": true, "status": cell.status.chineseName, "statusClass": Self.returnStatusClass(cell.status),
                    "href": "/returns/\(tracked.form.id)/\(tracked.period)/\(submitter.id)", "title": tracked.form.title,
                ]
            }
            return ["id": submitter.id, "name": submitter.name, "cells": cells, "reminded": submitter.lastRemindedOn?.chineseText ?? ""]
        }
        let behind = tracker.submitters.filter { submitter in submitter.cells.contains { $0.status == .overdue } }.count
        let months: [[String: Any]] = (0..<12).map { lastMonth.adding(months: 1 - $0) }.map {
            ["value": $0.description, "label": $0.chineseText, "selected": $0 == tracker.month]
        }
        let values: [String: Any] = [
            "month": tracker.month.description, "monthText": tracker.month.chineseText, "schemeName": tracker.schemeName,
            "source": tracker.source, "forms": forms, "submitters": submitters, "hasSubmitters": !submitters.isEmpty,
            "isOffice": session.api.role == .office, "readsAll": session.api.role == .office || session.api.role == .inspector,
            "behind": behind > 0 ? String(behind) : "", "formCount": forms.count + 1, "months": months,
        ]
        return pages.page("returns", title: "定期报送", session: session, flash: session.flash, values)
    }

    func sendReturnReminders(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let month = form["month"].flatMap(CalendarMonth.init) else { throw PortalError.notFound }
        let sent = try await client.sendReturnReminders(session.api, month: month)
        let text = sent.reminded == 0
            ? "没有需要催报的单位：各单位均已报送，或今天已发过催报短信" : "已向\(sent.reminded)个未报送的单位发送催报短信"
        try await sessions.setFlash(.done(text), for: session.id)
        return Self.redirect("/returns?month=\(month)")
    }

    // MARK: One return

    func returnPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.returnsRoles)
        let (form, period, submitter) = try Self.returnKey(context)
        let sheet = try await client.returnSheet(session.api, form: form, period: period, submitter: submitter)
        return returnForm(session, sheet: sheet, flash: session.flash)
    }

    func submitReturn(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office, .unitAdmin, .countyAdmin])
        let (formID, period, submitter) = try Self.returnKey(context)
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        // The form's columns and fields are the tier's regime, known here; reporting is asked for the
        // whole return (its figures and filled-in rows) only to show it again with an error.
        guard let asked = tree[session.api.tier]?.returns?.form(formID) else { throw PortalError.notFound }
        let typed = Self.returnContent(form, for: asked)
        do {
            _ = try await client.submitReturn(session.api, form: formID, period: period, submitter: submitter, typed)
            try await sessions.setFlash(.done("\(asked.title)已报送"), for: session.id)
            return Self.redirect("/returns?month=\(period.lastMonth)")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            var shown = try await client.returnSheet(session.api, form: formID, period: period, submitter: submitter)
            shown.content = typed
            return returnForm(session, sheet: shown, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)),
                errors: error.fieldMessages)
        }
    }

    private func returnForm(_ session: PortalSession, sheet: ReturnSheet, flash: Flash?, status: HTTPResponse.Status = .ok,
        errors: [String: String] = [:]) -> Response
    {
        let columns = sheet.form.columns
        let blanks = sheet.editable ? Self.blankReturnRows : 0
        let rows = (sheet.content.rows + Array(repeating: Array(repeating: "", count: columns.count), count: blanks)).enumerated()
            .map { index, row -> [String: Any] in
                [
                    "number": index + 1, "error": errors["rows[\(index)]"] ?? "",
                    "cells": row.enumerated().map { column, value in
                        ["name": "cell-\(index)-\(column)", "value": value, "label": "第\(index + 1)行\(columns[min(column, columns.count - 1)])"]
                    },
                ]
            }
        let fields = sheet.form.fields.map { field -> [String: Any] in
            [
                "id": field.id, "label": field.label, "value": sheet.content.fields[field.id] ?? "", "isNumber": field.kind == .number,
                "error": errors[field.id] ?? "",
            ]
        }
        return pages.page("return", title: sheet.form.title, session: session, flash: flash, status: status, [
            "formID": sheet.form.id, "period": sheet.period.description, "periodText": sheet.period.chineseText,
            "submitterID": sheet.submitterID, "submitterName": sheet.submitterName, "tierName": sheet.tierName,
            "due": sheet.dueDate.chineseText, "status": sheet.status.chineseName, "statusClass": Self.returnStatusClass(sheet.status),
            "submittedAt": sheet.submittedAt.map(CivilDate.shanghaiText) ?? "", "submittedBy": sheet.submittedBy ?? "",
            "figures": sheet.figures.map { ["name": $0.name, "value": $0.value] }, "hasFigures": !sheet.figures.isEmpty,
            "columns": columns, "hasColumns": !columns.isEmpty, "rows": rows, "rowCount": rows.count,
            "hasRows": !sheet.content.rows.isEmpty || sheet.editable, "fields": fields, "editable": sheet.editable,
            "prefilled": sheet.form.prefill != nil && sheet.submittedAt == nil,
            "rowsError": errors["rows"] ?? "", "backMonth": sheet.period.lastMonth.description,
        ])
    }

    /// The rows and fields as typed: `cell-<row>-<column>` for each of `rowCount` rows, `field-<id>` for each field.
    static func returnContent(_ form: FormData, for returnForm: ReturnForm) -> ReturnContent {
        let count = min(form["rowCount"].flatMap(Int.init) ?? 0, ReturnContent.rowLimit + blankReturnRows)
        let rows = (0..<count).map { row in (0..<returnForm.columns.count).map { form["cell-\(row)-\($0)"] ?? "" } }
        var fields: [String: String] = [:]
        for field in returnForm.fields { fields[field.id] = form["field-\(field.id)"] ?? "" }
        return ReturnContent(rows: rows, fields: fields)
    }

    static func returnKey(_ context: PortalContext) throws -> (String, ReturnPeriod, String) {
        guard let form = context.parameters.get("form"), let period = context.parameters.get("period").flatMap(ReturnPeriod.init),
            let submitter = context.parameters.get("submitter")
        else { throw PortalError.notFound }
        return (form, period, submitter)
    }

    static func returnStatusClass(_ status: ReturnStatus) -> String {
        switch status {
        case .onTime: "text-bg-success"
        case .late: "text-bg-warning"
        case .pending: "text-bg-secondary"
        case .overdue: "text-bg-danger"
        }
    }
}
