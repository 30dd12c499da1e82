import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Logging
import Messaging
import OfficeDocuments
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// The periodic returns a tier's office collects (001 §4.7, 004 二（六）): who owes which form for
/// which period, what they sent, and the reminders for what is missing.
struct ReturnsDesk: Sendable {
    let reporting: ReportingWorkflow

    var runtime: PlatformRuntime { reporting.runtime }
    var logger: Logger { runtime.logger }
    static let officeID = "office"

    // MARK: Access

    /// The tier asked for and its regime: an office or inspector reads a tier of its subtree, a unit
    /// administrator its own tier.
    private func scheme(for principal: Principal, tier requested: String?) throws -> (Tenant, ReturnScheme) {
        let id: TenantID
        switch principal.role {
        case .office, .inspector:
            id = try reporting.tiers(for: principal, requested: requested)[0]
        case .unitAdmin, .countyAdmin:
            guard principal.unitID != nil else { throw APIError.forbiddenRole(principal.role) }
            if let requested, requested != principal.tenant.rawValue { throw APIError.forbiddenTenant }
            id = principal.tenant
        default:
            throw APIError.forbiddenRole(principal.role)
        }
        guard let tenant = reporting.tree[id] else { throw APIError.unknownTenant(id.rawValue) }
        guard let scheme = tenant.returns else {
            throw APIError(.notFound, code: "NO_RETURN_SCHEME", message: "\(tenant.name)未设置定期报送制度")
        }
        return (tenant, scheme)
    }

    private func officeName(_ tenant: Tenant) -> String {
        tenant.name + Role.office.chineseName(in: reporting.rules.procedures[tenant.procedure] ?? .shiyan)
    }

    // MARK: Tracker

    /// `month=YYYY-MM` (default: last month): the returns on that month, and on its quarter when it
    /// ends one.
    func tracker(for principal: Principal, parameters: Parameters, today: CivilDate = CivilDate(Date())) async throws -> ReturnsTracker {
        let (tenant, scheme) = try scheme(for: principal, tier: parameters.get("tier"))
        let month = try parameters.get("month").map { text in
            guard let month = CalendarMonth(text) else {
                throw APIError.badRequest(code: "INVALID_PERIOD", message: "报送月份应为YYYY-MM")
            }
            return month
        } ?? CalendarMonth(today).adding(months: -1)
        return try await runtime.database.withConnection { connection in
            var tracker = try await self.tracker(of: tenant, scheme: scheme, month: month, today: today, on: connection)
            if principal.role.actsForUnit { tracker.submitters.removeAll { $0.id != principal.unitID } }
            return tracker
        }
    }

    func tracker(of tenant: Tenant, scheme: ReturnScheme, month: CalendarMonth, today: CivilDate, on connection: PostgresConnection)
        async throws -> ReturnsTracker
    {
        let forms = Self.forms(of: scheme, on: month)
        let owners = try await submitters(of: tenant, pairingGroups: forms.contains { $0.form.submitter == .pairingUnits }, on: connection)
        let submitted = try await submissions(tier: tenant.id, periods: Set(forms.map(\.period)), on: connection)
        let reminded = try await lastReminders(tier: tenant.id, month: month, on: connection)
        let submitters = ([(Self.officeID, officeName(tenant), ReturnSubmitter.office)] + owners.units.map { ($0.id, $0.name, .units) })
            .compactMap { id, name, kind -> ReturnsTracker.Submitter? in
                let owed = forms.filter { $0.form.submitter == kind || (kind == .units && $0.form.submitter == .pairingUnits && owners.pairing.contains(id)) }
                guard !owed.isEmpty else { return nil }
                let cells = owed.map { tracked in
                    let sent = submitted[Key(formID: tracked.form.id, period: tracked.period, submitterID: id)]
                    return ReturnsTracker.Cell(formID: tracked.form.id, period: tracked.period,
                        status: ReturnStatus(submittedOn: sent.map { CivilDate($0.firstAt) }, due: tracked.dueDate, today: today),
                        submittedAt: sent?.lastAt, submittedBy: sent?.by)
                }
                return .init(id: id, name: name, cells: cells, lastRemindedOn: reminded[id])
            }
        return ReturnsTracker(tier: tenant.id, tierName: tenant.name, schemeName: scheme.name, source: scheme.source, month: month,
            forms: forms, submitters: submitters)
    }

