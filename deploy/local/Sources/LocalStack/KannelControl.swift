import Foundation

/// Stops and starts Kannel's smsbox (the HTTP side the notifier talks to), to test what happens
/// while the gateway is down.
public struct KannelControl: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    var pidFile: String { directory + "/smsbox.pid" }

    public func stopSMSBox() throws {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw StackError("no smsbox pid in \(pidFile)") }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
        // Wait until its port is really closed.
        for _ in 0..<50 where kill(pid, 0) == 0 { usleep(100_000) }
    }

    public func startSMSBox() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/sbin/smsbox")
        child.arguments = [directory + "/kannel.conf"]
        let log = FileHandle(forWritingAtPath: directory + "/smsbox.out") ?? FileHandle.nullDevice
        child.standardOutput = log
        child.standardError = log
        try child.run()
        try String(child.processIdentifier).write(toFile: pidFile, atomically: true, encoding: .utf8)
    }
}
