import Hummingbird

/// The operations an OpenAPI document lists, read from its `paths:` block.
///
/// Each service ships its document as a resource and refuses to start when the document and the
/// router disagree, so a route cannot be added, renamed or removed without the contract following.
/// The reader expects the layout every service's document uses: path keys indented two spaces
/// under `paths:`, operation keys four.
public struct OpenAPIOperations: Equatable, Sendable {
    public let operations: Set<String>

    public init(document: String) {
        var operations = Set<String>()
        var inPaths = false
        var currentPath: String?
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = String(line)
            if !text.hasPrefix(" "), !text.isEmpty, !text.hasPrefix("#") {
                inPaths = text.hasPrefix("paths:")
                currentPath = nil
                continue
            }
            guard inPaths else { continue }
            if let path = Self.key(in: text, indent: 2), path.hasPrefix("/") {
                currentPath = path
            } else if let method = Self.key(in: text, indent: 4), Self.methods.contains(method), let path = currentPath {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        self.operations = operations
    }

    public init<Context>(routes: [Router<Context>.RouteDescription]) {
        operations = Set(routes.map { "\($0.method.rawValue) \($0.path.description)" })
    }

    /// Throws naming every operation present on one side only.
    public func requireSame(as documented: OpenAPIOperations) throws {
        let undocumented = operations.subtracting(documented.operations).sorted()
        let unrouted = documented.operations.subtracting(operations).sorted()
        guard undocumented.isEmpty, unrouted.isEmpty else {
            var problems: [String] = []
            if !undocumented.isEmpty { problems.append("does not document \(undocumented.joined(separator: ", "))") }
            if !unrouted.isEmpty { problems.append("documents routes the service lacks: \(unrouted.joined(separator: ", "))") }
            throw ConfigurationError(setting: "openapi.yaml", problem: problems.joined(separator: "; "))
        }
    }

    private static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]

    private static func key(in line: String, indent: Int) -> String? {
        let prefix = String(repeating: " ", count: indent)
        guard line.hasPrefix(prefix), line.dropFirst(indent).first != " ", let colon = line.firstIndex(of: ":") else {
            return nil
        }
        return String(line[line.index(line.startIndex, offsetBy: indent)..<colon])
    }
}
