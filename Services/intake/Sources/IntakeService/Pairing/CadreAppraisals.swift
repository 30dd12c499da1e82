import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import Messaging
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// 干部测评 (000 Q22; 002 §6, §16): each quarter the enterprise rates its paired cadre on the four
/// duties and says what the pairing achieved; the platform asks it when the quarter's last month
/// comes (a prompt on the portal and one SMS). The office, the inspector, a unit's administrator
/// (its own cadres, 002 §11) and the cadre see the results beside the months' contacts and statuses.
extension PairingDesk {
    static let appraisalMigration = Migration(version: 19, name: "cadre appraisals", statements: [
        // One appraisal per enterprise and quarter; a second one replaces the first.
        """
        CREATE TABLE cadre_appraisals (
            enterprise_id text NOT NULL,
            quarter text NOT NULL,
            cadre_id text NOT NULL,
            ratings jsonb NOT NULL,
            results text,
            submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (enterprise_id, quarter)
        )
        """,
        """
        CREATE TABLE appraisal_requests (
            enterprise_id text NOT NULL,
            quarter text NOT NULL,
            sent_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (enterprise_id, quarter)
        )
        """,
    ])

    // MARK: Answers

    struct Appraisal: Codable, ResponseEncodable {
        var quarter: CalendarQuarter
        var cadreID: String?
        var cadreName: String?
        /// The quarter's last month has come, and the enterprise has a cadre it has not rated this quarter
        /// (it may rate earlier; it is asked then).
        var due: Bool
        var ratings: [CadreDuty: SatisfactionLevel]?
        var results: String?
        var submittedAt: Date?
    }

    struct DutyResult: Codable {
        var duty: CadreDuty
        var dutyName: String
        var rated: Int
        var satisfied: Int
    }

    struct CadreQuarter: Codable {
        var cadreID: String
        var name: String
        var unitID: String?
        var unitName: String?
        var enterprises: Int
        var appraised: Int
        var duties: [DutyResult]
        /// Months of the quarter so far in which every paired enterprise had a contact, and a status.
        var monthsContacted: Int
        var monthsStatusReported: Int
        var monthsSoFar: Int
        /// Difficulties solved on the spot in the quarter so far (000 Q16).
        var resolvedOnSpot: Int
        /// Briefs the office accepted in the quarter (002 §5: they count for the cadre's unit).
        var briefsAccepted: Int
        var results: [String]
    }

    struct QuarterReport: Codable, ResponseEncodable {
        var tier: String
        var quarter: CalendarQuarter
        var cadres: [CadreQuarter]
    }

    struct AppraisalRequestsSent: Codable, ResponseEncodable {
        var quarter: CalendarQuarter
        var enterprises: [String]
    }

    // MARK: The enterprise

    func appraisal(for principal: Principal) async throws -> Appraisal {
        let enterprise = try await ownEnterprise(principal)
        let quarter = CalendarQuarter(CalendarMonth(CivilDate(Date())))
        return try await runtime.database.withConnection { connection in
            try await appraisal(of: enterprise, in: quarter, on: connection)
        }
    }

    func submitAppraisal(_ input: CadreAppraisalInput, by principal: Principal) async throws -> Appraisal {
        let enterprise = try await ownEnterprise(principal)
        let levels = try input.validated()
        guard let cadreID = enterprise.pairedCadreID else {
            throw APIError.conflict(code: "NO_PAIRED_CADRE", message: "贵企业目前没有包联干部，暂不需要测评")
        }
        let quarter = CalendarQuarter(CalendarMonth(CivilDate(Date())))
        // CadreDuty is a coding key: the ratings are stored as {"pandemicGuide": "satisfied", …}.
        let ratings = String(decoding: try JSONEncoder().encode(levels), as: UTF8.self)
        let results = input.results.trimmedOrNil
        let answer = try await runtime.transaction { connection in
            try await connection.execute(
                """
                INSERT INTO cadre_appraisals (enterprise_id, quarter, cadre_id, ratings, results)
                VALUES (\(enterprise.id), \(quarter.description), \(cadreID), \(ratings)::jsonb, \(results))
                ON CONFLICT (enterprise_id, quarter) DO UPDATE SET cadre_id = EXCLUDED.cadre_id, ratings = EXCLUDED.ratings,
                    results = EXCLUDED.results, submitted_at = clock_timestamp()
                """, logger: logger)
            return try await appraisal(of: enterprise, in: quarter, on: connection)
        }
        logger.info("Cadre appraisal submitted", metadata: ["enterprise": "\(enterprise.id)", "quarter": "\(quarter)"])
        return answer
    }

