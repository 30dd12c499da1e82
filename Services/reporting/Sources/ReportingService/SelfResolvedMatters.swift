import DemandDomain
import Foundation
import InputValidation
import Logging
import Messaging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy

/// Difficulties cadres solved on the spot (000 Q16), from intake's pairing events: a unit's
/// self-resolved list (Jinzai's 自行办结问题清单) shows those its cadres solved beside the demands
/// it closed. Kept by the contact they were recorded with, so a redelivered event changes nothing.
enum SelfResolvedMatters {
    static let migration = Migration(version: 19, name: "matters solved on the spot", statements: [
        """
        CREATE TABLE self_resolved_matters (
            contact_id uuid PRIMARY KEY,
            tenant text NOT NULL,
            unit_id text,
            cadre_id text NOT NULL,
            enterprise_id text NOT NULL,
            enterprise_name text NOT NULL,
            resolved_on date NOT NULL,
            matter text NOT NULL
        )
        """,
        "CREATE INDEX self_resolved_by_unit ON self_resolved_matters (tenant, unit_id, resolved_on)",
    ])

    static func apply(_ event: IncomingEvent, on connection: PostgresConnection, logger: Logger) async throws {
        let matter = try event.decode(SelfResolvedMatterEvent.self).data
        guard Topics.tenant(ofTopic: event.topic) == matter.tenant else {
            throw EventRejection(code: "TENANT_MISMATCH", reason: "a matter of \(matter.tenant) on \(event.topic)")
        }
        try await connection.execute(
            """
            INSERT INTO self_resolved_matters (contact_id, tenant, unit_id, cadre_id, enterprise_id, enterprise_name, resolved_on, matter)
            VALUES (\(matter.contactID), \(matter.tenant.rawValue), \(matter.unitID), \(matter.cadreID), \(matter.enterpriseID),
                \(matter.enterpriseName), \(matter.resolvedOn.description)::date, \(matter.matter))
            ON CONFLICT (contact_id) DO NOTHING
            """, logger: logger)
    }

    /// The unit's matters solved in [from, until) as rows of the self-resolved list: 当场化解 for the
    /// number, the enterprise, no category, the day, and what was done.
    static func rows(tier: TenantID, unitID: String, from: CivilDate, until: CivilDate, on connection: PostgresConnection,
        logger: Logger) async throws -> [[String]]
    {
        let found = try await connection.query(
            """
            SELECT enterprise_name, resolved_on::text, matter FROM self_resolved_matters
            WHERE tenant = \(tier.rawValue) AND unit_id = \(unitID) AND resolved_on >= \(from.description)::date
                AND resolved_on < \(until.description)::date
            ORDER BY resolved_on, enterprise_name
            """, logger: logger)
        var rows: [[String]] = []
        for try await (enterprise, day, matter) in found.decode((String, String, String).self) {
            rows.append(["当场化解", enterprise, "", day, matter])
        }
        return rows
    }
}
