import Foundation
import JWTKit
@testable import ServiceRuntime
import Tenancy
import Testing

/// A token verified once is taken on trust until it expires, and never after.
@Suite("Signed tokens")
struct TokenServiceTests {
    static func service(lifetime: Duration) async throws -> TokenService {
        let key = try EdDSA.PrivateKey(d: AuthSettings.developmentSeed, curve: .ed25519)
        return await TokenService(settings: AuthSettings(
            signingKey: key, signingKeyID: "test", verificationKeys: ["test": key.publicKey], tokenLifetime: lifetime, bcryptCost: 4,
            usesDevelopmentKey: true,
            loginLock: LoginLockSettings(failuresPerAccount: 5, failuresPerAddress: 20, lockDuration: .seconds(60))))
    }

    let cadre = Principal(subject: "cadre-1", role: .cadre, tenant: TenantID(rawValue: "maojian"), name: "张三")

    @Test("A token verifies to its principal, again and again; a changed signature does not")
    func verifies() async throws {
        let tokens = try await Self.service(lifetime: .seconds(600))
        let signed = try await tokens.sign(cadre)
        #expect(try await tokens.verify(signed.token) == cadre)
        #expect(try await tokens.verify(signed.token) == cadre)
        // One character early in the signature changed (the last one carries padding bits too).
        var characters = Array(signed.token)
        let inSignature = try #require(characters.lastIndex(of: ".")) + 5
        characters[inSignature] = characters[inSignature] == "A" ? "B" : "A"
        let forged = String(characters)
        await #expect(throws: APIError.self) { try await tokens.verify(forged) }
    }

    @Test("A token verified while valid is refused once it has expired")
    func expires() async throws {
        let tokens = try await Self.service(lifetime: .seconds(60))
        let signed = try await tokens.sign(cadre, now: Date().addingTimeInterval(-59))
        #expect(try await tokens.verify(signed.token) == cadre)
        try await Task.sleep(for: .seconds(1.5))
        await #expect(throws: APIError.self) { try await tokens.verify(signed.token) }
    }
}