    // MARK: The results

    /// Each cadre's quarter: the enterprises' ratings per duty and the months kept. A cadre sees their
    /// own; a unit's administrator its unit's cadres; the office and the inspector every cadre.
    func quarterReport(_ quarter: CalendarQuarter, for principal: Principal) async throws -> QuarterReport {
        try principal.require(tier: tier)
        guard [.cadre, .office, .inspector, .unitAdmin, .countyAdmin].contains(principal.role) else {
            throw APIError.forbiddenRole(principal.role)
        }
        let thisMonth = CalendarMonth(CivilDate(Date()))
        let monthsSoFar = quarter.months.filter { $0 <= thisMonth }
        var cadres = try await runtime.database.withConnection { connection -> [CadreQuarter] in
            let roster = try await roster(on: connection)
            var months: [[CadreDuties]] = []
            for month in monthsSoFar { months.append(try await duties(in: month, roster: roster, on: connection)) }
            let appraisals = try await appraisals(in: quarter, on: connection)
            let briefs = try await intake.acceptedBriefs(in: quarter, on: connection)
            // The cadres as they are now: this quarter's last month counted is this month.
            let current = monthsSoFar.last == thisMonth ? months.last! : try await duties(in: thisMonth, roster: roster, on: connection)
            return current.map { cadre in
                let own = appraisals[cadre.cadreID] ?? []
                let duties = CadreDuty.allCases.map { duty in
                    let levels = own.compactMap { $0.ratings[duty] }
                    return DutyResult(duty: duty, dutyName: duty.chineseName, rated: levels.count,
                        satisfied: levels.filter(\.countsAsSatisfied).count)
                }
                let kept = months.compactMap { month in month.first { $0.cadreID == cadre.cadreID } }
                return CadreQuarter(cadreID: cadre.cadreID, name: cadre.name, unitID: cadre.unitID, unitName: cadre.unitName,
                    enterprises: cadre.enterprises.count, appraised: own.count, duties: duties,
                    monthsContacted: kept.filter { $0.contacted == $0.enterprises.count }.count,
                    monthsStatusReported: kept.filter { $0.statusReported == $0.enterprises.count }.count,
                    monthsSoFar: monthsSoFar.count, resolvedOnSpot: kept.reduce(0) { $0 + $1.resolvedOnSpot },
                    briefsAccepted: briefs[cadre.cadreID] ?? 0, results: own.compactMap(\.results))
            }
        }
        switch principal.role {
        case .cadre: cadres = cadres.filter { $0.cadreID == principal.subject }
        case .unitAdmin, .countyAdmin: cadres = cadres.filter { $0.unitID != nil && $0.unitID == principal.unitID }
        default: break
        }
        return QuarterReport(tier: tier.rawValue, quarter: quarter, cadres: cadres)
    }

    // MARK: Asking for appraisals

