import DemandDomain
import HandlingService
import ServiceRuntime
import Tenancy

// Handling, for every tier; settings come from the environment (README).
await ServiceMain.run {
    try await buildHandlingApplication(settings: try await RuntimeSettings.load(service: .handling, perTier: false, defaultPort: 8083))
}
