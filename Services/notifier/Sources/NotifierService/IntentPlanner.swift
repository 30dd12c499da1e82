import DemandDomain
import DemandStore
import Foundation
import InputValidation
import Logging
import Messaging
import Metrics
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy

/// States of one SMS to one person.
enum SMSState: String, Codable, Sendable {
    /// Waiting to be sent (perhaps until morning, or for a retry).
    case pending
    /// Handed to the sender; what the gateway did is not recorded yet.
    case inFlight
    /// The gateway accepted it.
    case accepted
    /// The phone network delivered it.
    case delivered
    /// It will not be delivered (gateway refusal, failed report, retries used up).
    case failed
    /// The person has no valid mainland mobile number in the directory.
    case unreachable
}

/// Turns status events into SMS intents, in the same transaction as the event's inbox row: an
/// event is then planned exactly once, and each (event, rule, recipient) has one intent.
struct IntentPlanner: Sendable {
    let rules: RuleBook
    let tierRules: TierRules
    let directory: DirectoryStore
    let quietHours: @Sendable (TenantID) -> QuietHours?
    /// Events older than this get no SMS: a text about last week's step helps nobody (a new
    /// notifier reading a topic from its beginning would otherwise send them all).
    let maximumEventAge: Duration
    /// How long an event may wait for the directory to name its recipients (at start-up the
    /// directory topics may be read a moment after the first status events).
    let directoryGrace: Duration
    let logger: Logger
    let stale = Counter(label: "sms_stale_events_total")
    let unreachable = Counter(label: "sms_unreachable_recipients_total")
    let deferred = Counter(label: "sms_deferred_total")

    /// A recipient is not in the directory yet; the consumer tries the event again shortly.
    struct DirectoryNotReady: Error, CustomStringConvertible {
        var kind: RecipientKind
        var description: String { "no \(kind.rawValue) in the directory yet" }
    }

    struct Recipient: Hashable, Sendable {
        var key: String
        var name: String?
        var phone: MobileNumber?

        init(key: String, name: String?, phone: MobileNumber?) {
            self.key = key
            self.name = name
            self.phone = phone
        }

        init(_ person: DirectoryPerson) {
            self.init(key: "person:\(person.id)", name: person.name, phone: person.phone)
        }
    }

    /// Whom to record when the directory does not know a recipient: within the grace period the event
    /// waits for the directory (thrown); after it, an unreachable placeholder, so the event is not
    /// retried for ever.
    private func unknownRecipient(_ kind: RecipientKind, eventTime: Date) throws -> Recipient {
        guard Date().timeIntervalSince(eventTime) > TimeInterval(directoryGrace.components.seconds) else {
            throw DirectoryNotReady(kind: kind)
        }
        return Recipient(key: "unknown:\(kind.rawValue)", name: nil, phone: nil)
    }

    /// Records the event's SMS intents, every rule's and recipient's: in one statement, or within a
    /// consumer batch (``run(on:_:)``) with the other events' intents when the batch is planned.
    func plan(_ event: IncomingEvent, on connection: PostgresConnection) async throws {
        guard Date().timeIntervalSince(event.header.time) < TimeInterval(maximumEventAge.components.seconds) else {
            stale.increment()
            return
        }
        let planned = try await intents(for: event, on: connection)
        guard !planned.isEmpty else { return }
        // Each intent keeps the trace of its own event, so that its SMS continues that trace.
        let trace = TraceHeaders.current()
        let traceJSON = trace.isEmpty ? "" : String(decoding: try JSONEncoder().encode(trace), as: UTF8.self)
        let held = planned.map { HeldIntent(sms: $0, eventID: event.header.id, traceJSON: traceJSON) }
        if let batch = PlanningBatch.current(on: connection) {
            batch.hold(held)
        } else {
            try await store(held, on: connection)
        }
    }

