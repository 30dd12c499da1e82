import Foundation
import LocalStack
import PostgresNIO

/// What the services hold about one journey's demands, in a form two journeys of the same kind can
/// be compared by: per service, each demand's role (the county's demand, the city's copy), state and
/// transitions; the SMS planned; reporting's facts.
public struct JourneyPicture: Equatable, Sendable {
    public struct Holding: Hashable, Sendable, Comparable {
        public var service: String
        public var role: String
        public var state: String
        public var kinds: [String]

        public static func < (lhs: Holding, rhs: Holding) -> Bool {
            (lhs.service, lhs.role, lhs.state) < (rhs.service, rhs.role, rhs.state)
        }
    }

    public var holdings: [Holding]
    /// "rule → recipient", sorted.
    public var sms: [String]
    /// "role → state" of reporting's demand facts, sorted.
    public var facts: [String]
    /// Holdings whose history records a transition id more than once.
    public var repeatedTransitions: [String]
}

/// The checks the fault harness prints after a run: every demand held exactly once where it
/// should be, in the state its journey reached, no transition twice, every SMS owed planned and
/// taken by the gateway exactly once, nothing left in an outbox.
public struct ConsistencyAudit: Sendable {
    public let database: StackDatabase

    public init(database: StackDatabase) {
        self.database = database
    }

    public func picture(of outcome: JourneyOutcome) async throws -> JourneyPicture {
        var ids = [outcome.countyDemand]
        if let city = outcome.cityDemand { ids.append(city) }
        func role(_ id: UUID, origin: UUID?) -> String {
            if id == outcome.countyDemand { return "county" }
            if id == outcome.cityDemand { return "city" }
            return origin == outcome.countyDemand ? "another city copy" : "unknown"
        }
        let list = StackDatabase.list(ids)
        var holdings: [JourneyPicture.Holding] = []
        var repeated: [String] = []
        for (process, schema) in database.schemas(of: ["intake", "dispatch", "handling"]) {
            let rows = try await database.rows(
                """
                SELECT id, origin_demand_id, state,
                    ARRAY(SELECT e->'action'->>'kind' FROM jsonb_array_elements(history) WITH ORDINALITY AS x(e, n) ORDER BY n),
                    (SELECT count(DISTINCT e->>'id') FROM jsonb_array_elements(history) AS e)::int, jsonb_array_length(history)
                FROM \(StackDatabase.quoted(schema)).demands WHERE id = ANY(\(list)) OR origin_demand_id = ANY(\(list))
                """)
            for row in rows {
                let (id, origin, state, kinds, distinctTransitions, transitions) = try row.decode((UUID, UUID?, String, [String], Int, Int).self)
                let holding = JourneyPicture.Holding(service: process, role: role(id, origin: origin), state: state, kinds: kinds)
                holdings.append(holding)
                if distinctTransitions != transitions { repeated.append("\(process) \(holding.role) \(id)") }
            }
        }
        var sms: [String] = []
        if let notifier = database.schemas["notifier"] {
            sms = try await database.values(
                "SELECT rule_id || ' → ' || recipient FROM \(StackDatabase.quoted(notifier)).sms_intents WHERE demand_id = ANY(\(list))",
                as: String.self)
        }
        var facts: [String] = []
        if let reporting = database.schemas["reporting"] {
            facts = try await database.rows(
                "SELECT demand_id, state FROM \(StackDatabase.quoted(reporting)).demand_facts WHERE demand_id = ANY(\(list))"
            ).map { row in
                let (id, state) = try row.decode((UUID, String).self)
                return "\(role(id, origin: nil)) → \(state)"
            }
        }
        return JourneyPicture(holdings: holdings.sorted(), sms: sms.sorted(), facts: facts.sorted(), repeatedTransitions: repeated)
    }

    /// One line of the audit table.
    public struct Check: Codable, Sendable {
        public var name: String
        public var checked: Int
        public var violations: [String]
        public var passed: Bool { violations.isEmpty }
    }