    /// Asks every enterprise with a cadre that has not appraised them this quarter and has not been
    /// asked: one event each on the tier's pairing topic, recorded in the same transaction.
    func requestAppraisals(for quarter: CalendarQuarter) async throws -> AppraisalRequestsSent {
        let asked = try await runtime.transaction { connection -> [String] in
            try await lockTier("appraisal requests", on: connection)
            var done = Set<String>()
            for try await id in try await connection.query(
                """
                SELECT enterprise_id FROM cadre_appraisals WHERE quarter = \(quarter.description)
                UNION SELECT enterprise_id FROM appraisal_requests WHERE quarter = \(quarter.description)
                """, logger: logger
            ).decode(String.self) {
                done.insert(id)
            }
            let cadres = Dictionary(try await intake.directory.people(roles: [.cadre], tenant: tier, on: connection).map { ($0.id, $0) }) {
                first, _ in first
            }
            var asked: [String] = []
            for enterprise in try await intake.directory.enterprises(tenant: tier, on: connection)
            where enterprise.active && !done.contains(enterprise.id) {
                guard let cadre = enterprise.pairedCadreID.flatMap({ cadres[$0] }) else { continue }
                try await connection.execute(
                    "INSERT INTO appraisal_requests (enterprise_id, quarter) VALUES (\(enterprise.id), \(quarter.description))",
                    logger: logger)
                let event = AppraisalRequestEvent(tenant: tier, enterpriseID: enterprise.id, cadreName: cadre.name, quarter: quarter)
                try await publishPairingEvent(EventType.appraisalRequest, subject: enterprise.id, event, on: connection)
                asked.append(enterprise.id)
            }
            return asked
        }
        if !asked.isEmpty {
            logger.info("Cadre appraisals requested", metadata: ["quarter": "\(quarter)", "enterprises": "\(asked.count)"])
        }
        return AppraisalRequestsSent(quarter: quarter, enterprises: asked)
    }

    /// The office asks now, in the quarter's first months too.
    func requestAppraisals(for quarter: CalendarQuarter, by principal: Principal) async throws -> AppraisalRequestsSent {
        try principal.require(tier: tier, roles: [.office])
        guard quarter == CalendarQuarter(CalendarMonth(CivilDate(Date()))) else {
            throw APIError.invalid(code: "QUARTER_OUT_OF_RANGE", message: "只能请企业测评本季度的包联工作", field: "quarter")
        }
        return try await requestAppraisals(for: quarter)
    }

    // MARK: Pieces

    private func ownEnterprise(_ principal: Principal) async throws -> DirectoryEnterprise {
        try principal.require(tier: tier)
        guard principal.role == .enterprise, let id = principal.enterpriseID else { throw APIError.forbiddenRole(principal.role) }
        let enterprise = try await runtime.database.withConnection { connection in
            try await intake.directory.enterprise(id, on: connection)
        }
        guard let enterprise else { throw APIError.notFound("企业") }
        return enterprise
    }

    private struct StoredAppraisal {
        var enterpriseID: String
        var ratings: [CadreDuty: SatisfactionLevel]
        var results: String?
        var submittedAt: Date
    }

    /// The quarter's appraisals by the cadre they rate.
    private func appraisals(in quarter: CalendarQuarter, enterpriseID: String? = nil, on connection: PostgresConnection) async throws
        -> [String: [StoredAppraisal]]
    {
        let rows = try await connection.query(
            """
            SELECT enterprise_id, cadre_id, ratings::text, results, submitted_at FROM cadre_appraisals
            WHERE quarter = \(quarter.description) AND (\(enterpriseID)::text IS NULL OR enterprise_id = \(enterpriseID))
            ORDER BY submitted_at
            """, logger: logger)
        var byCadre: [String: [StoredAppraisal]] = [:]
        for try await (enterprise, cadre, ratingsText, results, submittedAt) in rows.decode((String, String, String, String?, Date).self) {
            let ratings = try JSONDecoder().decode([CadreDuty: SatisfactionLevel].self, from: Data(ratingsText.utf8))
            byCadre[cadre, default: []].append(StoredAppraisal(enterpriseID: enterprise, ratings: ratings, results: results,
                submittedAt: submittedAt))
        }
        return byCadre
    }

    private func appraisal(of enterprise: DirectoryEnterprise, in quarter: CalendarQuarter, on connection: PostgresConnection)
        async throws -> Appraisal
    {
        let cadre = try await enterprise.pairedCadreID.asyncFlatMap { try await intake.directory.person($0, on: connection) }
        let stored = try await appraisals(in: quarter, enterpriseID: enterprise.id, on: connection).values.flatMap { $0 }.last
        let asking = CalendarMonth(CivilDate(Date())) == quarter.lastMonth
        return Appraisal(quarter: quarter, cadreID: cadre?.id, cadreName: cadre?.name, due: asking && cadre != nil && stored == nil,
            ratings: stored?.ratings, results: stored?.results, submittedAt: stored?.submittedAt)
    }
}

