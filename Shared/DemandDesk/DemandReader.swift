import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// What every service of demands answers when a person reads: one demand, or a list, each only as
/// far as the access policy lets them see, in Postgres too (each read enters the person's
/// ``DemandScope``, which the demand table's row-level security applies).
public struct DemandReader: Sendable {
    /// The pool for people's reads (`PlatformRuntime.readers`), whose connections start in no scope.
    let database: Database
    let repository: DemandRepository
    let rules: TierRules
    /// Where a read that waits for a change (``answer(_:for:to:)``) learns of the service's commits.
    let changes: ChangeFeed

    public init(database: Database, repository: DemandRepository, rules: TierRules, changes: ChangeFeed) {
        self.database = database
        self.repository = repository
        self.rules = rules
        self.changes = changes
    }

    /// One demand as the person may see it; 404 alike for one that does not exist and one they may
    /// not read, so that ids reveal nothing.
    public func view(_ id: UUID, for principal: Principal) async throws -> DemandView {
        let repository = self.repository
        let current = try await transaction(as: principal) { try await repository.loadCurrent(id, on: $0) }
        guard let current, rules.policy.canRead(current.visibility, as: principal) else { throw APIError.demandNotFound }
        return DemandView(current, rules: rules)
    }

    /// `GET /demands/{id}`: the demand as ``view(_:for:)`` shows it, to a read that may wait for it
    /// to change (``ConditionalRead``): a caller waiting for a hand-off asks once.
    public func answer(_ id: UUID, for principal: Principal, to request: Request) async throws -> Response {
        try await ConditionalRead(request).respond(watching: DemandRepository.changeName(of: id), in: changes) {
            try await view(id, for: principal).representation(for: request)
        }
    }

    /// The demands the filter selects among those the person may read.
    public func list(for principal: Principal, filter: DemandFilter) async throws -> [DemandListItem] {
        let (repository, scope) = (self.repository, rules.policy.scope(for: principal))
        return try await transaction(as: principal) { try await repository.list(in: scope, filter: filter, on: $0) }
    }

    /// A tier's own list (its queue, its demands): 403 for a person who may not use the tier's lists.
    public func list(of tier: TenantID, for principal: Principal, filter: DemandFilter) async throws -> [DemandListItem] {
        guard rules.policy.canUseTier(tier, as: principal) else { throw APIError.forbiddenTenant }
        return try await list(for: principal, filter: filter)
    }

    /// A demand the person is about to act on, locked until the caller's transaction ends; 404 like
    /// ``view(_:for:)`` when it does not exist or the person may not read it. The caller's
    /// transaction is on the service's own pool, in the service's scope: what the action leaves
    /// behind may be beyond the person's sight (a return leaves no unit assigned), and the service
    /// writes it. So whether the person may act is decided here, by the policy on the one row
    /// loaded, not by row-level security.
    public func lockReadable(_ id: UUID, by principal: Principal, on connection: PostgresConnection) async throws -> Demand {
        guard let demand = try await repository.load(id, forUpdate: true, on: connection),
            rules.policy.scope(for: principal).admits(DemandVisibility(demand))
        else { throw APIError.demandNotFound }
        return demand
    }

    /// Runs `body` in a transaction that sees only the demands the person may read.
    public func transaction<Value: Sendable>(
        as principal: Principal, _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        let (scope, logger) = (rules.policy.scope(for: principal), repository.logger)
        return try await database.transaction { connection in
            try await scope.enter(on: connection, logger: logger)
            return try await body(connection)
        }
    }
}