    /// The SMS the tier's rules ask for on this event.
    private func intents(for event: IncomingEvent, on connection: PostgresConnection) async throws -> [PlannedSMS] {
        var planned: [PlannedSMS] = []
        switch event.header.type {
        case EventType.demandStatus:
            let status = try event.decode(DemandStatusEvent.self).data
            let matching = rules.rules(for: status.demand.tenant, trigger: .transition, transition: status.transition)
            for compiled in matching {
                planned += try await demandIntents(compiled, eventTime: event.header.time, demand: status.demand,
                    transition: status.transition, openDeadlines: status.openDeadlines, alert: nil, on: connection)
            }
        case EventType.deadlineAlert:
            let alert = try event.decode(DeadlineAlertEvent.self).data
            let trigger: SMSRule.Trigger = alert.kind == .overdue ? .overdue : .dueSoon
            for compiled in rules.rules(for: alert.demand.tenant, trigger: trigger, step: alert.step) {
                planned += try await demandIntents(compiled, eventTime: event.header.time, demand: alert.demand,
                    transition: nil, openDeadlines: [], alert: alert, on: connection)
            }
        case EventType.promiseDue:
            let promise = try event.decode(PromiseDueEvent.self).data
            for compiled in rules.rules(for: promise.demand.tenant, trigger: .promiseDue) {
                planned += try await demandIntents(compiled, eventTime: event.header.time, demand: promise.demand,
                    transition: nil, openDeadlines: [], alert: nil, extraValues: ["dueDay": promise.plannedCompletion.chineseText],
                    on: connection)
            }
        case EventType.pairingReminder:
            let reminder = try event.decode(PairingReminderEvent.self).data
            planned += try await planForPeople([.pairedCadre: [reminder.cadreID]], trigger: .pairingReminder, tenant: reminder.tenant,
                values: [
                    "month": reminder.month.chineseText, "enterprises": String(reminder.enterprises),
                    "pending": MessageValues.pendingDuties(withoutContact: reminder.withoutContact, withoutStatus: reminder.withoutStatus),
                ], eventTime: event.header.time, on: connection)
        case EventType.appraisalRequest:
            let request = try event.decode(AppraisalRequestEvent.self).data
            planned += try await planForPeople([.enterpriseContact: [DirectoryPerson.liaisonID(of: request.enterpriseID)]],
                trigger: .appraisalRequest, tenant: request.tenant,
                values: ["cadre": request.cadreName, "quarter": request.quarter.chineseText],
                eventTime: event.header.time, on: connection)
        case EventType.pairingAssigned:
            let assigned = try event.decode(PairingAssignedEvent.self).data
            planned += try await planForPeople(
                [.enterpriseContact: [DirectoryPerson.liaisonID(of: assigned.enterpriseID)], .pairedCadre: [assigned.cadreID]],
                trigger: .pairingAssigned, tenant: assigned.tenant,
                values: ["cadre": assigned.cadreName + (assigned.unitName.map { "（\($0)）" } ?? ""), "phone": assigned.cadrePhone ?? "",
                    "enterprise": assigned.enterpriseName],
                eventTime: event.header.time, on: connection)
        case EventType.returnReminder:
            let reminder = try event.decode(ReturnReminderEvent.self).data
            planned += try await planForPeople([.returnSubmitters: reminder.personIDs], trigger: .returnReminder, tenant: reminder.tenant,
                values: ["period": reminder.period.chineseText, "forms": MessageValues.formList(reminder.formTitles),
                    "dueDay": reminder.dueDate.chineseText],
                eventTime: event.header.time, on: connection)
        case EventType.briefingIssued:
            let briefing = try event.decode(BriefingIssuedEvent.self).data
            let leaders = briefing.recipients.map { Recipient(key: "leader:\($0.phone.digits)", name: $0.name, phone: $0.phone) }
            planned += namedIntents([.briefingRecipients: leaders], trigger: .briefingIssued, tenant: briefing.tenant, values: [
                "month": briefing.month.chineseText, "received": String(briefing.received), "closed": String(briefing.closed),
                "completion": briefing.completionRate, "satisfaction": briefing.satisfactionRate, "overdue": String(briefing.overdueNow),
            ])
        case EventType.accountApplicationDecided:
            let decided = try event.decode(AccountApplicationDecidedEvent.self).data
            let applicant = Recipient(key: "applicant:\(decided.applicationID)", name: decided.contactName, phone: decided.contactPhone)
            planned += namedIntents([.applicant: [applicant]], trigger: .accountApplicationDecided, tenant: decided.tenant, values: [
                "enterprise": decided.enterpriseName,
                "decision": decided.approved ? "已通过，请以企业全称和申请时设置的密码登录平台" : "未通过：\(decided.reason ?? "")",
            ])
        case EventType.promptLetterIssued:
            let letter = try event.decode(PromptLetterIssuedEvent.self).data
            let admins = try await directoryPeople(roles: [.unitAdmin, .countyAdmin], unitIDs: [letter.unitID], on: connection)
            planned += namedIntents([.addressedUnitAdmins: admins.map(Recipient.init)], trigger: .promptLetter, tenant: letter.tenant, values: [
                "letter": letter.number, "note": letter.subject, "dueDay": letter.replyBy.chineseText,
            ])
        case EventType.unitInterviewRecorded:
            let interview = try event.decode(UnitInterviewRecordedEvent.self).data
            let admins = try await directoryPeople(roles: [.unitAdmin, .countyAdmin], unitIDs: [interview.unitID], on: connection)
            planned += namedIntents([.addressedUnitAdmins: admins.map(Recipient.init)], trigger: .unitInterview, tenant: interview.tenant,
                values: ["note": interview.decision, "meetingDue": interview.dueOn.map { "，请于\($0.chineseText)前整改落实" } ?? ""])
        case EventType.noticePublished:
            let notice = try event.decode(NoticePublishedEvent.self).data
            let liaisons = try await directoryPeople(roles: [.enterprise], tenant: notice.tenant, on: connection)
            planned += namedIntents([.tierEnterprises: liaisons.map(Recipient.init)], trigger: .noticePublished, tenant: notice.tenant,
                values: ["note": notice.title])
        default:
            throw EventRejection(code: "UNKNOWN_EVENT_TYPE", reason: "the notifier does not know \(event.header.type)")
        }
        return planned
    }

