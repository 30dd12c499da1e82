import DemandDomain
import Foundation
import InputValidation
import Logging
import PostgresNIO
import PostgresStorage
import Tenancy

/// Hands out document numbers from per-tier, per-kind, per-year sequences (the next number is
/// taken inside the caller's transaction, so a rolled-back request leaves no gap).
public enum DocumentNumbers {
    public static func next(
        _ kind: DocumentNumber.Kind,
        for tenant: Tenant,
        at time: Date,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> DocumentNumber {
        let year = CivilDate(time).year
        let rows = try await connection.query(
            """
            INSERT INTO document_sequences (tenant, kind, year, last_value) VALUES (\(tenant.id.rawValue), \(kind.rawValue), \(year), 1)
            ON CONFLICT (tenant, kind, year) DO UPDATE SET last_value = document_sequences.last_value + 1
            RETURNING last_value
            """, logger: logger)
        for try await value in rows.decode(Int.self) {
            return DocumentNumber(office: tenant.shortName, kind: kind, year: year, sequence: value)
        }
        throw StoreError("document sequence returned no value")
    }
}

struct StoreError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
