import DemandDomain
import Foundation
import InputValidation
import Logging
import PlatformAPI
import PlatformEvents
import PlatformWire
import ServiceRuntime
import Tenancy

/// The whole platform on one machine: intake and dispatch for every tier, one handling, notifier and
/// reporting, each a separate process on its own free loopback port, over the Postgres, dev Kafka
/// cluster and Kannel that `deploy/local/infra.sh` started.
public final class PlatformStack: Sendable {
    public struct Options: Sendable {
        /// Prefix of every service's Postgres schema, so that several stacks can share one database.
        public var schemaPrefix: String
        public var logLevel: String
        public var bcryptCost: Int
        public var deadlineScanIntervalMilliseconds: Int
        public var extraEnvironment: [String: String]

        public init(
            schemaPrefix: String = "",
            logLevel: String = "info",
            bcryptCost: Int = 10,
            deadlineScanIntervalMilliseconds: Int = 5000,
            extraEnvironment: [String: String] = [:]
        ) {
            self.schemaPrefix = schemaPrefix
            self.logLevel = logLevel
            self.bcryptCost = bcryptCost
            self.deadlineScanIntervalMilliseconds = deadlineScanIntervalMilliseconds
            self.extraEnvironment = extraEnvironment
        }
    }

    public let root: String
    public let environment: StackEnvironment
    public let tenants: TenantTree
    public let processes: [ServiceProcess]
    public let logDirectory: String
    let options: Options

    /// - Parameters:
    ///   - root: The repository root (for `deploy/local/tenants.json` and the directories).
    ///   - binDirectory: Where the built executables are.
    public init(root: String, binDirectory: String, environment: StackEnvironment, options: Options = Options()) throws {
        self.root = root
        self.environment = environment
        self.options = options
        let tenantsPath = root + "/deploy/local/tenants.json"
        guard let data = FileManager.default.contents(atPath: tenantsPath) else { throw StackError("cannot read \(tenantsPath)") }
        tenants = try JSONDecoder().decode(TenantTree.self, from: data)
        logDirectory = environment.stateDirectory + "/logs"
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        var processes: [ServiceProcess] = []
        let base = Self.baseEnvironment(environment, options: options, tenantsPath: tenantsPath)
        // A port is free only until a service binds it, and the kernel may offer a port again
        // that it just offered: each service gets one no other service of the stack got.
        var taken = Set<Int>()
        func add(_ kind: ServiceKind, tier: TenantID?, extra: [String: String] = [:]) throws {
            let name = tier.map { "\(kind.rawValue)-\($0)" } ?? kind.rawValue
            var port = try freeLocalPort()
            while !taken.insert(port).inserted { port = try freeLocalPort() }
            var variables = base.merging(extra) { $1 }
            variables["HTTP_PORT"] = String(port)
            variables["POSTGRES_SCHEMA"] = options.schemaPrefix + name.replacingOccurrences(of: "-", with: "_")
            if let tier { variables["TIER"] = tier.rawValue }
            processes.append(ServiceProcess(
                name: name, executable: binDirectory + "/" + kind.rawValue, environment: variables, port: port,
                logPath: "\(environment.stateDirectory)/logs/\(name).log"))
        }
        for tenant in tenants.tenants {
            try add(.intake, tier: tenant.id)
            try add(.dispatch, tier: tenant.id)
        }
        try add(.handling, tier: nil)
        try add(.notifier, tier: nil)
        try add(.reporting, tier: nil)
        try add(.portal, tier: nil, extra: Self.portalEnvironment(processes))
        self.processes = processes
    }

    /// Where the portal finds each service's API.
    static func portalEnvironment(_ processes: [ServiceProcess]) -> [String: String] {
        func urls(_ kind: ServiceKind) -> String {
            processes.filter { $0.name.hasPrefix(kind.rawValue + "-") }
                .map { "\($0.name.dropFirst(kind.rawValue.count + 1))=\($0.baseURL)" }.joined(separator: ",")
        }
        func url(_ kind: ServiceKind) -> String { processes.first { $0.name == kind.rawValue }?.baseURL ?? "" }
        return [
            "PORTAL_INTAKE_URLS": urls(.intake), "PORTAL_DISPATCH_URLS": urls(.dispatch), "PORTAL_HANDLING_URL": url(.handling),
            "PORTAL_NOTIFIER_URL": url(.notifier), "PORTAL_REPORTING_URL": url(.reporting),
        ]
    }