    /// The SMS for the people a pairing or returns event names (the cadre reminded, the liaison asked for an
    /// appraisal, both of them for a new pairing, a unit's administrators), each rule for the trigger
    /// its own recipients among them.
    private func planForPeople(
        _ people: [RecipientKind: [String]], trigger: SMSRule.Trigger, tenant: TenantID, values: [String: String],
        eventTime: Date, on connection: PostgresConnection
    ) async throws -> [PlannedSMS] {
        // Only the kinds the tier's rules text: a person no rule names need not be in the directory yet.
        let texted = Set(rules.rules(for: tenant, trigger: trigger).flatMap(\.rule.recipients))
        var resolved: [RecipientKind: [Recipient]] = [:]
        for (kind, ids) in people where texted.contains(kind) {
            for personID in ids {
                let person = try await directoryPerson(personID, on: connection)
                resolved[kind, default: []].append(try person.map(Recipient.init) ?? unknownRecipient(kind, eventTime: eventTime))
            }
        }
        return namedIntents(resolved, trigger: trigger, tenant: tenant, values: values)
    }

    /// The SMS for the recipients an event names, each rule for the trigger its own kinds among them.
    private func namedIntents(
        _ recipients: [RecipientKind: [Recipient]], trigger: SMSRule.Trigger, tenant: TenantID, values: [String: String]
    ) -> [PlannedSMS] {
        let values = MessageValues(tierRules: tierRules).tierValues(tenant).merging(values) { $1 }
        return rules.rules(for: tenant, trigger: trigger).flatMap { compiled in
            let named = compiled.rule.recipients.flatMap { recipients[$0] ?? [] }
            return intents(compiled.template.render(values), for: named, rule: compiled.rule, tenant: tenant, demandID: nil)
        }
    }