    /// The forms of a scheme on `month`: the monthly ones, and the quarterly ones when the month ends a quarter.
    static func forms(of scheme: ReturnScheme, on month: CalendarMonth) -> [ReturnsTracker.TrackedForm] {
        scheme.forms.compactMap { form in
            form.period(reportedIn: month).map { .init(form: form, period: $0, dueDate: form.dueDate(of: $0)) }
        }
    }

    /// The tier's active units, and, when a form asks for them, those whose cadres are paired with
    /// enterprises (their 包联工作组).
    private func submitters(of tenant: Tenant, pairingGroups: Bool, on connection: PostgresConnection) async throws
        -> (units: [DirectoryUnit], pairing: Set<String>)
    {
        let units = try await reporting.directory.units(tenant: tenant.id, on: connection).filter(\.active)
        guard pairingGroups else { return (units, []) }
        let cadres = try await reporting.directory.people(roles: [.cadre], tenant: tenant.id, on: connection)
        let pairedCadres = Set(try await reporting.directory.enterprises(tenant: tenant.id, on: connection).filter(\.active)
            .compactMap(\.pairedCadreID))
        let pairing = Set(cadres.filter { pairedCadres.contains($0.id) }.compactMap(\.unitID))
        return (units, pairing)
    }

    // MARK: Sheets

    struct Key: Hashable {
        var formID: String
        var period: ReturnPeriod
        var submitterID: String
    }

    struct Submission {
        var content: ReturnContent
        var firstAt: Date
        var lastAt: Date
        var by: String
    }

    func sheet(for principal: Principal, tier: String?, key: Key, today: CivilDate = CivilDate(Date())) async throws -> ReturnSheet {
        let (tenant, form, submitterName) = try await locate(key, for: principal, tier: tier, submitting: false)
        let due = form.dueDate(of: key.period)
        return try await runtime.database.withConnection { connection in
            let sent = try await submissions(tier: tenant.id, periods: [key.period], on: connection)[key]
            let content = if let sent { sent.content } else {
                ReturnContent(rows: try await prefill(form, key: key, tier: tenant.id, on: connection), fields: [:])
            }
            return ReturnSheet(tier: tenant.id, tierName: tenant.name, form: form, period: key.period, dueDate: due,
                submitterID: key.submitterID, submitterName: submitterName,
                status: ReturnStatus(submittedOn: sent.map { CivilDate($0.firstAt) }, due: due, today: today),
                figures: try await figures(form, key: key, tier: tenant.id, on: connection), content: content,
                submittedAt: sent?.lastAt, submittedBy: sent?.by, editable: Self.submits(principal, key: key, tier: tenant.id))
        }
    }

    func submit(_ content: ReturnContent, by principal: Principal, tier: String?, key: Key, today: CivilDate = CivilDate(Date()))
        async throws -> ReturnSheet
    {
        let (tenant, form, _) = try await locate(key, for: principal, tier: tier, submitting: true)
        guard key.period.firstDay <= today else {
            throw APIError.badRequest(code: "PERIOD_NOT_STARTED", message: "\(key.period.chineseText)尚未开始，不能报送")
        }
        let checked: ReturnContent
        do { checked = try content.validated(for: form) } catch { throw APIError(error) }
        let body = String(decoding: try JSONEncoder().encode(checked), as: UTF8.self)
        try await runtime.database.withConnection { connection in
            try await connection.execute(
                """
                INSERT INTO return_submissions (tenant, form_id, period, submitter_id, content, submitted_by)
                VALUES (\(tenant.id.rawValue), \(form.id), \(key.period.description), \(key.submitterID), \(body)::jsonb,
                    \(principal.name ?? principal.subject))
                ON CONFLICT (tenant, form_id, period, submitter_id) DO UPDATE SET
                    content = EXCLUDED.content, submitted_by = EXCLUDED.submitted_by, submitted_at = clock_timestamp()
                """, logger: logger)
        }
        logger.info("Return submitted", metadata: [
            "tier": "\(tenant.id)", "form": "\(form.id)", "period": "\(key.period)", "submitter": "\(key.submitterID)",
        ])
        return try await sheet(for: principal, tier: tier, key: key, today: today)
    }

    /// Whether the principal is the submitter: the unit's own administrator, or the tier's office.
    static func submits(_ principal: Principal, key: Key, tier: TenantID) -> Bool {
        guard principal.tenant == tier else { return false }
        return key.submitterID == officeID ? principal.role == .office : principal.role.actsForUnit && principal.unitID == key.submitterID
    }

