import PortalService
import ServiceRuntime

await ServiceMain.run { try await PortalApp.build(settings: try await PortalSettings.load()) }
