import DemandDomain
import Foundation
import InputValidation
import LocalStack
import Tenancy
import Testing

extension EndToEnd {
@Suite("Web platform in the browser")
struct PortalBrowserTests {
    /// Where the journey's screenshots go: `PORTAL_SCREENSHOT_DIR` (set it to
    /// `Services/portal/screenshots` to refresh the README's pictures), else the run's state folder.
    static var screenshotDirectory: String {
        ProcessInfo.processInfo.environment["PORTAL_SCREENSHOT_DIR"]
            ?? StackEnvironment.current.stateDirectory + "/portal-screenshots"
    }

    @Test("Chromium plays district, escalated, returned and sent-back journeys, a first login and a bulk dispatch as the people of both tiers")
    func wholeJourneyInChromium() async throws {
        let stack = try await TestStack.shared.start()
        let directory = Self.screenshotDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = TestStack.repositoryRoot + "/Services/portal/browser-tests/portal_journey.py"
        let (status, output) = try await runCommand(["python3", script, stack.url(.portal) + "/", directory])
        // Printed as well: a long issue text can be cut from the test report.
        if status != 0 { print("the browser journey failed:\n\(output)") }
        #expect(status == 0, "the browser journey failed:\n\(output)")
        for page in ["login", "enterprise-home", "enterprise-form-errors", "cadre-home", "dispatcher-demand", "unit-home",
            "enterprise-demand-phone", "office-home"]
        {
            #expect(FileManager.default.fileExists(atPath: "\(directory)/\(page).png"), "no screenshot of \(page)")
        }
    }
}
}