    static func baseEnvironment(_ environment: StackEnvironment, options: Options, tenantsPath: String) -> [String: String] {
        let passedOn: Set = ["PATH", "HOME", "LANG", "TASKS_ON_EVENT_LOOPS"]
        var variables = ProcessInfo.processInfo.environment.filter { passedOn.contains($0.key) }
        variables.merge([
            "POSTGRES_HOST": environment.postgresHost,
            "POSTGRES_PORT": String(environment.postgresPort),
            "POSTGRES_USER": environment.postgresUser,
            "POSTGRES_PASSWORD": environment.postgresPassword,
            "POSTGRES_DATABASE": environment.postgresDatabase,
            "KAFKA_BOOTSTRAP_SERVERS": environment.kafkaBootstrapServers ?? "127.0.0.1:9092",
            // A restarted group member rejoins quickly on the dev cluster (ARCHITECTURE).
            "KAFKA_PROPERTY_SESSION_TIMEOUT_MS": "6000",
            // The dev cluster answers a fetch that found nothing only when its whole wait is over
            // (librdkafka's mock cannot cut it short when data arrives, as a broker does), so the
            // default 500 ms would add up to half a second to every hop here. Each empty fetch
            // costs the cluster and the client CPU, so not much less.
            "KAFKA_PROPERTY_FETCH_WAIT_MAX_MS": "200",
            "TENANTS_FILE": tenantsPath,
            // The portal, on this machine, passes each person's address on to intake's login lock.
            "HTTP_TRUSTED_PROXIES": "127.0.0.1",
            // Marks the processes of this stack, so that clean-up finds exactly them.
            "PLATFORM_STATE_DIR": environment.stateDirectory,
            "LOG_LEVEL": options.logLevel,
            "AUTH_BCRYPT_COST": String(options.bcryptCost),
            "DEADLINE_SCAN_INTERVAL_MS": String(options.deadlineScanIntervalMilliseconds),
        ]) { $1 }
        let given = ProcessInfo.processInfo.environment
        // librdkafka properties the caller sets win, to try a setting on the whole stack.
        variables.merge(given.filter { $0.key.hasPrefix("KAFKA_PROPERTY_") }) { $1 }
        // A key pair of this stack's own (shared by its services) unless the caller gives one: the
        // development key in the code is for single processes on a developer's machine.
        if let signingKey = given["AUTH_SIGNING_KEY"] {
            variables["AUTH_SIGNING_KEY"] = signingKey
            variables["AUTH_SIGNING_KEY_ID"] = given["AUTH_SIGNING_KEY_ID"]
            variables["AUTH_VERIFICATION_KEYS"] = given["AUTH_VERIFICATION_KEYS"]
        } else {
            let keys = AuthSettings.generateKeyPair()
            variables["AUTH_SIGNING_KEY"] = keys.signingKey
            variables["AUTH_SIGNING_KEY_ID"] = "local"
            variables["AUTH_VERIFICATION_KEYS"] = "local=\(keys.verificationKey)"
        }
        if let url = environment.kannelSendSMSURL { variables["KANNEL_SENDSMS_URL"] = url }
        if let user = environment.kannelUser { variables["KANNEL_USER"] = user }
        if let password = environment.kannelPassword { variables["KANNEL_PASSWORD"] = password }
        variables.merge(options.extraEnvironment) { $1 }
        return variables
    }

    /// The processes that keep an outbox and an inbox (every one but the portal, which only calls APIs).
    public var messagingProcesses: [ServiceProcess] {
        processes.filter { $0.name != ServiceKind.portal.rawValue }
    }

    public func process(_ name: String) -> ServiceProcess {
        processes.first { $0.name == name }!
    }

    public func url(_ kind: ServiceKind, tier: TenantID? = nil) -> String {
        process(tier.map { "\(kind.rawValue)-\($0)" } ?? kind.rawValue).baseURL
    }

