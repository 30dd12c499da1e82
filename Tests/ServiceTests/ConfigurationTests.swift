import DemandDesk
import DemandDomain
import Foundation
import JWTKit
import Logging
import PostgresStorage
import ServiceRuntime
import Tenancy
import Testing

@Suite("Service configuration")
struct ConfigurationTests {
    static let tenantsFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/local/tenants.json").path

    /// The settings, and the tiers' rules a service of demands reads from them next (so that their
    /// problems count too).
    func load(_ environment: [String: String], perTier: Bool = true) async throws -> (RuntimeSettings, TierRules) {
        let settings = try await RuntimeSettings.load(service: .intake, perTier: perTier, defaultPort: 8081,
            environment: ["TENANTS_FILE": Self.tenantsFile].merging(environment) { $1 })
        return (settings, try TierRules.load(settings))
    }

    func problem(_ environment: [String: String], perTier: Bool = true) async -> ConfigurationError? {
        do {
            _ = try await load(environment, perTier: perTier)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("Defaults run on the local stack")
    func defaults() async throws {
        let (settings, rules) = try await load(["TIER": "maojian"])
        #expect(settings.tier == "maojian")
        #expect(settings.httpPort == 8081)
        #expect(settings.postgres.schema == "intake_maojian")
        #expect(settings.auth.usesDevelopmentKey)
        #expect(rules.procedure(for: "maojian") == .shiyan)
    }

    @Test("A missing or malformed setting is an error that names it", arguments: [
        ([String: String](), "TIER"),
        (["TIER": "wudang"], "TIER"),
        (["TIER": "maojian", "POSTGRES_PORT": "five"], "POSTGRES_PORT"),
        (["TIER": "maojian", "HTTP_PORT": "70000"], "HTTP_PORT"),
        (["TIER": "maojian", "LOG_LEVEL": "loud"], "LOG_LEVEL"),
        (["TIER": "maojian", "POSTGRES_REQUIRE_TLS": "perhaps"], "POSTGRES_REQUIRE_TLS"),
        (["TIER": "maojian", "TENANTS_FILE": "/nonexistent/tenants.json"], "TENANTS_FILE"),
        (["TIER": "maojian", "AUTH_SIGNING_KEY": "not-a-key"], "AUTH_SIGNING_KEY"),
        (["TIER": "maojian", "AUTH_VERIFICATION_KEYS": "k1"], "AUTH_VERIFICATION_KEYS"),
        (["TIER": "maojian", "PLATFORM_ENVIRONMENT": "production"], "AUTH_VERIFICATION_KEYS"),
        (["TIER": "maojian", "CALENDAR_ADJUSTMENTS_FILE": "/nonexistent.json"], "CALENDAR_ADJUSTMENTS_FILE"),
        // The published development key is for loopback only, for signing and for verifying.
        (["TIER": "maojian", "HTTP_HOST": "0.0.0.0"], "AUTH_SIGNING_KEY"),
        (["TIER": "maojian", "HTTP_HOST": "10.1.2.3", "AUTH_SIGNING_KEY": AuthSettings.generateKeyPair().signingKey,
            "AUTH_VERIFICATION_KEYS": "dev=J9u8biUBq37IETHeW204lMMIvv2ZfrOWdUA3Ryu4u4Q"], "AUTH_VERIFICATION_KEYS"),
        (["TIER": "maojian", "AUTH_LOGIN_MAX_FAILURES": "0"], "AUTH_LOGIN_MAX_FAILURES"),
        (["TIER": "maojian", "CONFIG_FILE": "/nonexistent.env"], "CONFIG_FILE"),
    ])
    func namedErrors(environment: [String: String], setting: String) async {
        let error = await problem(environment)
        #expect(error?.setting == setting, "\(environment) → \(String(describing: error))")
    }

    @Test("An env file supplies settings; the environment wins over it")
    func environmentFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID()).env")
        try "# settings\nTIER=zhangwan\nHTTP_PORT=9999\nLOG_LEVEL=debug\n".write(to: file, atomically: true, encoding: .utf8)
        let (settings, _) = try await load(["CONFIG_FILE": file.path, "HTTP_PORT": "9000"])
        #expect(settings.tier == "zhangwan")
        #expect(settings.httpPort == 9000)
        #expect(settings.logLevel == .debug)
    }

