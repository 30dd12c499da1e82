import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// One service process of the stack: started with its environment, its output in a log file,
/// ready when `/readyz` answers 200; stopped with SIGTERM, or killed with SIGKILL on purpose.
public final class ServiceProcess: Sendable {
    public let name: String
    public let executable: String
    public let arguments: [String]
    public let environment: [String: String]
    public let port: Int
    public let logPath: String
    private let process = Mutex<Process?>(nil)

    public init(name: String, executable: String, arguments: [String] = [], environment: [String: String], port: Int, logPath: String) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.port = port
        self.logPath = logPath
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var pid: Int32? { process.withLock { $0?.isRunning == true ? $0?.processIdentifier : nil } }
    public var isRunning: Bool { pid != nil }

    public func start() throws {
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = arguments
        child.environment = environment
        child.standardOutput = log
        child.standardError = log
        try child.runWithSignalsUnblocked()
        process.withLock { $0 = child }
    }

    /// Waits until `/readyz` answers 200, or throws after `timeout`.
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard isRunning else { throw StackError("\(name) exited during start-up; see \(logPath)") }
            if await isReady() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw StackError("\(name) was not ready within \(timeout); see \(logPath)")
    }

    public func isReady() async -> Bool {
        var request = HTTPClientRequest(url: baseURL + "/readyz")
        request.method = .GET
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(3)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return response.status == .ok
    }

    /// SIGTERM, then waits up to `timeout` for a clean exit (SIGKILL after that). Returns the exit
    /// status, or nil when the process was not running or its end was never seen.
    @discardableResult
    public func stop(timeout: Duration = .seconds(20)) async -> Int32? {
        guard let child = process.withLock({ $0 }), child.isRunning else { return nil }
        child.terminate()
        if await waitForExit(child, within: timeout) { return child.terminationStatus }
        kill(child.processIdentifier, SIGKILL)
        return await waitForExit(child, within: Self.reapTimeout) ? child.terminationStatus : nil
    }

    /// kill -9: no clean-up at all, as a crash would be.
    public func kill9() async {
        guard let child = process.withLock({ $0 }), child.isRunning else { return }
        kill(child.processIdentifier, SIGKILL)
        _ = await waitForExit(child, within: Self.reapTimeout)
    }

    /// A killed process is gone at once; Foundation learns it a moment later. The wait is bounded
    /// so that a notice that never comes cannot hang a run.
    private static let reapTimeout: Duration = .seconds(15)

    private func waitForExit(_ child: Process, within timeout: Duration) async -> Bool {
        if await child.waitForExit(within: timeout) { return true }
        FileHandle.standardError.write(Data("\(name) (pid \(child.processIdentifier)) was not seen to exit within \(timeout)\n".utf8))
        return false
    }

    /// Resident memory in bytes, from /proc (Linux).
    /// The process's resident memory now (`/proc/<pid>/statm`, cheap enough to read often).
    public func residentBytes() -> Int? {
        guard let pid, let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The most resident memory the process has had since it started (`VmHWM`, kept by the kernel,
    /// so no peak between two samples is missed).
    public func peakResidentBytes() -> Int? {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }
}

public struct StackError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
public func freeLocalPort() throws -> Int {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { throw StackError("socket() failed") }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw StackError("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
