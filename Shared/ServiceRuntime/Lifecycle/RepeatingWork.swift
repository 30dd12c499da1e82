import Logging
import ServiceLifecycle

/// Runs `work` at start and then every `interval` until shutdown: for checks that look once an hour
/// whether something is due today (the cadres' monthly reminders, the periodic returns' reminders).
/// A failed round is logged and the next one comes as usual; a graceful shutdown ends the long wait
/// at once.
public struct RepeatingWork: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    public init(_ name: String, every interval: Duration, logger: Logger, work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await work()
            } catch is CancellationError {
                return
            } catch {
                logger.error("\(name) failed", metadata: ["error": "\(error)"])
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }
}