    /// The tier, the form and the submitter's name, once the principal may see (or send) the return.
    private func locate(_ key: Key, for principal: Principal, tier: String?, submitting: Bool) async throws
        -> (Tenant, ReturnForm, String)
    {
        let (tenant, scheme) = try scheme(for: principal, tier: tier)
        guard let form = scheme.form(key.formID) else {
            throw APIError(.notFound, code: "UNKNOWN_RETURN_FORM", message: "没有这张报送表单")
        }
        guard key.period.cadence == form.cadence else {
            throw APIError.badRequest(code: "INVALID_PERIOD", message: "\(form.title)按\(form.cadence == .monthly ? "月" : "季度")报送")
        }
        if submitting || principal.role.actsForUnit {
            guard Self.submits(principal, key: key, tier: tenant.id) else { throw APIError.forbiddenRole(principal.role) }
        }
        if key.submitterID == Self.officeID {
            guard form.submitter == .office else { throw APIError(.notFound, code: "UNKNOWN_SUBMITTER", message: "本表单由各单位报送") }
            return (tenant, form, officeName(tenant))
        }
        guard form.submitter != .office else { throw APIError(.notFound, code: "UNKNOWN_SUBMITTER", message: "本表单由本级办公室报送") }
        let unit = try await runtime.database.withConnection { try await reporting.directory.unit(key.submitterID, on: $0) }
        guard let unit, unit.tenant == tenant.id else {
            throw APIError(.notFound, code: "UNKNOWN_SUBMITTER", message: "本级没有这个单位")
        }
        return (tenant, form, unit.name)
    }

    private func submissions(tier: TenantID, periods: Set<ReturnPeriod>, on connection: PostgresConnection) async throws
        -> [Key: Submission]
    {
        let rows = try await connection.query(
            """
            SELECT form_id, period, submitter_id, content::text, first_submitted_at, submitted_at, submitted_by
            FROM return_submissions WHERE tenant = \(tier.rawValue) AND period = ANY(\(periods.map(\.description)))
            """, logger: logger)
        var result: [Key: Submission] = [:]
        for try await (form, period, submitter, body, first, last, by) in rows.decode((String, String, String, String, Date, Date, String).self) {
            guard let period = ReturnPeriod(period) else { continue }
            result[Key(formID: form, period: period, submitterID: submitter)] = Submission(
                content: try JSONDecoder().decode(ReturnContent.self, from: Data(body.utf8)), firstAt: first, lastAt: last, by: by)
        }
        return result
    }

    // MARK: What the platform fills in

    private func figures(_ form: ReturnForm, key: Key, tier: TenantID, on connection: PostgresConnection) async throws -> [ReturnSheet.Figure] {
        guard !form.figures.isEmpty else { return [] }
        let isOffice = key.submitterID == Self.officeID
        let scope = FiguresQuery.Scope(key: isOffice ? tier.rawValue : key.submitterID, name: key.submitterID)
        guard let figures = try await reporting.query.figures(of: isOffice ? .tier : .unit, scopes: [scope], tenants: [tier],
            from: key.period.firstDay, to: key.period.lastDay, on: connection).first
        else { return [] }
        return form.figures.map { .init(name: $0.chineseName, value: Self.value(of: $0, in: figures)) }
    }

    static func value(of figure: ReturnFigure, in figures: Figures) -> String {
        switch figure {
        case .received: String(figures.received)
        case .closed: String(figures.closed)
        case .completionRate: figures.completionRate.printed
        case .onTimeReceiptRate: figures.onTimeReceiptRate.printed
        case .satisfactionRate: figures.satisfactionRate.printed
        case .overdueNow: String(figures.overdueNow)
        case .escalated: String(figures.escalated)
        }
    }

