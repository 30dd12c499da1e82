import DemandDomain
import Foundation
import Hummingbird
import ServiceRuntime

/// Builds reporting (one process for every tier).
public func buildReportingApplication(settings: RuntimeSettings) async throws -> some ApplicationProtocol {
    let runtime = try await PlatformRuntime(settings: settings, migrations: [])
    let router = runtime.router(openAPI: try resourceText("openapi", "yaml", bundle: .module))
    return runtime.application(router: router)
}