    /// The SMS a rule asks for about a demand: its text, to the recipients the directory names.
    private func demandIntents(
        _ compiled: RuleBook.CompiledRule,
        eventTime: Date,
        demand: DemandSummary,
        transition: Transition?,
        openDeadlines: [StepDeadline],
        alert: DeadlineAlertEvent?,
        extraValues: [String: String] = [:],
        on connection: PostgresConnection
    ) async throws -> [PlannedSMS] {
        let values = MessageValues(tierRules: tierRules).values(demand: demand, transition: transition,
            openDeadlines: openDeadlines, alert: alert).merging(extraValues) { $1 }
        let text = compiled.template.render(values)
        var recipients: [Recipient] = []
        for kind in compiled.rule.recipients {
            // nil: the demand has no such party (no cooperating unit, no paired cadre); nobody to text.
            guard var resolved = try await resolve(kind, demand: demand, step: alert?.step, on: connection) else { continue }
            if resolved.isEmpty { resolved = [try unknownRecipient(kind, eventTime: eventTime)] }
            for recipient in resolved where !recipients.contains(where: { $0.key == recipient.key }) {
                recipients.append(recipient)
            }
        }
        return intents(text, for: recipients, rule: compiled.rule, tenant: demand.tenant, demandID: demand.id)
    }

    /// One SMS to one person, planned for an event and not yet stored.
    struct PlannedSMS: Sendable {
        var rule: SMSRule
        var recipient: Recipient
        var text: String
        var tenant: TenantID
        var demandID: UUID?
        var state: SMSState
        var notBefore: Date
    }

    /// The error an unreachable intent shows the office.
    static let unreachableReason = "没有有效的大陆手机号码"

    /// One intent per recipient; one without a valid mobile number is marked unreachable.
    private func intents(_ text: String, for recipients: [Recipient], rule: SMSRule, tenant: TenantID, demandID: UUID?) -> [PlannedSMS] {
        let now = Date()
        let holdUntil = rule.urgent == true ? nil : quietHours(tenant)?.end(ifQuietAt: now)
        return recipients.map { recipient in
            let state: SMSState = recipient.phone == nil ? .unreachable : .pending
            if state == .unreachable {
                unreachable.increment()
                logger.warning("SMS recipient has no valid mobile number", metadata: [
                    "recipient": "\(recipient.key)", "rule": "\(rule.id)", "demand": "\(demandID?.uuidString ?? "-")",
                ])
            } else if holdUntil != nil {
                deferred.increment()
            }
            return PlannedSMS(rule: rule, recipient: recipient, text: text, tenant: tenant, demandID: demandID, state: state,
                notBefore: holdUntil ?? now)
        }
    }

    /// An intent planned for an event, with the event and the trace it was planned in.
    struct HeldIntent: Sendable {
        var sms: PlannedSMS
        var eventID: UUID
        /// The trace headers as JSON; '' without a trace.
        var traceJSON: String
    }

    /// Stores intents in one statement; an intent stored before (the same event, rule and
    /// recipient) is kept as it is. Optional texts travel as '' in the arrays.
    func store(_ held: [HeldIntent], on connection: PostgresConnection) async throws {
        guard !held.isEmpty else { return }
        let planned = held.map(\.sms)
        try await connection.execute(
            """
            INSERT INTO sms_intents (id, event_id, rule_id, recipient, recipient_name, phone, tenant, demand_id, text, urgent,
                state, next_attempt_at, last_error, trace_headers)
            SELECT sms.id, sms.event_id, sms.rule_id, sms.recipient, NULLIF(sms.recipient_name, ''), NULLIF(sms.phone, ''),
                sms.tenant, NULLIF(sms.demand_id, '')::uuid, sms.text, sms.urgent, sms.state, sms.next_attempt_at,
                CASE WHEN sms.state = \(SMSState.unreachable.rawValue) THEN \(Self.unreachableReason) END,
                NULLIF(sms.trace_headers, '')::jsonb
            FROM unnest(\(planned.map { _ in UUID() })::uuid[], \(held.map(\.eventID))::uuid[], \(planned.map(\.rule.id))::text[],
                \(planned.map(\.recipient.key))::text[], \(planned.map { $0.recipient.name ?? "" })::text[],
                \(planned.map { $0.recipient.phone?.digits ?? "" })::text[], \(planned.map(\.tenant.rawValue))::text[],
                \(planned.map { $0.demandID?.uuidString ?? "" })::text[], \(planned.map(\.text))::text[],
                \(planned.map { $0.rule.urgent == true })::bool[], \(planned.map(\.state.rawValue))::text[],
                \(planned.map(\.notBefore))::timestamptz[], \(held.map(\.traceJSON))::text[])
                AS sms(id, event_id, rule_id, recipient, recipient_name, phone, tenant, demand_id, text, urgent, state, next_attempt_at,
                    trace_headers)
            ON CONFLICT (event_id, rule_id, recipient) DO NOTHING
            """, logger: logger)
    }