    /// Creates every tier's topics on the dev cluster (which does not implement CreateTopics).
    public func provisionTopics() async throws {
        guard let controlURL = environment.kafkaDevControlURL else {
            throw StackError("KAFKA_DEV_CONTROL_URL is not set; create the topics with `platformctl kafka create-topics`")
        }
        let control = DevClusterControl(baseURL: controlURL)
        for tenant in tenants.tenants {
            for topic in Topics.all(for: tenant.id) {
                try await control.createTopic(topic.name, partitions: topic.partitions)
            }
        }
    }

    /// Loads each tier's directory file through `intake import-directory` (the operator's path).
    public func importDirectories(binDirectory: String) async throws {
        for tenant in tenants.tenants {
            let file = "\(root)/deploy/local/directory/\(tenant.id).json"
            let intake = process("intake-\(tenant.id)")
            let child = Process()
            child.executableURL = URL(fileURLWithPath: binDirectory + "/intake")
            child.arguments = ["import-directory", file]
            child.environment = intake.environment
            if !FileManager.default.fileExists(atPath: intake.logPath) {
                _ = FileManager.default.createFile(atPath: intake.logPath, contents: nil)
            }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: intake.logPath))
            try log.seekToEnd()
            child.standardOutput = log
            child.standardError = log
            try child.runWithSignalsUnblocked()
            await child.waitForExit()
            guard child.terminationStatus == 0 else {
                throw StackError("importing \(file) failed (exit \(child.terminationStatus)); see \(intake.logPath)")
            }
        }
    }

    /// Everything a fresh stack needs, in order: topics, the demo directories, every service ready.
    /// Stops what it started when a step fails.
    public func launch(binDirectory: String, progress: (String) -> Void = { _ in }) async throws {
        progress("Creating Kafka topics for \(tenants.tenants.map(\.name).joined(separator: "、"))")
        try await provisionTopics()
        progress("Loading the demo directories (deploy/local/directory)")
        try await importDirectories(binDirectory: binDirectory)
        progress("Starting \(processes.count) services")
        do {
            try await start()
            progress("Waiting until every tier's dispatch has its directory")
            try await waitForDirectories()
        } catch {
            await stop()
            throw error
        }
    }

    /// The parts of a directory file the stack checks against.
    struct DirectoryFile: Decodable {
        struct Unit: Decodable {
            var id: String
            var countyTenant: String?
        }
        struct Person: Decodable {
            var name: String
            var role: Role
            var password: String?
        }
        var units: [Unit]
        var people: [Person]
    }

    /// Waits until each tier's dispatch lists the units of its directory file: the directory
    /// reaches dispatch over Kafka a moment after intake imported it, and a routing to a unit not
    /// yet known there is refused.
    public func waitForDirectories(timeout: Duration = .seconds(90)) async throws {
        let client = PlatformClient(stack: self)
        for tenant in tenants.tenants {
            let path = "\(root)/deploy/local/directory/\(tenant.id).json"
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let file = try JSONDecoder().decode(DirectoryFile.self, from: data)
            guard let dispatcher = file.people.first(where: { $0.role == .dispatcher }), let password = dispatcher.password else {
                continue
            }
            let session = try await client.login(tier: tenant.id, login: dispatcher.name, password: password)
            let expected = Set(file.units.filter { $0.countyTenant == nil }.map(\.id))
            _ = try await eventually("\(tenant.name) dispatch knows its \(expected.count) units", timeout: timeout,
                upTo: .milliseconds(500))
            {
                let known = Set(try await client.units(session).map(\.id))
                return expected.isSubset(of: known) ? true : nil
            }
        }
    }

    /// Starts every service and waits until each answers `/readyz`.
    public func start(timeout: Duration = .seconds(90)) async throws {
        for process in processes where !process.isRunning { try process.start() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for process in processes {
                group.addTask { try await process.waitUntilReady(timeout: timeout) }
            }
            try await group.waitForAll()
        }
    }

    /// Stops every service with SIGTERM (in parallel) and returns each exit status.
    @discardableResult
    public func stop() async -> [String: Int32?] {
        await withTaskGroup(of: (String, Int32?).self) { group in
            for process in processes {
                group.addTask { (process.name, await process.stop()) }
            }
            var statuses: [String: Int32?] = [:]
            for await (name, status) in group { statuses[name] = status }
            return statuses
        }
    }
}
