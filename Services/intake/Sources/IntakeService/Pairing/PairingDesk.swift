import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Logging
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// The cadre's month (000 Q14–Q15; 002 §15–16): contacts with the enterprises they are paired with,
/// each enterprise's business status, and the reminder to cadres who are behind. Intake keeps it
/// because it owns the tier's directory, where the pairings are.
struct PairingDesk: Sendable {
    let intake: IntakeWorkflow
    let reminderSchedule: PairingReminderSchedule

    var runtime: PlatformRuntime { intake.runtime }
    var tier: TenantID { intake.tier.id }
    var logger: Logger { intake.logger }

    static let migration = Migration(version: 18, name: "pairing duties", statements: [
        """
        CREATE TABLE pairing_contacts (
            id uuid PRIMARY KEY,
            enterprise_id text NOT NULL,
            cadre_id text NOT NULL,
            contacted_on date NOT NULL,
            way text NOT NULL,
            summary text NOT NULL,
            demands_raised integer NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "CREATE INDEX pairing_contacts_by_date ON pairing_contacts (contacted_on, enterprise_id)",
        // Every report is kept (002 §15: with history); the latest of a month is its status.
        """
        CREATE TABLE business_status_reports (
            id bigserial PRIMARY KEY,
            enterprise_id text NOT NULL,
            month date NOT NULL,
            status text NOT NULL,
            note text,
            reported_by text NOT NULL,
            reported_at timestamptz NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "CREATE INDEX business_status_by_month ON business_status_reports (month, enterprise_id, id)",
        // One reminder per cadre and month, however often the scan or the office asks.
        """
        CREATE TABLE pairing_reminders (
            cadre_id text NOT NULL,
            month date NOT NULL,
            sent_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (cadre_id, month)
        )
        """,
    ])

    /// A difficulty solved on the spot in a contact (000 Q16); NULL when none was.
    static let resolvedOnSpotMigration = Migration(version: 25, name: "difficulties resolved on the spot", statements: [
        "ALTER TABLE pairing_contacts ADD COLUMN resolved_on_spot text"
    ])

    // MARK: Answers

    struct Contact: Codable, ResponseEncodable {
        var id: UUID
        var enterpriseID: String
        var enterpriseName: String
        var cadreID: String
        var cadreName: String
        var contactedOn: CivilDate
        var way: ContactWay
        var wayName: String
        var summary: String
        var demandsRaised: Int
        var resolvedOnSpot: String?
        var recordedAt: Date
    }

    struct StatusReport: Codable {
        var month: CalendarMonth
        var status: BusinessStatus
        var statusName: String
        var note: String?
        var reportedBy: String
        var reportedAt: Date
    }

    struct StatusHistory: Codable, ResponseEncodable {
        var enterpriseID: String
        var reports: [StatusReport]
    }

    struct EnterpriseDuties: Codable {
        var enterpriseID: String
        var name: String
        var contacts: Int
        /// Contacts this month that solved a difficulty on the spot.
        var resolvedOnSpot: Int
        var lastContactOn: CivilDate?
        var status: BusinessStatus?
        var statusName: String?
    }

    struct CadreDuties: Codable {
        var cadreID: String
        var name: String
        var unitID: String?
        var unitName: String?
        var enterprises: [EnterpriseDuties]
        var contacted: Int
        var statusReported: Int
        /// Difficulties solved on the spot this month, over all their enterprises.
        var resolvedOnSpot: Int
        /// Every enterprise has a contact and a status this month.
        var complete: Bool
        var remindedAt: Date?
    }

    struct MonthReport: Codable, ResponseEncodable {
        var tier: String
        var month: CalendarMonth
        /// The day the automatic reminder goes out; nil when it is off.
        var reminderDay: Int?
        var cadres: [CadreDuties]
    }

    struct RemindersSent: Codable, ResponseEncodable {
        var month: CalendarMonth
        var reminded: [String]
    }

    // MARK: Recording

    func recordContact(_ input: PairingContactInput, by principal: Principal) async throws -> Contact {
        try principal.require(tier: tier)
        guard principal.role == .cadre else { throw APIError.forbiddenRole(principal.role) }
        let (date, way) = try input.validated(today: CivilDate(Date()))
        let id = UUID()
        let summary = input.summary.trimmingWhitespace
        let demandsRaised = input.demandsRaised ?? 0
        let resolvedOnSpot = input.resolvedOnSpot.trimmedOrNil
        let enterprise = try await runtime.transaction { connection in
            let enterprise = try await pairedEnterprise(input.enterpriseID, of: principal, on: connection)
            try await connection.execute(
                """
                INSERT INTO pairing_contacts (id, enterprise_id, cadre_id, contacted_on, way, summary, demands_raised, resolved_on_spot)
                VALUES (\(id), \(enterprise.id), \(principal.subject), \(date.description)::date, \(way.rawValue), \(summary), \(demandsRaised),
                    \(resolvedOnSpot))
                """, logger: logger)
            if let resolvedOnSpot {
                let cadre = try await intake.directory.person(principal.subject, on: connection)
                try await publishPairingEvent(EventType.selfResolvedMatter, subject: enterprise.id, SelfResolvedMatterEvent(
                    tenant: tier, contactID: id, enterpriseID: enterprise.id, enterpriseName: enterprise.name, cadreID: principal.subject,
                    unitID: cadre?.unitID ?? principal.unitID, resolvedOn: date, matter: resolvedOnSpot), on: connection)
            }
            return enterprise
        }
        logger.info("Pairing contact recorded", metadata: ["cadre": "\(principal.subject)", "enterprise": "\(enterprise.id)"])
        return Contact(id: id, enterpriseID: enterprise.id, enterpriseName: enterprise.name, cadreID: principal.subject,
            cadreName: principal.name ?? principal.subject, contactedOn: date, way: way, wayName: way.chineseName, summary: summary,
            demandsRaised: demandsRaised, resolvedOnSpot: resolvedOnSpot, recordedAt: Date())
    }

    /// Records the month's status and republishes the enterprise with its recent statuses, so every
    /// service's copy of the profile shows them.
    func reportStatus(_ input: BusinessStatusInput, enterpriseID: String, by principal: Principal) async throws -> StatusHistory {
        try principal.require(tier: tier)
        guard principal.role == .cadre else { throw APIError.forbiddenRole(principal.role) }
        let (month, status) = try input.validated(today: CivilDate(Date()))
        let note = input.note.trimmedOrNil
        let reports = try await runtime.transaction { connection in
            var enterprise = try await pairedEnterprise(enterpriseID, of: principal, on: connection)
            try await connection.execute(
                """
                INSERT INTO business_status_reports (enterprise_id, month, status, note, reported_by)
                VALUES (\(enterprise.id), \(month.firstDay.description)::date, \(status.rawValue), \(note), \(principal.subject))
                """, logger: logger)
            let reports = try await statusReports(of: enterprise.id, on: connection)
            enterprise.businessStatus = Self.profileStatuses(reports)
            try await intake.publish(.enterprise(enterprise), on: connection)
            return reports
        }
        logger.info("Business status reported", metadata: ["enterprise": "\(enterpriseID)", "month": "\(month)"])
        return StatusHistory(enterpriseID: enterpriseID, reports: reports)
    }

    // MARK: Reading

    func statusHistory(of enterpriseID: String, for principal: Principal) async throws -> StatusHistory {
        try principal.require(tier: tier)
        let reports = try await runtime.database.withConnection { connection in
            guard let enterprise = try await intake.directory.enterprise(enterpriseID, on: connection), enterprise.tenant == tier,
                try canRead(enterprise, as: principal)
            else { throw APIError.notFound("企业") }
            return try await statusReports(of: enterpriseID, on: connection)
        }
        return StatusHistory(enterpriseID: enterpriseID, reports: reports)
    }

    /// Contacts of a month, newest first: a cadre's own enterprises, or every one for the office
    /// and the inspector.
    func contacts(in month: CalendarMonth, enterpriseID: String?, for principal: Principal) async throws -> [Contact] {
        try principal.require(tier: tier)
        return try await runtime.database.withConnection { connection in
            let enterprises = try await readableEnterprises(for: principal, on: connection)
            let names = Dictionary(enterprises.map { ($0.id, $0.name) }) { first, _ in first }
            let wanted = enterpriseID.map { names[$0] == nil ? [] : [$0] } ?? Array(names.keys)
            let cadreNames = Dictionary(
                try await intake.directory.people(roles: [.cadre], tenant: tier, on: connection).map { ($0.id, $0.name) }
            ) { first, _ in first }
            let rows = try await connection.query(
                """
                SELECT id, enterprise_id, cadre_id, contacted_on::text, way, summary, demands_raised, resolved_on_spot, recorded_at
                FROM pairing_contacts
                WHERE contacted_on BETWEEN \(month.firstDay.description)::date AND \(month.lastDay.description)::date
                    AND enterprise_id = ANY(\(wanted))
                ORDER BY contacted_on DESC, recorded_at DESC
                """, logger: logger)
            var contacts: [Contact] = []
            for try await (id, enterprise, cadre, date, way, summary, raised, resolved, recordedAt) in rows.decode(
                (UUID, String, String, String, String, String, Int, String?, Date).self)
            {
                guard let date = CivilDate(date), let way = ContactWay(rawValue: way) else { continue }
                contacts.append(Contact(id: id, enterpriseID: enterprise, enterpriseName: names[enterprise] ?? enterprise,
                    cadreID: cadre, cadreName: cadreNames[cadre] ?? cadre, contactedOn: date, way: way, wayName: way.chineseName,
                    summary: summary, demandsRaised: raised, resolvedOnSpot: resolved, recordedAt: recordedAt))
            }
            return contacts
        }
    }

    /// Each cadre's duties in a month: a cadre sees their own; the office and the inspector every
    /// cadre of the tier with an enterprise.
    func monthReport(_ month: CalendarMonth, for principal: Principal) async throws -> MonthReport {
        try principal.require(tier: tier)
        guard [.cadre, .office, .inspector].contains(principal.role) else { throw APIError.forbiddenRole(principal.role) }
        var cadres = try await runtime.database.withConnection { connection in
            try await duties(in: month, on: connection)
        }
        if principal.role == .cadre { cadres = cadres.filter { $0.cadreID == principal.subject } }
        return MonthReport(tier: tier.rawValue, month: month, reminderDay: reminderSchedule.day, cadres: cadres)
    }

    // MARK: Reminders

    /// Reminds every cadre who is behind in `month` and has not been reminded for it: one event on the
    /// tier's pairing topic each, in the transaction that records the reminder, so none is sent twice.
    func sendReminders(for month: CalendarMonth) async throws -> RemindersSent {
        let reminded = try await runtime.transaction { connection -> [String] in
            try await lockTier("pairing reminders", on: connection)
            var reminded: [String] = []
            for cadre in try await duties(in: month, on: connection) where !cadre.complete && cadre.remindedAt == nil {
                try await connection.execute(
                    "INSERT INTO pairing_reminders (cadre_id, month) VALUES (\(cadre.cadreID), \(month.firstDay.description)::date)",
                    logger: logger)
                let event = PairingReminderEvent(tenant: tier, cadreID: cadre.cadreID, month: month,
                    enterprises: cadre.enterprises.count, withoutContact: cadre.enterprises.count - cadre.contacted,
                    withoutStatus: cadre.enterprises.count - cadre.statusReported)
                try await publishPairingEvent(EventType.pairingReminder, subject: cadre.cadreID, event, on: connection)
                reminded.append(cadre.cadreID)
            }
            return reminded
        }
        if !reminded.isEmpty {
            logger.info("Pairing reminders sent", metadata: ["month": "\(month)", "cadres": "\(reminded.count)"])
        }
        return RemindersSent(month: month, reminded: reminded)
    }

    /// The office reminds the cadres who are behind now, before the reminder day.
    func sendReminders(for month: CalendarMonth, by principal: Principal) async throws -> RemindersSent {
        try principal.require(tier: tier, roles: [.office])
        // A reminder is about the month in progress; a past month's duties can no longer be done.
        guard month == CalendarMonth(CivilDate(Date())) else {
            throw APIError.invalid(code: "MONTH_OUT_OF_RANGE", message: "只能提醒本月的包联工作", field: "month")
        }
        return try await sendReminders(for: month)
    }

    // MARK: Pieces

    /// One event on the tier's pairing topic, in the transaction that records what it announces.
    func publishPairingEvent(_ type: String, subject: String, _ data: some Codable & Sendable, on connection: PostgresConnection)
        async throws
    {
        try await Outbox.enqueue([
            try .event(type, topic: Topics.pairing(tier), source: runtime.eventSource, tenant: tier, subject: subject, time: Date(),
                data: data)
        ], on: connection, logger: logger)
    }

    /// Pairs `enterprise` with `cadreID` (nil: back to the pool), publishes it and keeps the change with
    /// why, by whom and, for an allocation, on what basis: every change of pairing goes through here.
    func changePairing(
        of enterprise: DirectoryEnterprise, to cadreID: String?, reason: String, basis: String? = nil, allocationID: UUID? = nil,
        by principal: Principal, on connection: PostgresConnection
    ) async throws {
        var changed = enterprise
        changed.pairedCadreID = cadreID
        try await intake.publish(.enterprise(changed), on: connection)
        try await connection.execute(
            """
            INSERT INTO pairing_changes (enterprise_id, from_cadre, to_cadre, basis, allocation_id, reason, changed_by)
            VALUES (\(enterprise.id), \(enterprise.pairedCadreID), \(cadreID), \(basis), \(allocationID), \(reason), \(principal.subject))
            """, logger: logger)
    }

    /// The lock every change of pairing takes (allocation, approved proposal, deactivation): an
    /// allocation under way cannot give an enterprise to a cadre being deactivated, nor a proposal be
    /// decided twice.
    static let pairingChanges = "pairing changes"

    /// Serialises one kind of work of the tier for the rest of the transaction: a second replica waits
    /// here and then sees what the first recorded.
    func lockTier(_ work: String, on connection: PostgresConnection) async throws {
        try await connection.lockForTransaction("\(work) \(tier)", logger: logger)
    }

    private func pairedEnterprise(_ id: String, of principal: Principal, on connection: PostgresConnection) async throws
        -> DirectoryEnterprise
    {
        guard let enterprise = try await intake.directory.enterprise(id, on: connection), enterprise.tenant == tier,
            enterprise.active
        else { throw APIError.notFound("企业") }
        guard enterprise.pairedCadreID == principal.subject else {
            throw APIError(.forbidden, code: "NOT_PAIRED", message: "您不是该企业的包联干部")
        }
        return enterprise
    }

    func canRead(_ enterprise: DirectoryEnterprise, as principal: Principal) throws -> Bool {
        switch principal.role {
        case .cadre: enterprise.pairedCadreID == principal.subject
        case .enterprise: enterprise.id == principal.enterpriseID
        case .office, .inspector: true
        case .dispatcher, .unitAdmin, .countyAdmin, .system: throw APIError.forbiddenRole(principal.role)
        }
    }

    private func readableEnterprises(for principal: Principal, on connection: PostgresConnection) async throws
        -> [DirectoryEnterprise]
    {
        var enterprises: [DirectoryEnterprise] = []
        for enterprise in try await intake.directory.enterprises(tenant: tier, on: connection) where try canRead(enterprise, as: principal) {
            enterprises.append(enterprise)
        }
        return enterprises
    }

    private func statusReports(of enterpriseID: String, on connection: PostgresConnection) async throws -> [StatusReport] {
        try await Self.statusReports(of: enterpriseID, on: connection, logger: logger)[enterpriseID] ?? []
    }

    /// Every report, newest first, by enterprise: one enterprise's, or all (nil).
    private static func statusReports(of enterpriseID: String?, on connection: PostgresConnection, logger: Logger) async throws
        -> [String: [StatusReport]]
    {
        let rows = try await connection.query(
            """
            SELECT enterprise_id, to_char(month, 'YYYY-MM'), status, note, reported_by, reported_at FROM business_status_reports
            WHERE \(enterpriseID)::text IS NULL OR enterprise_id = \(enterpriseID)
            ORDER BY enterprise_id, month DESC, id DESC
            """, logger: logger)
        var reports: [String: [StatusReport]] = [:]
        for try await (enterprise, month, status, note, reportedBy, reportedAt) in rows.decode(
            (String, String, String, String?, String, Date).self)
        {
            guard let month = CalendarMonth(month), let status = BusinessStatus(rawValue: status) else { continue }
            reports[enterprise, default: []].append(StatusReport(month: month, status: status, statusName: status.chineseName,
                note: note, reportedBy: reportedBy, reportedAt: reportedAt))
        }
        return reports
    }

    /// The profile's monthly statuses: the latest report of each of the last twelve months reported.
    static func profileStatuses(_ reports: [StatusReport]) -> [DirectoryEnterprise.MonthlyStatus] {
        var seen = Set<CalendarMonth>()
        var statuses: [DirectoryEnterprise.MonthlyStatus] = []
        for report in reports where seen.insert(report.month).inserted && statuses.count < 12 {
            let text = report.note.map { "\(report.statusName)：\($0)" } ?? report.statusName
            statuses.append(.init(month: report.month.description, text: text))
        }
        return statuses
    }

    /// The statuses each enterprise's profile carries, for a roster import to keep.
    static func profileStatuses(on connection: PostgresConnection, logger: Logger) async throws
        -> [String: [DirectoryEnterprise.MonthlyStatus]]
    {
        try await statusReports(of: nil, on: connection, logger: logger).mapValues(Self.profileStatuses)
    }

    /// The tier's cadres with their active enterprises, and the units' names: what every month's
    /// duties are counted against, read once however many months are counted.
    struct Roster {
        var cadres: [DirectoryPerson]
        var paired: [String: [DirectoryEnterprise]]
        var unitNames: [String: String]
    }

    func roster(on connection: PostgresConnection) async throws -> Roster {
        let units = try await intake.directory.units(tenant: tier, on: connection)
        let paired = Dictionary(grouping: try await intake.directory.enterprises(tenant: tier, on: connection).filter {
            $0.active && $0.pairedCadreID != nil
        }) { $0.pairedCadreID! }
        return Roster(cadres: try await intake.directory.people(roles: [.cadre], tenant: tier, on: connection), paired: paired,
            unitNames: Dictionary(units.map { ($0.id, $0.name) }) { first, _ in first })
    }

    func duties(in month: CalendarMonth, on connection: PostgresConnection) async throws -> [CadreDuties] {
        try await duties(in: month, roster: try await roster(on: connection), on: connection)
    }

    func duties(in month: CalendarMonth, roster: Roster, on connection: PostgresConnection) async throws -> [CadreDuties] {
        let first = month.firstDay.description
        let last = month.lastDay.description
        var contacts: [String: (count: Int, resolved: Int, last: CivilDate?)] = [:]
        for try await (enterprise, count, resolved, lastDate) in try await connection.query(
            """
            SELECT enterprise_id, count(*)::int, count(resolved_on_spot)::int, max(contacted_on)::text FROM pairing_contacts
            WHERE contacted_on BETWEEN \(first)::date AND \(last)::date GROUP BY enterprise_id
            """, logger: logger
        ).decode((String, Int, Int, String).self) {
            contacts[enterprise] = (count, resolved, CivilDate(lastDate))
        }
        var statuses: [String: BusinessStatus] = [:]
        for try await (enterprise, status) in try await connection.query(
            """
            SELECT DISTINCT ON (enterprise_id) enterprise_id, status FROM business_status_reports
            WHERE month = \(first)::date ORDER BY enterprise_id, id DESC
            """, logger: logger
        ).decode((String, String).self) {
            statuses[enterprise] = BusinessStatus(rawValue: status)
        }
        var reminders: [String: Date] = [:]
        for try await (cadre, sentAt) in try await connection.query(
            "SELECT cadre_id, sent_at FROM pairing_reminders WHERE month = \(first)::date", logger: logger
        ).decode((String, Date).self) {
            reminders[cadre] = sentAt
        }
        return roster.cadres.compactMap { cadre in
            guard let enterprises = roster.paired[cadre.id], !enterprises.isEmpty else { return nil }
            let rows = enterprises.sorted { $0.name < $1.name }.map { enterprise in
                EnterpriseDuties(enterpriseID: enterprise.id, name: enterprise.name, contacts: contacts[enterprise.id]?.count ?? 0,
                    resolvedOnSpot: contacts[enterprise.id]?.resolved ?? 0, lastContactOn: contacts[enterprise.id]?.last, status: statuses[enterprise.id],
                    statusName: statuses[enterprise.id]?.chineseName)
            }
            let contacted = rows.filter { $0.contacts > 0 }.count
            let reported = rows.filter { $0.status != nil }.count
            return CadreDuties(cadreID: cadre.id, name: cadre.name, unitID: cadre.unitID, unitName: cadre.unitID.flatMap { roster.unitNames[$0] },
                enterprises: rows, contacted: contacted, statusReported: reported,
                resolvedOnSpot: rows.reduce(0) { $0 + $1.resolvedOnSpot },
                complete: contacted == rows.count && reported == rows.count, remindedAt: reminders[cadre.id])
        }
    }
}

extension PairingDesk {
    /// Sends the month's reminders on the tier's reminder day and the days after it (a service that
    /// was down on the day catches up), and in a quarter's last month asks the enterprises to
    /// appraise their cadres.
    func sendDueReminders(today: CivilDate) async throws {
        if let month = reminderSchedule.dueMonth(on: today) { _ = try await sendReminders(for: month) }
        if let quarter = reminderSchedule.dueQuarter(on: today) { _ = try await requestAppraisals(for: quarter) }
    }
}

extension Optional {
    /// `flatMap` with an asynchronous transform (a directory lookup by an optional id).
    func asyncFlatMap<Other>(_ transform: (Wrapped) async throws -> Other?) async rethrows -> Other? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
