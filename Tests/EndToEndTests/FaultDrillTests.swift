import Foundation
import LocalStack
import Testing
import Workload

extension EndToEnd {
    /// The fault harness, short: a minute of journeys while services are killed, a broker, Postgres
    /// and Kannel go down; then the same audit as `deploy/local/benchmark faults`.
    /// `deploy/local/test --filter FaultDrill` runs it alone.
    @Suite("Fault drill", .enabled(if: StackEnvironment.current.hasKannel))
    struct FaultDrillTests {
        @Test("Nothing is lost or done twice while services, a broker, Postgres and Kannel are broken")
        func drill() async throws {
            let stack = try await TestStack.shared.start()
            let settings = FaultDrill.Settings(
                duration: .seconds(60), actors: 4, faultLimit: 20, patience: .seconds(150), settleTimeout: .seconds(150))
            let report = try await FaultDrill(stack: stack, settings: settings) { print($0) }.run()
            print(FaultDrill.table(report))
            #expect(report.journeys > 0)
            // Every kind of fault happened at least once.
            #expect(Set(report.faults.map(\.fault.kind)).count == 4)
            for check in report.checks {
                #expect(check.passed, "\(check.name): \(check.violations.prefix(5).joined(separator: "; "))")
            }
        }
    }
}
