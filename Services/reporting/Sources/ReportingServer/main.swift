import DemandDomain
import ReportingService
import ServiceRuntime

// Reporting, for every tier; settings come from the environment (README).
await ServiceMain.run {
    try await buildReportingApplication(settings: try await RuntimeSettings.load(service: .reporting, perTier: false, defaultPort: 8085))
}