    /// The people a recipient kind names for this demand: nil when the demand has no such party,
    /// empty when it has one but the directory does not know them yet.
    private func resolve(_ kind: RecipientKind, demand: DemandSummary, step: DemandStep?, on connection: PostgresConnection)
        async throws -> [Recipient]?
    {
        func people(_ list: [DirectoryPerson]) -> [Recipient] {
            list.map(Recipient.init)
        }
        func unitAdmins(_ units: [UnitRef]) async throws -> [Recipient]? {
            guard !units.isEmpty else { return nil }
            return people(try await directoryPeople(roles: [.unitAdmin, .countyAdmin], unitIDs: units.map(\.id), on: connection))
        }
        switch kind {
        case .pairedCadre:
            guard let id = demand.pairedCadreID else { return nil }
            guard let cadre = try await directoryPerson(id, on: connection) else { return [] }
            // A cadre who has left follows no demand any more.
            return cadre.active ? people([cadre]) : nil
        case .enterpriseContact:
            if let phone = demand.contactPhone {
                return [Recipient(key: "contact:\(phone.digits)", name: demand.contactName, phone: phone)]
            }
            // The form gave a landline: the enterprise's liaison, as the directory has them, is texted.
            guard let enterprise = demand.enterpriseID else { return [] }
            return try await directoryPerson(DirectoryPerson.liaisonID(of: enterprise), on: connection).map { people([$0]) } ?? []
        case .tierDispatchers:
            // Where dispatchers keep industry groups' queues, those of the demand's group; the whole
            // tier's when no one keeps it, so that no demand goes unannounced.
            let dispatchers = try await directoryPeople(roles: [.dispatcher], tenant: demand.tenant, on: connection)
            let keepers = dispatchers.filter { $0.keepsQueue(of: demand.industryGroup) }
            return people(keepers.isEmpty ? dispatchers : keepers)
        case .lastDispatcher:
            if let id = demand.lastDispatcherID, let dispatcher = try await directoryPerson(id, on: connection) {
                return people([dispatcher])
            }
            return try await resolve(.tierDispatchers, demand: demand, step: step, on: connection)
        case .leadUnitAdmins:
            return try await unitAdmins(demand.leadUnit.map { [$0] } ?? [])
        case .cooperatingUnitAdmins:
            return try await unitAdmins(demand.cooperatingUnits)
        case .tierOffice:
            return people(try await directoryPeople(roles: [.office], tenant: demand.tenant, on: connection))
        case .returnSubmitters, .briefingRecipients, .applicant, .addressedUnitAdmins, .tierEnterprises:
            return nil
        case .stepHolder:
            switch step {
            case .review?:
                // The office reviews in place of a cadre who has left.
                let cadre = try await resolve(.pairedCadre, demand: demand, step: step, on: connection)
                return demand.pairedCadreID != nil && cadre == nil
                    ? try await resolve(.tierOffice, demand: demand, step: step, on: connection) : cadre
            case .dispatch?: return try await resolve(.tierDispatchers, demand: demand, step: step, on: connection)
            case .sign?, .result?: return try await resolve(.leadUnitAdmins, demand: demand, step: step, on: connection)
            case .rating?: return try await resolve(.enterpriseContact, demand: demand, step: step, on: connection)
            case nil: return nil
            }
        }
    }
}
