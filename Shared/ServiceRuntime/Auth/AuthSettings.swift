import Crypto
import Foundation
import JWTKit

/// Keys for signed tokens (EdDSA / Ed25519). Only intake holds the signing key; every service holds
/// the verification keys, several at once during a key rotation (`kid=key,kid=key`).
public struct AuthSettings: Sendable {
    public var signingKey: EdDSA.PrivateKey?
    public var signingKeyID: String
    public var verificationKeys: [String: EdDSA.PublicKey]
    public var tokenLifetime: Duration
    /// bcrypt cost for new password hashes.
    public var bcryptCost: UInt8
    public var usesDevelopmentKey: Bool
    /// When wrong passwords lock a login out.
    public var loginLock: LoginLockSettings

    /// A key for development and tests only; production refuses to start with it.
    static let developmentKeyID = "development"
    static let developmentSeed = "hiYDv7abE4Aja0EiCrKosRIkzpC6QJj8efqydTwv8Ao"

    /// - Parameter onlyLoopback: the service listens on loopback only; anywhere else the
    ///   development key, published in this repository, is refused for signing and verifying.
    static func load(_ reader: SettingsReader, isProduction: Bool, onlyLoopback: Bool) throws -> AuthSettings {
        var signingKey: EdDSA.PrivateKey?
        var signingKeyID = reader.string("auth.signing.key.id", default: "key-1")
        var usesDevelopmentKey = false
        if let seed = reader.string("auth.signing.key", isSecret: true) {
            do {
                signingKey = try EdDSA.PrivateKey(d: seed, curve: .ed25519)
            } catch {
                throw ConfigurationError(setting: "AUTH_SIGNING_KEY", problem: "must be a base64url Ed25519 private key")
            }
        } else if !isProduction {
            guard onlyLoopback else {
                throw ConfigurationError(setting: "AUTH_SIGNING_KEY",
                    problem: "must be set when HTTP_HOST is not a loopback address: the development key is published with the code")
            }
            signingKey = try EdDSA.PrivateKey(d: developmentSeed, curve: .ed25519)
            signingKeyID = developmentKeyID
            usesDevelopmentKey = true
        }
        var verificationKeys: [String: EdDSA.PublicKey] = [:]
        if let list = reader.string("auth.verification.keys") {
            for entry in list.split(separator: ",") {
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let key = try? EdDSA.PublicKey(x: parts[1], curve: .ed25519) else {
                    throw ConfigurationError(setting: "AUTH_VERIFICATION_KEYS", problem: "must be kid=base64url-public-key pairs, comma separated")
                }
                verificationKeys[parts[0]] = key
            }
        }
        if verificationKeys.isEmpty, let signingKey {
            verificationKeys[signingKeyID] = signingKey.publicKey
        }
        if verificationKeys.isEmpty {
            throw ConfigurationError(setting: "AUTH_VERIFICATION_KEYS", problem: "is required in production")
        }
        let developmentPublicKey = try EdDSA.PrivateKey(d: developmentSeed, curve: .ed25519).publicKey
        if !onlyLoopback, verificationKeys.values.contains(developmentPublicKey) {
            throw ConfigurationError(setting: "AUTH_VERIFICATION_KEYS",
                problem: "must not hold the development key when HTTP_HOST is not a loopback address")
        }
        return AuthSettings(
            signingKey: signingKey,
            signingKeyID: signingKeyID,
            verificationKeys: verificationKeys,
            tokenLifetime: .seconds(try reader.int("auth.token.lifetime.seconds", default: 43_200, range: 60...604_800)),
            bcryptCost: UInt8(try reader.int("auth.bcrypt.cost", default: 10, range: 4...15)),
            usesDevelopmentKey: usesDevelopmentKey,
            loginLock: LoginLockSettings(
                failuresPerAccount: try reader.int("auth.login.max.failures", default: 5, range: 1...100),
                failuresPerAddress: try reader.int("auth.login.max.failures.per.address", default: 20, range: 1...10_000),
                lockDuration: .seconds(60 * (try reader.int("auth.login.lock.minutes", default: 15, range: 1...1440))))
        )
    }

    /// A new Ed25519 key pair, base64url encoded as `AUTH_SIGNING_KEY` (the private key's seed) and
    /// `AUTH_VERIFICATION_KEYS` (the public key) take them.
    public static func generateKeyPair() -> (signingKey: String, verificationKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (base64URL(key.rawRepresentation), base64URL(key.publicKey.rawRepresentation))
    }

    /// Writes a new key pair as an env file (`AUTH_SIGNING_KEY_ID`, `AUTH_SIGNING_KEY`,
    /// `AUTH_VERIFICATION_KEYS`) that services read through `CONFIG_FILE`, unless the file is
    /// already there: an installation keeps the key it was given on its first start.
    /// - Returns: whether a new key was written.
    @discardableResult
    public static func writeKeyFileIfAbsent(path: String, keyID: String) throws -> Bool {
        guard !FileManager.default.fileExists(atPath: path) else { return false }
        let pair = generateKeyPair()
        let text = """
            # Token keys of this installation, generated on its first start. Keep this file secret.
            AUTH_SIGNING_KEY_ID=\(keyID)
            AUTH_SIGNING_KEY=\(pair.signingKey)
            AUTH_VERIFICATION_KEYS=\(keyID)=\(pair.verificationKey)

            """
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(setting: "--env-file", problem: "cannot write \(path)")
        }
        return true
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Wrong passwords lock out: this many failures of one login, or from one address, within the
/// lock duration, and further attempts are refused until it has passed (002 §1: five failures
/// lock an account for 15 minutes). An address gets more tries, since an office shares one.
public struct LoginLockSettings: Sendable {
    public var failuresPerAccount: Int
    public var failuresPerAddress: Int
    public var lockDuration: Duration
}
