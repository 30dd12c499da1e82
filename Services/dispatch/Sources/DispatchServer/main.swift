import DemandDomain
import DispatchService
import ServiceRuntime
import Tenancy

// A tier's dispatch service; settings come from the environment (README).
await ServiceMain.run {
    try await buildDispatchApplication(settings: try await RuntimeSettings.load(service: .dispatch, perTier: true, defaultPort: 8082))
}
