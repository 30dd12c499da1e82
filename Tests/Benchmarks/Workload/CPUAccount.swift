import Foundation

/// CPU time used by every program on the machine, by program name (from /proc), so that a run can
/// say where its time went: the services, Postgres, the Kafka cluster, Kannel, the load itself.
public struct CPUAccount: Sendable {
    /// Program name → CPU seconds (user and system) of its live processes.
    public var secondsByProgram: [String: Double]

    public static func snapshot() -> CPUAccount {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        var seconds: [String: Double] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in entries where pid.allSatisfy(\.isNumber) {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            // Fields after the name: state is field 3, utime 14, stime 15.
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            seconds[name, default: 0] += (user + system) / ticksPerSecond
        }
        return CPUAccount(secondsByProgram: seconds)
    }

    /// CPU seconds used between `earlier` and this snapshot, by program, largest first; programs
    /// that used less than 10 ms are left out.
    public func since(_ earlier: CPUAccount) -> [(program: String, seconds: Double)] {
        secondsByProgram.map { ($0.key, $0.value - (earlier.secondsByProgram[$0.key] ?? 0)) }
            .filter { $0.1 >= 0.01 }
            .sorted { $0.1 > $1.1 }
    }
}
