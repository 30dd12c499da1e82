import DemandDomain
import NotifierService
import ServiceRuntime
import Tenancy

// The notifier, for every tier; settings come from the environment (README).
await ServiceMain.run {
    try await buildNotifierApplication(settings: try await RuntimeSettings.load(service: .notifier, perTier: false, defaultPort: 8084))
}
