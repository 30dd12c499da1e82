import DemandDomain
import DemandStore
import Foundation
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// What every service of demands answers when a person reads: one demand, or a list, each only as
/// far as the access policy lets them see. A service that also scopes its reads in Postgres
/// (handling's row-level security) gives `prepare`, which runs first in each reading transaction.
public struct DemandReader: Sendable {
    public typealias Preparation = @Sendable (Principal, PostgresConnection) async throws -> Void

    let database: Database
    let repository: DemandRepository
    let rules: TierRules
    let prepare: Preparation?

    public init(database: Database, repository: DemandRepository, rules: TierRules, prepare: Preparation? = nil) {
        self.database = database
        self.repository = repository
        self.rules = rules
        self.prepare = prepare
    }

    /// One demand as the person may see it; 404 alike for one that does not exist and one they may
    /// not read, so that ids reveal nothing.
    public func view(_ id: UUID, for principal: Principal) async throws -> DemandView {
        let repository = self.repository
        let current = try await read(as: principal) { try await repository.loadCurrent(id, on: $0) }
        guard let current, rules.policy.canRead(current.visibility, as: principal) else { throw APIError.demandNotFound }
        return DemandView(current, rules: rules)
    }

    /// The demands the filter selects among those the person may read.
    public func list(for principal: Principal, filter: DemandFilter) async throws -> [DemandListItem] {
        let (repository, policy) = (self.repository, rules.policy)
        return try await read(as: principal) { try await repository.list(for: principal, policy: policy, filter: filter, on: $0) }
    }

    /// A tier's own list (its queue, its demands): 403 for a person who may not use the tier's lists.
    public func list(of tier: TenantID, for principal: Principal, filter: DemandFilter) async throws -> [DemandListItem] {
        guard rules.policy.canUseTier(tier, as: principal) else { throw APIError.forbiddenTenant }
        return try await list(for: principal, filter: filter)
    }

    /// A demand the person is about to act on, locked until the caller's transaction ends; 404 like
    /// ``view(_:for:)`` when it does not exist or the person may not read it.
    public func lockReadable(_ id: UUID, by principal: Principal, on connection: PostgresConnection) async throws -> Demand {
        guard let demand = try await repository.load(id, forUpdate: true, on: connection),
            rules.policy.canRead(DemandVisibility(demand), as: principal)
        else { throw APIError.demandNotFound }
        return demand
    }

    private func read<Value: Sendable>(
        as principal: Principal, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        guard let prepare else { return try await database.withConnection(body) }
        return try await database.transaction { connection in
            try await prepare(principal, connection)
            return try await body(connection)
        }
    }
}
