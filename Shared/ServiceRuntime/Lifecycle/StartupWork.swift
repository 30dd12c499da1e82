import Foundation
import Synchronization

/// Start-up work that needs objects built after the runtime (which runs it): set once while the
/// service is being built, run once when migrations are done.
public final class StartupWork: Sendable {
    private let work = Mutex<(@Sendable (PlatformRuntime) async throws -> Void)?>(nil)

    public init() {}

    public func set(_ body: @escaping @Sendable (PlatformRuntime) async throws -> Void) {
        work.withLock { $0 = body }
    }

    public func run(_ runtime: PlatformRuntime) async throws {
        if let body = work.withLock({ $0 }) { try await body(runtime) }
    }
}

/// The text of a resource file in a module's bundle (OpenAPI documents, templates).
public func resourceText(_ name: String, _ ext: String, bundle: Bundle) throws -> String {
    guard let url = bundle.url(forResource: name, withExtension: ext) else {
        throw ConfigurationError(setting: "\(name).\(ext)", problem: "is missing from \(bundle.bundlePath)")
    }
    return try String(contentsOf: url, encoding: .utf8)
}
