import ArgumentParser
import DemandDomain
import Foundation
import InputValidation
import Kafka
import Logging
import PlatformEvents
import PlatformWire
import ServiceRuntime
import Tenancy

/// Operator commands.
@main
struct PlatformCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platformctl",
        abstract: "Operator tools for the enterprise demand platform.",
        subcommands: [Calendar.self, KafkaTopics.self, GenerateKeys.self])
}

/// Prints working days with the reason for each, so that an office can check the data against a
/// newly published State Council notice (or its own closures).
struct Calendar: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a date range day by day: working day or not, and why.")

    @Option(help: "First day (YYYY-MM-DD).")
    var from: String

    @Option(help: "Last day (YYYY-MM-DD), inclusive.")
    var to: String

    @Flag(help: "CSV (UTF-8 with a byte-order mark) instead of text.")
    var csv = false

    @Option(help: "A tier whose own closures and working days to include (from --adjustments).")
    var tier: String?

    @Option(help: "Tier adjustments file, as CALENDAR_ADJUSTMENTS_FILE.")
    var adjustments: String?

    func run() throws {
        guard let start = CivilDate(from), let end = CivilDate(to), start <= end else {
            throw ValidationError("--from and --to must be dates YYYY-MM-DD, --from not after --to")
        }
        var tierAdjustments: [TierDayAdjustment] = []
        if let tier {
            guard let adjustments else { throw ValidationError("--tier needs --adjustments") }
            guard let data = FileManager.default.contents(atPath: adjustments) else {
                throw ValidationError("cannot read \(adjustments)")
            }
            let all = try JSONDecoder().decode([String: [TierDayAdjustment]].self, from: data)
            tierAdjustments = all[tier] ?? []
        }
        let calendar = try WorkingCalendar.official(adjustments: tierAdjustments)
        let days: [CalendarDay]
        do {
            days = try calendar.days(from: start, through: end)
        } catch {
            throw ValidationError("\(error)")
        }
        if csv {
            var lines = ["\u{FEFF}日期,星期,是否工作日,说明,数据状态"]
            for day in days {
                lines.append("\(day.date),\(day.date.chineseWeekday),\(day.isWorkingDay ? "是" : "否"),\(day.explanation),"
                    + (day.isProvisional ? "暂定（通知未发布）" : "正式"))
            }
            print(lines.joined(separator: "\r\n"), terminator: "\r\n")
        } else {
            for day in days {
                let mark = day.isWorkingDay ? "工作日" : "休息日"
                print("\(day.date) \(day.date.chineseWeekday) \(mark) \(day.explanation)\(day.isProvisional ? "（暂定）" : "")")
            }
        }
    }
}

/// Creates every tier's topics on a real Kafka cluster through the admin API (the dev cluster does
/// not implement CreateTopics; the local stack creates them through its control interface).
struct KafkaTopics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-topics", abstract: "Create (idempotently) every tier's Kafka topics.")

    @Option(help: "Bootstrap servers.")
    var bootstrapServers: String

    @Option(help: "Tenants file.")
    var tenants = "deploy/local/tenants.json"

    @Option(help: "Replication factor.")
    var replicationFactor: Int32 = 3

    @Option(help: "librdkafka properties, key=value (repeatable), for example security.protocol=SASL_SSL.")
    var property: [String] = []

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: tenants) else { throw ValidationError("cannot read \(tenants)") }
        let tree = try JSONDecoder().decode(TenantTree.self, from: data)
        var overrides: [String: String] = [:]
        for entry in property {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--property takes key=value, got \(entry)") }
            overrides[parts[0]] = parts[1]
        }
        let admin = try KafkaAdminClient(bootstrapServers: bootstrapServers, overrides: overrides, logger: Logger(label: "platformctl"))
        var specs: [KafkaTopicSpecification] = []
        for tenant in tree.tenants {
            for topic in Topics.all(for: tenant.id) {
                specs.append(KafkaTopicSpecification(name: topic.name, partitions: Int32(topic.partitions),
                    replicationFactor: replicationFactor, config: topic.config))
            }
        }
        let outcome = try await admin.createTopics(specs)
        for spec in specs {
            print("\(spec.name): \(outcome[spec.name] == .created ? "created" : "already there")")
        }
    }
}

/// Prints a new token signing key pair as settings, for a new installation or a key rotation
/// (deploy/README.md, "Rotating the signing key"); with `--env-file`, writes it there instead
/// unless the file exists (the compose installation's first start).
struct GenerateKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-keys", abstract: "Print (or write once to a file) a new Ed25519 token signing key pair as settings.")

    @Option(help: "The key id tokens will carry (kid).")
    var keyID = "key-\(Date.now.formatted(.iso8601.year().month()))"

    @Option(help: "Write the pair to this env file (for CONFIG_FILE) if it does not exist yet; keep the file that is there.")
    var envFile: String?

    func run() throws {
        if let envFile {
            let written = try AuthSettings.writeKeyFileIfAbsent(path: envFile, keyID: keyID)
            print(written ? "wrote a new key pair to \(envFile)" : "kept the key pair in \(envFile)")
            return
        }
        let pair = AuthSettings.generateKeyPair()
        print("AUTH_SIGNING_KEY_ID=\(keyID)")
        print("AUTH_SIGNING_KEY=\(pair.signingKey)")
        print("# add to AUTH_VERIFICATION_KEYS (comma separated) on every service:")
        print("\(keyID)=\(pair.verificationKey)")
    }
}
