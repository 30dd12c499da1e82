import Foundation
import Logging
import Metrics
import PostgresNIO
import PostgresStorage
import ServiceRuntime

/// Counts failed logins per login and per client address in Postgres (so every intake replica
/// sees the same counts) and refuses further attempts once either is locked.
///
/// A locked login is refused before its password is checked, so a lock also spares the bcrypt work
/// an attacker would cause. A success clears the login's count, not the address's.
struct LoginThrottle: Sendable {
    let database: Database
    let settings: LoginLockSettings
    let logger: Logger

    private static let refused = Counter(label: "login_refused_total", dimensions: [("reason", "locked")])
    private static let failed = Counter(label: "login_refused_total", dimensions: [("reason", "invalid_credentials")])
    private static let locks = Counter(label: "login_locks_total")

    struct Keys {
        var account: String
        var address: String

        init(tier: String, unit: String, login: String, address: String) {
            account = "account:\(tier):\(unit):\(login)"
            self.address = "address:\(address)"
        }
    }

    static let migration = Migration(version: 13, name: "login failures", statements: [
        """
        CREATE TABLE login_failures (
            key text PRIMARY KEY,
            failures integer NOT NULL,
            window_started_at timestamptz NOT NULL,
            locked_until timestamptz
        )
        """
    ])

    /// Throws 429 `LOGIN_LOCKED` while the login or the address is locked.
    func checkNotLocked(_ keys: Keys) async throws {
        let rows = try await database.query(
            """
            SELECT max(locked_until) FROM login_failures
            WHERE key = ANY(\([keys.account, keys.address])) AND locked_until > now()
            """)
        for until in try rows.decode(Date?.self) {
            guard let until else { return }
            Self.refused.increment()
            let minutes = max(1, Int((until.timeIntervalSinceNow / 60).rounded(.up)))
            logger.notice("Login refused: locked", metadata: ["login.key": "\(keys.account)", "address": "\(keys.address)"])
            throw APIError.loginLocked(minutes: minutes)
        }
    }

    /// Counts a wrong password against the login and the address; the attempt that reaches a limit
    /// locks for the lock duration.
    func recordFailure(_ keys: Keys) async throws {
        Self.failed.increment()
        let seconds = Int(settings.lockDuration.components.seconds)
        for (key, limit) in [(keys.account, settings.failuresPerAccount), (keys.address, settings.failuresPerAddress)] {
            let rows = try await database.query(
                """
                INSERT INTO login_failures AS f (key, failures, window_started_at, locked_until)
                VALUES (\(key), 1, now(), CASE WHEN 1 >= \(limit) THEN now() + make_interval(secs => \(seconds)) END)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN f.window_started_at < now() - make_interval(secs => \(seconds)) OR f.locked_until IS NOT NULL
                        THEN 1 ELSE f.failures + 1 END,
                    window_started_at = CASE WHEN f.window_started_at < now() - make_interval(secs => \(seconds))
                        OR f.locked_until IS NOT NULL THEN now() ELSE f.window_started_at END,
                    locked_until = CASE WHEN f.window_started_at >= now() - make_interval(secs => \(seconds)) AND f.locked_until IS NULL
                        AND f.failures + 1 >= \(limit) THEN now() + make_interval(secs => \(seconds)) END
                RETURNING locked_until IS NOT NULL
                """)
            for locked in try rows.decode(Bool.self) where locked {
                Self.locks.increment()
                logger.notice("Login locked after repeated failures", metadata: ["login.key": "\(key)"])
            }
        }
    }

    func recordSuccess(_ keys: Keys) async throws {
        _ = try await database.query("DELETE FROM login_failures WHERE key = \(keys.account)")
    }

    /// Lifts a login's lock and forgets its failures (a password reset).
    func unlock(_ keys: Keys, on connection: PostgresConnection) async throws {
        try await connection.execute("DELETE FROM login_failures WHERE key = \(keys.account)", logger: logger)
    }

    /// Until when each locked login is locked, by its account key.
    func accountLocks() async throws -> [String: Date] {
        let rows = try await database.query(
            "SELECT key, locked_until FROM login_failures WHERE key LIKE 'account:%' AND locked_until > now()")
        return Dictionary(try rows.decode((String, Date).self).map { ($0, $1) }, uniquingKeysWith: max)
    }
}