    /// The rows the platform knows for the form's list, in the form's columns.
    private func prefill(_ form: ReturnForm, key: Key, tier: TenantID, on connection: PostgresConnection) async throws -> [[String]] {
        guard let prefill = form.prefill else { return [] }
        let from = key.period.firstDay.startInstant
        let until = key.period.lastDay.adding(days: 1).startInstant
        let query: PostgresQuery
        switch prefill {
        case .unitClosedDemands:
            query = """
                SELECT registration_number, enterprise_name, category, state, closed_at FROM demand_facts
                WHERE tenant = \(tier.rawValue) AND lead_unit_id = \(key.submitterID) AND state = 'closed'
                    AND closed_at >= \(from) AND closed_at < \(until) ORDER BY closed_at
                """
        case .unitOpenDemands:
            query = """
                SELECT registration_number, enterprise_name, category, state, NULL::timestamptz FROM demand_facts
                WHERE tenant = \(tier.rawValue) AND lead_unit_id = \(key.submitterID) AND assigned_at < \(until)
                    AND state NOT IN ('closed', 'escalated', 'refused') ORDER BY assigned_at
                """
        case .pairedEnterpriseDemands:
            let cadres = try await reporting.directory.people(roles: [.cadre], tenant: tier, unitIDs: [key.submitterID], on: connection)
            query = """
                SELECT registration_number, enterprise_name, category, state, NULL::timestamptz FROM demand_facts
                WHERE tenant = \(tier.rawValue) AND paired_cadre_id = ANY(\(cadres.map(\.id)))
                    AND received_at >= \(from) AND received_at < \(until) ORDER BY received_at
                """
        case .tierEscalatedDemands:
            query = """
                SELECT registration_number, enterprise_name, category, state, NULL::timestamptz FROM demand_facts
                WHERE tenant = \(tier.rawValue) AND state = 'escalated'
                    AND received_at >= \(from) AND received_at < \(until) ORDER BY received_at
                """
        }
        var rows: [[String]] = []
        let decoded = try await connection.query(query, logger: logger).decode((String?, String?, String?, String, Date?).self)
        for try await (number, enterprise, category, state, closedAt) in decoded {
            let categoryName = category.flatMap(DemandCategory.init(rawValue:))?.chineseName ?? ""
            let stateName = DemandState(rawValue: state)?.chineseName ?? state
            let row: [String] = switch prefill {
            case .unitClosedDemands: [number ?? "", enterprise ?? "", categoryName, closedAt.map { CivilDate($0).description } ?? "", ""]
            case .unitOpenDemands, .pairedEnterpriseDemands: [number ?? "", enterprise ?? "", stateName, ""]
            case .tierEscalatedDemands: [number ?? "", enterprise ?? "", categoryName]
            }
            rows.append(row)
        }
        guard prefill == .unitClosedDemands else { return rows }
        // 000 Q16: what the unit's cadres solved on the spot is self-resolved too; by date with the demands.
        let matters = try await SelfResolvedMatters.rows(tier: tier, unitID: key.submitterID, from: key.period.firstDay,
            until: key.period.lastDay.adding(days: 1), on: connection, logger: logger)
        return (rows + matters).enumerated().sorted { ($0.element[3], $0.offset) < ($1.element[3], $1.offset) }.map(\.element)
    }

    // MARK: Summary tables

    /// Every submitter's rows of one form and period in one table, with the submitter first (汇总表).
    func summaryTable(for principal: Principal, tier: String?, formID: String, period: ReturnPeriod) async throws -> ReportTable {
        guard principal.role == .office || principal.role == .inspector else { throw APIError.forbiddenRole(principal.role) }
        let (tenant, scheme) = try scheme(for: principal, tier: tier)
        guard let form = scheme.form(formID), form.cadence == period.cadence else {
            throw APIError(.notFound, code: "UNKNOWN_RETURN_FORM", message: "没有这张报送表单")
        }
        return try await runtime.database.withConnection { connection in
            let names = Dictionary(try await reporting.directory.units(tenant: tenant.id, on: connection).map { ($0.id, $0.name) }) { $1 }
            let sent = try await submissions(tier: tenant.id, periods: [period], on: connection)
                .filter { $0.key.formID == formID }.sorted { $0.key.submitterID < $1.key.submitterID }
            var rows: [[ReportTable.Cell]] = []
            for (key, submission) in sent {
                let name: String = key.submitterID == Self.officeID ? officeName(tenant) : names[key.submitterID] ?? key.submitterID
                let date = ReportTable.Cell.text(CivilDate(submission.firstAt).description)
                for row in submission.content.rows { rows.append([.text(name), date] + row.map(ReportTable.Cell.text)) }
                // A field's label and text take the first two columns after the unit and the date.
                for field in form.fields {
                    guard let value = submission.content.fields[field.id] else { continue }
                    rows.append([.text(name), date, .text(field.label), .text(value)])
                }
            }
            let header = ["填报单位", "报送日期"] + (form.columns.count < 2 ? ["项目", "内容"] : form.columns)
            return ReportTable(title: "\(tenant.name)\(period.chineseText)\(form.title)", header: header,
                rows: rows.map { $0 + Array(repeating: .empty, count: max(0, header.count - $0.count)) })
        }
    }

