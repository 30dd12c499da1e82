import Foundation
import InputValidation
import JWTKit
import Synchronization
import Tenancy

/// The claims of a platform token: who, in which role, tier, unit or enterprise.
struct PlatformClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var iss: IssuerClaim
    var role: Role
    var tenant: TenantID
    var unit: String?
    var enterprise: String?
    var name: String?
    /// A dispatcher's industry groups.
    var groups: [IndustryGroup]?

    static let issuer = "qyfw-platform"

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Self.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "wrong issuer") }
    }
}

/// Signs (intake) and verifies (every service) EdDSA-signed JWTs.
public struct TokenService: Sendable {
    private let keys: JWTKeyCollection
    private let signingKeyID: String?
    private let lifetime: Duration
    private let verified = VerifiedTokens(capacity: 4096)

    public init(settings: AuthSettings) async {
        let keys = JWTKeyCollection()
        for (kid, key) in settings.verificationKeys.sorted(by: { $0.key < $1.key }) {
            await keys.add(eddsa: key, kid: JWKIdentifier(string: kid))
        }
        if let signingKey = settings.signingKey {
            // The signing key replaces the verification entry of the same kid (same public key).
            await keys.add(eddsa: signingKey, kid: JWKIdentifier(string: settings.signingKeyID))
        }
        self.keys = keys
        self.signingKeyID = settings.signingKey == nil ? nil : settings.signingKeyID
        self.lifetime = settings.tokenLifetime
    }

    public struct SignedToken: Sendable, Codable {
        public var token: String
        public var expiresAt: Date
    }

    public func sign(_ principal: Principal, now: Date = Date()) async throws -> SignedToken {
        guard let signingKeyID else { throw APIError.internalError }
        let expiry = now.addingTimeInterval(TimeInterval(lifetime.components.seconds))
        let claims = PlatformClaims(
            sub: .init(value: principal.subject), exp: .init(value: expiry), iat: .init(value: now),
            iss: .init(value: PlatformClaims.issuer), role: principal.role, tenant: principal.tenant,
            unit: principal.unitID, enterprise: principal.enterpriseID, name: principal.name,
            groups: principal.industryGroups)
        let token = try await keys.sign(claims, kid: JWKIdentifier(string: signingKeyID))
        return SignedToken(token: token, expiresAt: expiry)
    }

    public func verify(_ token: String) async throws -> Principal {
        if let principal = verified.principal(for: token, now: Date()) { return principal }
        let claims: PlatformClaims
        do {
            claims = try await keys.verify(token, as: PlatformClaims.self)
        } catch {
            throw APIError.invalidToken
        }
        let principal = Principal(subject: claims.sub.value, role: claims.role, tenant: claims.tenant, unitID: claims.unit,
            enterpriseID: claims.enterprise, name: claims.name, industryGroups: claims.groups)
        verified.remember(token, principal: principal, expiresAt: claims.exp.value)
        return principal
    }
}

/// Tokens this service verified, with the principal each carries, until they expire: a person's
/// next requests skip the signature check (an Ed25519 verification and a hop to the key
/// collection's actor, about 3 % of a busy service's CPU). The same token string is the same
/// signed claims, so the answer is the one verifying again would give.
final class VerifiedTokens: Sendable {
    private struct Entry {
        var principal: Principal
        var expiresAt: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func principal(for token: String, now: Date) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard now < entry.expiresAt else {
                entries[token] = nil
                return nil
            }
            return entry.principal
        }
    }

    func remember(_ token: String, principal: Principal, expiresAt: Date) {
        entries.withLock { entries in
            if entries[token] == nil, entries.count >= capacity { entries.remove(at: entries.startIndex) }
            entries[token] = Entry(principal: principal, expiresAt: expiresAt)
        }
    }
}
