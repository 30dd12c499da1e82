import Foundation
import HummingbirdBcrypt

/// bcrypt password hashes. Hashing is deliberately slow, so it runs off the request's executor.
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    public init(cost: UInt8) {
        self.cost = cost
    }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await Task.detached { Bcrypt.hash(password, cost: cost) }.value
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await Task.detached { Bcrypt.verify(password, hash: hash) }.value
    }
}
