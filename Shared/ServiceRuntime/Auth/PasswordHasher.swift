import Dispatch
import HummingbirdBcrypt

/// bcrypt password hashes. Hashing is deliberately slow, so it runs on Dispatch's pool, off the
/// event loops where the service's tasks and I/O run.
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    public init(cost: UInt8) {
        self.cost = cost
    }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await Self.offEventLoops { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        await Self.offEventLoops { Bcrypt.verify(password, hash: hash) }
    }

    private static func offEventLoops<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
