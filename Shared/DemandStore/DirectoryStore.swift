import DemandDomain
import Foundation
import InputValidation
import Logging
import PlatformEvents
import PlatformWire
import PostgresNIO
import PostgresStorage
import Tenancy

/// A service's copy of directory entries (intake owns them; the others keep copies from the
/// directory topics). One table, keyed like the compacted topic (`person:<id>`).
public struct DirectoryStore: Sendable {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public static func migration(version: Int) -> Migration {
        Migration(version: version, name: "directory", statements: [
            """
            CREATE TABLE directory (
                key text PRIMARY KEY,
                kind text NOT NULL,
                tenant text NOT NULL,
                entity_id text NOT NULL,
                body jsonb NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """,
            "CREATE INDEX directory_kind ON directory (kind, tenant)",
        ])
    }

    public func upsert(_ entry: DirectoryEntry, on connection: PostgresConnection) async throws {
        let body = try EventCoding.text(entry)
        let (kind, id) = entry.kindAndID
        try await connection.execute(
            """
            INSERT INTO directory (key, kind, tenant, entity_id, body) VALUES (\(entry.key), \(kind), \(entry.tenant.rawValue), \(id), \(body)::jsonb)
            ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, tenant = EXCLUDED.tenant, updated_at = clock_timestamp()
            """, logger: logger)
    }

    public func entry(_ key: String, on connection: PostgresConnection) async throws -> DirectoryEntry? {
        for try await body in try await connection.execute(DirectoryEntryStatement(key: key), logger: logger) {
            return try EventCoding.decoder().decode(DirectoryEntry.self, from: Data(body.utf8))
        }
        return nil
    }

    public func entries(kind: String, tenant: TenantID? = nil, on connection: PostgresConnection) async throws -> [DirectoryEntry] {
        let rows =
            if let tenant {
                try await connection.query(
                    "SELECT body::text FROM directory WHERE kind = \(kind) AND tenant = \(tenant.rawValue) ORDER BY key", logger: logger)
            } else {
                try await connection.query("SELECT body::text FROM directory WHERE kind = \(kind) ORDER BY key", logger: logger)
            }
        var result: [DirectoryEntry] = []
        for try await body in rows.decode(String.self) {
            result.append(try EventCoding.decoder().decode(DirectoryEntry.self, from: Data(body.utf8)))
        }
        return result
    }

    /// A tier's enterprises, active or not.
    public func enterprises(tenant: TenantID, on connection: PostgresConnection) async throws -> [DirectoryEnterprise] {
        try await entries(kind: "enterprise", tenant: tenant, on: connection).compactMap { entry in
            if case .enterprise(let enterprise) = entry { enterprise } else { nil }
        }
    }

    /// A tier's units, active or not.
    public func units(tenant: TenantID, on connection: PostgresConnection) async throws -> [DirectoryUnit] {
        try await entries(kind: "unit", tenant: tenant, on: connection).compactMap { entry in
            if case .unit(let unit) = entry { unit } else { nil }
        }
    }

    /// Active people with one of `roles`, in a tier and/or a unit.
    public func people(roles: [Role], tenant: TenantID? = nil, unitIDs: [String]? = nil, on connection: PostgresConnection)
        async throws -> [DirectoryPerson]
    {
        var sql = "SELECT body::text FROM directory WHERE kind = 'person' AND body->'person'->>'role' = ANY($1)"
        var values = PostgresBindings()
        values.append(roles.map(\.rawValue))
        if let tenant {
            values.append(tenant.rawValue)
            sql += " AND tenant = $\(values.count)"
        }
        if let unitIDs {
            values.append(unitIDs)
            sql += " AND body->'person'->>'unitID' = ANY($\(values.count))"
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql + " ORDER BY key", binds: values), logger: logger)
        var result: [DirectoryPerson] = []
        for try await body in rows.decode(String.self) {
            if case .person(let person) = try EventCoding.decoder().decode(DirectoryEntry.self, from: Data(body.utf8)), person.active {
                result.append(person)
            }
        }
        return result
    }

    public func person(_ id: String, on connection: PostgresConnection) async throws -> DirectoryPerson? {
        if case .person(let person)? = try await entry("person:\(id)", on: connection) { return person }
        return nil
    }

    public func unit(_ id: String, on connection: PostgresConnection) async throws -> DirectoryUnit? {
        if case .unit(let unit)? = try await entry("unit:\(id)", on: connection) { return unit }
        return nil
    }

    public func enterprise(_ id: String, on connection: PostgresConnection) async throws -> DirectoryEnterprise? {
        if case .enterprise(let enterprise)? = try await entry("enterprise:\(id)", on: connection) { return enterprise }
        return nil
    }

    /// The tier's enterprises registered provisionally (``DirectoryEnterprise/provisionalIDPrefix``),
    /// by credit code → id, for a roster import to complete them under their ids.
    public func provisionalEnterpriseIDs(tenant: TenantID, on connection: PostgresConnection) async throws -> [String: String] {
        let rows = try await connection.query(
            """
            SELECT body->'enterprise'->>'creditCode', entity_id FROM directory
            WHERE kind = 'enterprise' AND tenant = \(tenant.rawValue) AND starts_with(entity_id, \(DirectoryEnterprise.provisionalIDPrefix))
            """, logger: logger)
        var ids: [String: String] = [:]
        for try await (creditCode, id) in rows.decode((String, String).self) { ids[creditCode] = id }
        return ids
    }

    /// The tier's enterprise with this credit code (the code names one enterprise, whatever its id).
    public func enterprise(creditCode: UnifiedSocialCreditCode, tenant: TenantID, on connection: PostgresConnection) async throws
        -> DirectoryEnterprise?
    {
        let rows = try await connection.query(
            """
            SELECT body::text FROM directory WHERE kind = 'enterprise' AND tenant = \(tenant.rawValue)
                AND body->'enterprise'->>'creditCode' = \(creditCode.rawValue) ORDER BY key LIMIT 1
            """, logger: logger)
        for try await body in rows.decode(String.self) {
            if case .enterprise(let enterprise) = try EventCoding.decoder().decode(DirectoryEntry.self, from: Data(body.utf8)) {
                return enterprise
            }
        }
        return nil
    }
}

extension DirectoryEntry {
    var kindAndID: (String, String) {
        switch self {
        case .person(let person): ("person", person.id)
        case .unit(let unit): ("unit", unit.id)
        case .enterprise(let enterprise): ("enterprise", enterprise.id)
        }
    }
}

/// One directory entry by key (prepared: every action that names a person or unit reads one).
private struct DirectoryEntryStatement: PostgresPreparedStatement {
    static let sql = "SELECT body::text FROM directory WHERE key = $1"
    static let bindingDataTypes: [PostgresDataType] = [.text]
    typealias Row = String

    var key: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(key)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
}
