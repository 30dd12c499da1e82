import Configuration
import Foundation

/// A setting that is missing or malformed, named as the operator sets it (`POSTGRES_PORT`).
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var setting: String
    public var problem: String

    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String { "configuration: \(setting) \(problem)" }
}

/// Reads settings from the environment, and from an env file if `CONFIG_FILE` names one (the
/// environment wins). Keys are dotted (`postgres.port`) and map to upper-case variables
/// (`POSTGRES_PORT`). Unlike a plain lookup, a value that is present but malformed is an error
/// naming the variable, never a silent fall-back to the default.
public struct SettingsReader: Sendable {
    private let reader: ConfigReader
    private let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        // A variable set to nothing is unset, so that an env file can still provide it (compose
        // writes `${AUTH_SIGNING_KEY:-}` as an empty variable).
        let environment = environment.filter { !$0.value.isEmpty }
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment)]
        var merged = environment
        if let file = environment["CONFIG_FILE"] {
            let fromFile = try Self.readEnvironmentFile(file)
            providers.append(EnvironmentVariablesProvider(environmentVariables: fromFile))
            merged = fromFile.merging(environment) { $1 }
        }
        self.reader = ConfigReader(providers: providers)
        self.environment = merged
    }

    /// `KEY=value` lines; blank lines and `#` comments are skipped.
    static func readEnvironmentFile(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(setting: "CONFIG_FILE", problem: "names a file that cannot be read: \(path)")
        }
        var result: [String: String] = [:]
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ConfigurationError(setting: "CONFIG_FILE", problem: "line \(number + 1) of \(path) is not KEY=value")
            }
            result[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        return result
    }

    /// The environment variable a dotted key maps to.
    public static func variable(_ key: String) -> String {
        key.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_").uppercased()
    }

    private func configKey(_ key: String) -> ConfigKey { ConfigKey(key.split(separator: ".").map(String.init)) }

    public func string(_ key: String, isSecret: Bool = false) -> String? {
        reader.string(forKey: configKey(key), isSecret: isSecret).flatMap { $0.isEmpty ? nil : $0 }
    }

    public func string(_ key: String, default value: String, isSecret: Bool = false) -> String {
        string(key, isSecret: isSecret) ?? value
    }

    public func requiredString(_ key: String, isSecret: Bool = false) throws -> String {
        guard let value = string(key, isSecret: isSecret) else {
            throw ConfigurationError(setting: Self.variable(key), problem: "is required but not set")
        }
        return value
    }

    public func int(_ key: String, default value: Int, range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let text = string(key) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(setting: Self.variable(key), problem: "must be a whole number in \(range), got '\(text)'")
        }
        return number
    }

    public func double(_ key: String, default value: Double) throws -> Double {
        guard let text = string(key) else { return value }
        guard let number = Double(text) else {
            throw ConfigurationError(setting: Self.variable(key), problem: "must be a number, got '\(text)'")
        }
        return number
    }

    public func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let text = string(key)?.lowercased() else { return value }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(setting: Self.variable(key), problem: "must be true or false, got '\(text)'")
        }
    }

    /// Every variable that starts with a prefix, without it: `KAFKA_PROPERTY_SECURITY_PROTOCOL=SSL`
    /// becomes `security.protocol=SSL` for librdkafka pass-through.
    public func librdkafkaProperties(prefix: String = "KAFKA_PROPERTY_") -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(prefix) {
            result[name.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: ".")] = value
        }
        return result
    }
}