    /// Compares every finished journey with the reference journey of its kind, the gateway's log
    /// with the SMS planned, and looks for anything left in an outbox.
    public func audit(
        results: [JourneyResult],
        references: [JourneyKind: JourneyPicture],
        phoneNetwork: FakeSMSCLog?,
        phoneNetworkFrom line: Int
    ) async throws -> [Check] {
        var finished = Check(name: "journeys finished", checked: results.count, violations: [])
        var once = Check(name: "each demand held exactly once where it should be", checked: 0, violations: [])
        var states = Check(name: "each demand in the state its journey reached", checked: 0, violations: [])
        var transitions = Check(name: "no transition recorded twice", checked: 0, violations: [])
        var facts = Check(name: "reporting counted each demand once, in its state", checked: 0, violations: [])
        var planned = Check(name: "every SMS owed planned, none twice", checked: 0, violations: [])
        var demands: [UUID] = []
        for result in results {
            guard let outcome = result.outcome else {
                finished.violations.append(result.failure.map { "\($0)" } ?? "journey without outcome")
                if let id = result.failure?.countyDemand { demands.append(id) }
                continue
            }
            demands.append(outcome.countyDemand)
            if let city = outcome.cityDemand { demands.append(city) }
            guard let reference = references[outcome.kind] else { continue }
            let picture = try await picture(of: outcome)
            let name = "\(outcome.kind.rawValue) journey of \(outcome.countyDemand)"
            let history = picture.holdings.map { "\($0.service)/\($0.role): \($0.state) [\($0.kinds.joined(separator: ","))]" }
                .joined(separator: "; ")
            once.checked += 1
            let expectedPlaces = reference.holdings.map { "\($0.service)/\($0.role)" }
            let places = picture.holdings.map { "\($0.service)/\($0.role)" }
            if places != expectedPlaces { once.violations.append("\(name): held as \(places), expected \(expectedPlaces); \(history)") }
            states.checked += 1
            if places == expectedPlaces, picture.holdings.map(\.state) != reference.holdings.map(\.state) {
                states.violations.append("\(name): \(history)")
            }
            transitions.checked += 1
            if !picture.repeatedTransitions.isEmpty || (places == expectedPlaces && picture.holdings.map(\.kinds) != reference.holdings.map(\.kinds)) {
                transitions.violations.append("\(name): \(history)")
            }
            facts.checked += 1
            if picture.facts != reference.facts { facts.violations.append("\(name): reporting has \(picture.facts), expected \(reference.facts)") }
            planned.checked += 1
            if picture.sms != reference.sms { planned.violations.append("\(name): SMS \(picture.sms), expected \(reference.sms)") }
        }
        var checks = [finished, once, states, transitions, facts, planned]
        checks.append(try await gatewayCheck(demands: demands, phoneNetwork: phoneNetwork, from: line))
        checks.append(try await outboxCheck())
        return checks
    }

    /// Every SMS planned for the demands was accepted, and the phone network received each
    /// (number, text) exactly as many times as it was planned.
    func gatewayCheck(demands: [UUID], phoneNetwork: FakeSMSCLog?, from line: Int) async throws -> Check {
        var check = Check(name: "every SMS owed taken by the gateway exactly once", checked: 0, violations: [])
        guard let notifier = database.schemas["notifier"] else { return check }
        let intents = try await database.rows(
            """
            SELECT id, coalesce(phone, ''), text, state FROM \(StackDatabase.quoted(notifier)).sms_intents
            WHERE demand_id = ANY(\(StackDatabase.list(demands)))
            """
        ).map { try $0.decode((UUID, String, String, String).self) }
        check.checked = intents.count
        for (id, _, _, state) in intents where state != "accepted" && state != "delivered" {
            check.violations.append("SMS \(id) is \(state)")
        }
        guard let phoneNetwork else { return check }
        var owed: [String: Int] = [:]
        for (_, phone, text, _) in intents { owed[phone + " " + text, default: 0] += 1 }
        var received: [String: Int] = [:]
        for message in phoneNetwork.messages(after: line) { received[message.to + " " + message.text, default: 0] += 1 }
        for key in Set(owed.keys).union(received.keys).sorted() where owed[key, default: 0] != received[key, default: 0] {
            check.violations.append("\(key): planned \(owed[key, default: 0]), the phone network got \(received[key, default: 0])")
        }
        return check
    }

    func outboxCheck() async throws -> Check {
        let unsent = try await database.unsentOutbox()
        return Check(name: "nothing left in an outbox", checked: unsent.count,
            violations: unsent.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value) unsent" })
    }
}
