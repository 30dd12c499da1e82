import Crypto
import Foundation
import PlatformAPI
import PostgresNIO
import PostgresStorage

/// A person logged in to the portal: their API session (the bearer token the services issued) and
/// the CSRF token every form of theirs must carry.
public struct PortalSession: Sendable {
    public var id: String
    public var api: Session
    public var csrfToken: String
    public var expiresAt: Date
    /// The one-time message left for this request by the one before it.
    public var flash: Flash?
}

/// A message shown once at the top of the next page.
public struct Flash: Sendable, Equatable {
    public var text: String
    public var isError: Bool

    public static func done(_ text: String) -> Flash { Flash(text: text, isError: false) }
    public static func failed(_ text: String) -> Flash { Flash(text: text, isError: true) }
}

/// Sessions in Postgres, keyed by the SHA-256 of the cookie's value: a leaked table names no cookie.
public struct SessionStore: Sendable {
    let database: Database
    let lifetime: Duration

    public init(database: Database, lifetime: Duration) {
        self.database = database
        self.lifetime = lifetime
    }

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "portal sessions", statements: [
            """
            CREATE TABLE sessions (
                id_hash text PRIMARY KEY,
                api_session jsonb NOT NULL,
                csrf_token text NOT NULL,
                flash text,
                expires_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX sessions_expiry ON sessions (expires_at)",
        ])
    ]

    /// Starts a session for someone the intake service just logged in; returns it with its cookie value.
    public func create(for api: Session, now: Date = Date()) async throws -> PortalSession {
        let id = Self.randomToken()
        let csrf = Self.randomToken()
        // Never outlives the token it holds.
        let expiresAt = min(now.addingTimeInterval(TimeInterval(lifetime.components.seconds)), api.expiresAt)
        let json = String(decoding: try JSONEncoder().encode(api), as: UTF8.self)
        try await database.query(
            """
            INSERT INTO sessions (id_hash, api_session, csrf_token, expires_at)
            VALUES (\(Self.hash(id)), \(json)::jsonb, \(csrf), \(expiresAt))
            """)
        // Sessions that ended are of no use to anyone.
        try await database.query("DELETE FROM sessions WHERE expires_at < now() - interval '1 day'")
        return PortalSession(id: id, api: api, csrfToken: csrf, expiresAt: expiresAt, flash: nil)
    }

    /// The live session with this cookie value, if there is one, with the message left for it
    /// (which is then cleared: it shows once).
    public func find(_ id: String) async throws -> PortalSession? {
        guard id.utf8.count == 43 else { return nil }
        let rows = try await database.query(
            """
            SELECT api_session::text, csrf_token, expires_at, flash FROM sessions
            WHERE id_hash = \(Self.hash(id)) AND expires_at > now()
            """)
        guard let (json, csrf, expiresAt, flash) = try rows.decode((String, String, Date, String?).self).first else { return nil }
        if flash != nil { try await database.query("UPDATE sessions SET flash = NULL WHERE id_hash = \(Self.hash(id))") }
        let api = try JSONDecoder().decode(Session.self, from: Data(json.utf8))
        return PortalSession(id: id, api: api, csrfToken: csrf, expiresAt: expiresAt,
            flash: flash.map { Flash(text: String($0.dropFirst()), isError: $0.hasPrefix("!")) })
    }

    /// Replaces what the session knows of the person (after they changed their password).
    public func update(_ session: PortalSession) async throws {
        let json = String(decoding: try JSONEncoder().encode(session.api), as: UTF8.self)
        try await database.query("UPDATE sessions SET api_session = \(json)::jsonb WHERE id_hash = \(Self.hash(session.id))")
    }

    public func delete(_ id: String) async throws {
        try await database.query("DELETE FROM sessions WHERE id_hash = \(Self.hash(id))")
    }

    /// A one-time message for the next page the person sees (post-redirect-get).
    public func setFlash(_ flash: Flash, for id: String) async throws {
        let text = (flash.isError ? "!" : " ") + flash.text
        try await database.query("UPDATE sessions SET flash = \(text) WHERE id_hash = \(Self.hash(id))")
    }

    /// 32 random bytes, base64url without padding (43 characters).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ id: String) -> String {
        SHA256.hash(data: Data(id.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension SessionStore {
    /// Compares tokens without stopping at the first difference, so timing tells nothing.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8), right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
