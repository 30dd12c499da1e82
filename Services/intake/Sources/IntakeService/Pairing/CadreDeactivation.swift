import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// A cadre who retires or leaves (000 Q8): the office deactivates them with the reason; they can no
/// longer log in, drop out of every list of cadres, and their enterprises go back to the pool for the
/// next allocation, each change kept with who, when and why. Demands waiting for their review are
/// reviewed by the office from then on.
extension PairingDesk {
    struct DeactivationRequest: Codable {
        var reason: String
    }

    struct Deactivation: Codable, ResponseEncodable {
        var cadreID: String
        var cadreName: String
        /// The enterprises that went back to the pool.
        var releasedEnterprises: [String]
        /// Demands that waited for the cadre's review, which the office reviews now.
        var reviewsForOffice: Int
    }

    static let deactivationReasonLimit = 200

    func deactivate(_ cadreID: String, _ request: DeactivationRequest, by principal: Principal) async throws -> Deactivation {
        try principal.require(tier: tier, roles: [.office])
        let reason = request.reason.trimmingWhitespace
        guard !reason.isEmpty, reason.count <= Self.deactivationReasonLimit else {
            throw APIError.invalid(code: reason.isEmpty ? "MISSING_FIELD" : "TEXT_TOO_LONG",
                message: reason.isEmpty ? "请填写停用原因（如退休、调离）" : "停用原因不能超过\(Self.deactivationReasonLimit)个字", field: "reason")
        }
        let result = try await runtime.transaction { connection in
            try await lockTier(Self.pairingChanges, on: connection)
            guard var cadre = try await intake.directory.person(cadreID, on: connection), cadre.tenant == tier, cadre.role == .cadre,
                cadre.active
            else { throw APIError.notFound("在职的包联干部") }
            try await intake.rules.policy.scope(for: principal).enter(on: connection, logger: logger)
            let waiting = try await connection.query(
                """
                SELECT count(*)::bigint FROM demands
                WHERE tenant = \(tier.rawValue) AND state = 'awaitingReview' AND paired_cadre_id = \(cadre.id)
                """, logger: logger)
            var reviews = 0
            for try await count in waiting.decode(Int64.self) { reviews = Int(count) }
            cadre.active = false
            try await intake.publish(.person(cadre), on: connection)
            try await connection.execute(
                "UPDATE accounts SET active = false, updated_at = clock_timestamp() WHERE principal->>'subject' = \(cadre.id)",
                logger: logger)
            var released: [String] = []
            for enterprise in try await intake.directory.enterprises(tenant: tier, on: connection)
            where enterprise.active && enterprise.pairedCadreID == cadre.id {
                try await changePairing(of: enterprise, to: nil, reason: "包联干部停用（\(reason)），收回入待分配企业库", by: principal,
                    on: connection)
                released.append(enterprise.id)
            }
            // A change asked for an enterprise that has just gone back to the pool has nothing left to decide.
            try await connection.execute(
                """
                UPDATE pairing_proposals SET state = 'refused', decided_by = \(principal.subject), decided_at = clock_timestamp(),
                    decision_note = '包联干部已停用，企业已收回入待分配企业库'
                WHERE state = 'proposed' AND (from_cadre = \(cadre.id) OR to_cadre = \(cadre.id))
                """, logger: logger)
            return Deactivation(cadreID: cadre.id, cadreName: cadre.name, releasedEnterprises: released, reviewsForOffice: reviews)
        }
        logger.info("Cadre deactivated", metadata: [
            "tier": "\(tier)", "cadre": "\(result.cadreID)", "released": "\(result.releasedEnterprises.count)",
            "reviews.for.office": "\(result.reviewsForOffice)",
        ])
        return result
    }
}