    // MARK: Reminders

    /// Texts every submitter still missing a return on `month` who was not texted today; returns how many.
    func sendReminders(for principal: Principal, parameters: Parameters, today: CivilDate = CivilDate(Date())) async throws -> Int {
        guard principal.role == .office else { throw APIError.forbiddenRole(principal.role) }
        let tracker = try await tracker(for: principal, parameters: parameters, today: today)
        guard let tenant = reporting.tree[tracker.tier], tracker.tier == principal.tenant else { throw APIError.forbiddenTenant }
        return try await remind(tenant, tracker: tracker, formIDs: nil, today: today)
    }

    /// The automatic reminder: on the day `reminderLeadDays` before a form is due, every tier's
    /// submitters still missing it.
    func sendDueReminders(today: CivilDate) async throws -> Int {
        var sent = 0
        for tenant in reporting.tree.tenants {
            guard let scheme = tenant.returns else { continue }
            for (month, formIDs) in scheme.remindersDue(on: today) {
                let tracker = try await runtime.database.withConnection {
                    try await self.tracker(of: tenant, scheme: scheme, month: month, today: today, on: $0)
                }
                sent += try await remind(tenant, tracker: tracker, formIDs: Set(formIDs), today: today)
            }
        }
        return sent
    }

    private func remind(_ tenant: Tenant, tracker: ReturnsTracker, formIDs: Set<String>?, today: CivilDate) async throws -> Int {
        let titles = Dictionary(tracker.forms.map { ($0.form.id, ($0.form.title, $0.dueDate)) }) { $1 }
        return try await runtime.transaction { connection in
            try await connection.lockForTransaction("returns \(tenant.id)", logger: logger)
            var reminded = 0
            for submitter in tracker.submitters {
                let missing = submitter.cells.filter { $0.status.isMissing && (formIDs?.contains($0.formID) ?? true) }
                guard let dueDate = missing.compactMap({ titles[$0.formID]?.1 }).min() else { continue }
                let inserted = try await connection.query(
                    """
                    INSERT INTO return_reminders (tenant, month, submitter_id, sent_on, forms)
                    VALUES (\(tenant.id.rawValue), \(tracker.month.description), \(submitter.id), \(today.description)::date,
                        \(missing.map(\.formID)))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: logger)
                guard try await inserted.collect().count == 1 else { continue }
                let people = submitter.id == Self.officeID
                    ? try await reporting.directory.people(roles: [.office], tenant: tenant.id, on: connection)
                    : try await reporting.directory.people(roles: [.unitAdmin, .countyAdmin], tenant: tenant.id, unitIDs: [submitter.id],
                        on: connection)
                let period = missing.map(\.period).min() ?? .month(tracker.month)
                let event = ReturnReminderEvent(tenant: tenant.id, submitterID: submitter.id, personIDs: people.map(\.id), period: period,
                    formTitles: missing.compactMap { titles[$0.formID]?.0 }, dueDate: dueDate)
                try await Outbox.enqueue([
                    try .event(EventType.returnReminder, topic: Topics.reports(tenant.id), source: runtime.eventSource, tenant: tenant.id,
                        subject: "\(submitter.id)/\(tracker.month)", time: Date(), data: event)
                ], on: connection, logger: logger)
                reminded += 1
            }
            logger.info("Return reminders queued", metadata: ["tier": "\(tenant.id)", "month": "\(tracker.month)", "count": "\(reminded)"])
            return reminded
        }
    }

    private func lastReminders(tier: TenantID, month: CalendarMonth, on connection: PostgresConnection) async throws -> [String: CivilDate] {
        let rows = try await connection.query(
            """
            SELECT submitter_id, max(sent_on)::text FROM return_reminders
            WHERE tenant = \(tier.rawValue) AND month = \(month.description) GROUP BY submitter_id
            """, logger: logger)
        var result: [String: CivilDate] = [:]
        for try await (submitter, day) in rows.decode((String, String).self) { result[submitter] = CivilDate(day) }
        return result
    }
}
