import Logging
import ServiceLifecycle
import ServiceRuntime
import Synchronization
import Testing

/// The start-up gate that consumers and scanners wait behind: a service told to stop before its
/// migrations ran must stop, not wait for a gate that will never open.
@Suite("Start-up gate", .timeLimit(.minutes(1)))
struct StartupGateTests {
    /// Counts how often the gated service ran.
    final class Runs: Service {
        let count = Atomic<Int>(0)
        func run() async throws { count.add(1, ordering: .relaxed) }
    }

    /// Ends its run only when the group shuts down.
    struct UntilShutdown: Service {
        func run() async throws { try? await gracefulShutdown() }
    }

    /// Fails at once, as an HTTP server whose port is taken does.
    struct FailsAtStart: Service {
        struct PortTaken: Error {}
        func run() async throws { throw PortTaken() }
    }

    @Test("A waiter whose task is cancelled returns though the gate never opens; an open gate lets waiters through")
    func cancelledWaiterReturns() async {
        let gate = StartupGate()
        let waiting = Task { await gate.wait() }
        try? await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await waiting.value
        #expect(!gate.isOpen)
        let beforeRegistering = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await gate.wait()
        }
        await beforeRegistering.value
        gate.open()
        await gate.wait()
        #expect(gate.isOpen)
    }

    @Test("A service that fails at start stops the process's group though the gate never opened; the gated service never ran")
    func failureBeforeTheGateOpensStopsTheGroup() async throws {
        let gate = StartupGate()
        let gated = Runs()
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: UntilShutdown()),
                .init(service: GatedService(gate: gate, gated)),
                .init(service: FailsAtStart(), successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            logger: Logger(label: "gate-test")))
        await #expect(throws: FailsAtStart.PortTaken.self) { try await group.run() }
        #expect(gated.count.load(ordering: .relaxed) == 0)
    }
}
