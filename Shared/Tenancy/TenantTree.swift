import Foundation

/// The tiers of a deployment as a tree (province > city > county > township).
///
/// Built once from configuration and validated: every parent exists, no cycles, and a child sits at a
/// lower level than its parent.
public struct TenantTree: Sendable, Codable {
    public let tenants: [Tenant]
    private let byID: [TenantID: Tenant]
    private let childrenByID: [TenantID: [TenantID]]

    public enum ValidationError: Error, Equatable, CustomStringConvertible {
        case duplicate(TenantID)
        case unknownParent(TenantID, parent: TenantID)
        case levelNotBelowParent(TenantID)
        case cycle(TenantID)
        case empty

        public var description: String {
            switch self {
            case .duplicate(let id): "tenant '\(id)' is defined twice"
            case .unknownParent(let id, let parent): "tenant '\(id)' names unknown parent '\(parent)'"
            case .levelNotBelowParent(let id): "tenant '\(id)' must sit at a lower level than its parent"
            case .cycle(let id): "tenant '\(id)' is its own ancestor"
            case .empty: "no tenants are configured"
            }
        }
    }

    public init(_ tenants: [Tenant]) throws(ValidationError) {
        guard !tenants.isEmpty else { throw .empty }
        var byID: [TenantID: Tenant] = [:]
        for tenant in tenants {
            guard byID[tenant.id] == nil else { throw .duplicate(tenant.id) }
            byID[tenant.id] = tenant
        }
        var children: [TenantID: [TenantID]] = [:]
        for tenant in tenants {
            guard let parentID = tenant.parent else { continue }
            guard let parent = byID[parentID] else { throw .unknownParent(tenant.id, parent: parentID) }
            guard parent.level < tenant.level else { throw .levelNotBelowParent(tenant.id) }
            children[parentID, default: []].append(tenant.id)
        }
        for tenant in tenants {
            var seen: Set<TenantID> = [tenant.id]
            var current = tenant.parent
            while let id = current {
                guard seen.insert(id).inserted else { throw .cycle(tenant.id) }
                current = byID[id]?.parent
            }
        }
        self.tenants = tenants
        self.byID = byID
        self.childrenByID = children.mapValues { $0.sorted() }
    }

    public init(from decoder: any Decoder) throws {
        let tenants = try [Tenant](from: decoder)
        do {
            try self.init(tenants)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try tenants.encode(to: encoder)
    }

    public subscript(id: TenantID) -> Tenant? { byID[id] }

    public func contains(_ id: TenantID) -> Bool { byID[id] != nil }

    public func children(of id: TenantID) -> [TenantID] { childrenByID[id] ?? [] }

    /// The tenant itself and every tier below it, parents before children.
    public func subtree(of root: TenantID) -> [TenantID] {
        guard byID[root] != nil else { return [] }
        var result: [TenantID] = [root]
        var index = 0
        while index < result.count {
            result.append(contentsOf: children(of: result[index]))
            index += 1
        }
        return result
    }

    /// Whether `tenant` is `root` or lies below it.
    public func isInSubtree(_ tenant: TenantID, of root: TenantID) -> Bool {
        var current: TenantID? = tenant
        while let id = current {
            if id == root { return true }
            current = byID[id]?.parent
        }
        return false
    }
}
