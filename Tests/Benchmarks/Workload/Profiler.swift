import Foundation
import LocalStack

/// A system-wide CPU profile with perf for a few seconds while the load runs: which programs and
/// libraries, and which functions, the samples fell in.
public enum Profiler {
    public struct Profile: Codable, Sendable {
        /// "share  program  library" lines, largest first.
        public var byProgramAndLibrary: [String]
        /// "share  program  function" lines, largest first.
        public var byFunction: [String]
    }

    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/perf") }

    public static func record(seconds: Int, lines: Int = 25) async throws -> Profile {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("load-benchmark-\(UUID()).perf").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try await runToCompletion("/usr/bin/perf", ["record", "-F", "499", "-a", "-o", data, "--", "sleep", String(seconds)])
        func report(_ sort: String) async throws -> [String] {
            let text = try await runToCompletion("/usr/bin/perf", ["report", "-i", data, "--stdio", "--no-children", "--sort", sort])
            return text.split(separator: "\n")
                .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                .prefix(lines).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return Profile(byProgramAndLibrary: try await report("comm,dso"), byFunction: try await report("comm,sym"))
    }
}