    @Test("A generated key pair signs on intake and verifies on every other service in production")
    func generatedKeyPair() async throws {
        let pair = AuthSettings.generateKeyPair()
        let (intake, _) = try await load(["TIER": "maojian", "PLATFORM_ENVIRONMENT": "production",
            "AUTH_SIGNING_KEY": pair.signingKey, "AUTH_SIGNING_KEY_ID": "key-new"])
        let (handling, _) = try await load(["PLATFORM_ENVIRONMENT": "production",
            "AUTH_VERIFICATION_KEYS": "key-old=\(AuthSettings.generateKeyPair().verificationKey),key-new=\(pair.verificationKey)"],
            perTier: false)
        #expect(!intake.auth.usesDevelopmentKey)
        let signingPublicKey = try #require(intake.auth.signingKey?.publicKey)
        #expect(handling.auth.verificationKeys["key-new"] == signingPublicKey)
        #expect(handling.auth.verificationKeys["key-old"] != signingPublicKey)
        #expect(handling.auth.signingKey == nil)
    }

    @Test("An installation's key file is written once, kept after, and read by every service in production beyond loopback")
    func installationKeyFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("auth.env").path
        #expect(try AuthSettings.writeKeyFileIfAbsent(path: path, keyID: "install-1"))
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try !AuthSettings.writeKeyFileIfAbsent(path: path, keyID: "install-2"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == written, "a second start keeps the first key")
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        // As compose passes them: the key variables set to nothing, the file through CONFIG_FILE.
        let production = ["PLATFORM_ENVIRONMENT": "production", "HTTP_HOST": "0.0.0.0", "CONFIG_FILE": path,
            "AUTH_SIGNING_KEY": "", "AUTH_SIGNING_KEY_ID": "", "AUTH_VERIFICATION_KEYS": ""]
        let (intake, _) = try await load(production.merging(["TIER": "maojian"]) { $1 })
        let (handling, _) = try await load(production, perTier: false)
        #expect(intake.auth.signingKeyID == "install-1" && !intake.auth.usesDevelopmentKey)
        #expect(handling.auth.verificationKeys["install-1"] == intake.auth.signingKey?.publicKey)
        // Another installation gets another key.
        let other = directory.appendingPathComponent("other.env").path
        try AuthSettings.writeKeyFileIfAbsent(path: other, keyID: "install-1")
        #expect(try String(contentsOfFile: other, encoding: .utf8) != written)
    }

    @Test("librdkafka properties pass through from KAFKA_PROPERTY_*")
    func kafkaPassThrough() async throws {
        let (settings, _) = try await load(["TIER": "maojian", "KAFKA_PROPERTY_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_PROPERTY_SESSION_TIMEOUT_MS": "6000"])
        #expect(settings.kafkaProperties == ["security.protocol": "SASL_SSL", "session.timeout.ms": "6000"])
    }

    @Test("Tier calendar adjustments apply to their tier only")
    func calendarAdjustments() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("calendar-\(UUID()).json")
        try #"{"maojian": [{"date": "2026-12-01", "kind": "closure", "reason": "停电"}]}"#.write(to: file, atomically: true, encoding: .utf8)
        let (_, rules) = try await load(["TIER": "maojian", "CALENDAR_ADJUSTMENTS_FILE": file.path])
        let day = CivilDate("2026-12-01")!
        #expect(try !rules.calendars.calendar(for: "maojian").isWorkingDay(day))
        #expect(try rules.calendars.calendar(for: "zhangwan").isWorkingDay(day))
    }
}
