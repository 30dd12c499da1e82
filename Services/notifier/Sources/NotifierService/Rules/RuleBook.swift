import DemandDomain
import Foundation
import InputValidation
import PlatformEvents
import Tenancy

/// Who a rule texts.
public enum RecipientKind: String, Codable, Sendable, CaseIterable {
    case pairedCadre
    case enterpriseContact
    case tierDispatchers
    /// The dispatcher who routed the demand last (all the tier's dispatchers if unknown).
    case lastDispatcher
    case leadUnitAdmins
    /// The administrators of every cooperating unit (配合单位).
    case cooperatingUnitAdmins
    case tierOffice
    /// Whoever holds the step a deadline alert is about.
    case stepHolder
    /// Those who owe the periodic returns a reminder is about: a unit's administrators, or the office's
    /// staff (``ReturnReminderEvent``).
    case returnSubmitters
    /// The tier's leaders on the office's list for the monthly bulletin (``BriefingIssuedEvent``).
    case briefingRecipients
    /// The contact an enterprise named in its online account application (``AccountApplicationDecidedEvent``).
    case applicant
    /// The administrators of the unit a prompt letter is sent to (``PromptLetterIssuedEvent``).
    case addressedUnitAdmins
    /// The liaison of every enterprise of the tier, for a new announcement (``NoticePublishedEvent``).
    case tierEnterprises
}

/// One SMS rule: which event, for whom, and what text.
public struct SMSRule: Codable, Sendable, Hashable {
    public enum Trigger: String, Codable, Sendable {
        case transition
        case dueSoon
        case overdue
        /// A cadre is behind with the month's pairing duties (``PairingReminderEvent``); its
        /// recipient is that cadre (`pairedCadre`).
        case pairingReminder
        /// An enterprise is asked to appraise its cadre for the quarter (``AppraisalRequestEvent``); its
        /// recipient is the enterprise's liaison (`enterpriseContact`).
        case appraisalRequest
        /// An enterprise has a new cadre (``PairingAssignedEvent``): its liaison (`enterpriseContact`)
        /// and the cadre (`pairedCadre`).
        case pairingAssigned
        /// Periodic returns are due soon or overdue (``ReturnReminderEvent``); its recipients are
        /// `returnSubmitters`.
        case returnReminder
        /// The office issued the month's bulletin (``BriefingIssuedEvent``); its recipients are
        /// `briefingRecipients`.
        case briefingIssued
        /// The office approved or refused an account application (``AccountApplicationDecidedEvent``); its
        /// recipient is the `applicant`.
        case accountApplicationDecided
        /// The office sent a prompt letter to a unit (``PromptLetterIssuedEvent``); its recipients are
        /// `addressedUnitAdmins`.
        case promptLetter
        /// The office interviewed a unit about its overdue demands (``UnitInterviewRecordedEvent``); its
        /// recipients are `addressedUnitAdmins`, `{note}` what was required, `{meetingDue}` by when.
        case unitInterview
        /// A class-B answer's promised day came without a completion report (``PromiseDueEvent``); its
        /// recipients are demand parties (the lead unit, the office), `{dueDay}` the promised day.
        case promiseDue
        /// The office published an announcement for the tier's enterprises (``NoticePublishedEvent``); its
        /// recipients are `tierEnterprises`.
        case noticePublished
    }

    public var id: String
    public var event: Trigger
    public var transitions: [DemandAction.Kind]?
    public var toState: DemandState?
    /// For deadline alerts: the steps the rule is about (all when absent).
    public var steps: [DemandStep]?
    public var recipients: [RecipientKind]
    public var template: String
    /// Urgent messages go out during quiet hours too.
    public var urgent: Bool?
    public var disabled: Bool?
}

/// A template with named placeholders (`{enterprise}`), parsed once.
public struct SMSTemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case text(String)
        case placeholder(String)
    }

    public static let placeholders: Set<String> = [
        "signature", "platform", "tier", "enterprise", "number", "unit", "step", "due", "dueDay", "overdueDays", "reason",
        "ratingDays", "originTier", "answer", "decision", "closure", "actorUnit", "letter", "note", "meeting", "meetingDue", "mergedInto",
        "month", "enterprises", "pending", "cadre", "quarter", "phone", "period", "forms", "received", "closed", "completion", "satisfaction", "overdue",
    ]

    /// Placeholders that carry a sentence rather than a name, allowed 60 characters instead of 40.
    static let sentences: Set<String> = ["reason", "answer", "decision", "note", "pending"]

    let parts: [Part]

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses a template; a placeholder that is not one of ``placeholders``, or an unclosed brace, is an error.
    public init(_ text: String) throws(Problem) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { throw Problem(description: "unclosed { in \"\(text)\"") }
            let name = String(rest[rest.index(after: open)..<close])
            guard Self.placeholders.contains(name) else {
                throw Problem(description: "unknown placeholder {\(name)} in \"\(text)\"; known: \(Self.placeholders.sorted())")
            }
            parts.append(.placeholder(name))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// The text with every placeholder filled. Values other than the tier's own signature pass
    /// through ``SMSValue/cleaned(_:maxLength:)``, so no name or reason can close the signature's
    /// brackets or pose as another sender.
    public func render(_ values: [String: String]) -> String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .placeholder("signature"): values["signature"] ?? ""
            case .placeholder(let name): SMSValue.cleaned(values[name] ?? "", maxLength: Self.sentences.contains(name) ? 60 : 40)
            }
        }.joined()
    }
}

/// What may be interpolated into an official SMS: Chinese text, letters, digits and a few
/// punctuation marks, at most so many characters. Everything else (brackets such as 【】 that
/// mark a sender, line breaks, links' slashes, control and invisible characters) is dropped.
public enum SMSValue {
    static let punctuation: Set<Character> = Set("（）()、，,。.：:；;！!？?-—·“”\"《》 %")

    public static func cleaned(_ value: String, maxLength: Int) -> String {
        let kept = value.filter { character in
            if punctuation.contains(character) { return true }
            guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else { return false }
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true  // ASCII letters and digits
            case 0x3400...0x4DBF, 0x4E00...0x9FFF: return true  // CJK ideographs
            case 0xFF10...0xFF19, 0xFF21...0xFF3A, 0xFF41...0xFF5A: return true  // full-width letters and digits
            default: return false
            }
        }
        let trimmed = kept.trimmingWhitespace
        return trimmed.count > maxLength ? String(trimmed.prefix(maxLength - 1)) + "…" : trimmed
    }
}

/// The rules of every tier: the shipped defaults, with each tier's overrides by rule id.
public struct RuleBook: Sendable {
    struct File: Codable {
        var description: String?
        var rules: [SMSRule]
        var tiers: [String: TierOverrides]?
    }

    struct TierOverrides: Codable {
        var rules: [SMSRule]
    }

    struct CompiledRule: Sendable {
        var rule: SMSRule
        var template: SMSTemplate
    }

    private let defaults: [CompiledRule]
    private let byTier: [TenantID: [CompiledRule]]

    /// Loads and checks the rules; a bad template or an unknown tier is a start-up error.
    public init(data: Data, tenants: TenantTree) throws {
        let file = try JSONDecoder().decode(File.self, from: data)
        func compile(_ rules: [SMSRule]) throws -> [CompiledRule] {
            try rules.map { rule in
                do {
                    return CompiledRule(rule: rule, template: try SMSTemplate(rule.template))
                } catch {
                    throw RuleBookError(description: "rule \(rule.id): \(error)")
                }
            }
        }
        defaults = try compile(file.rules)
        var byTier: [TenantID: [CompiledRule]] = [:]
        for (key, overrides) in file.tiers ?? [:] {
            guard let tenant = TenantID(validating: key), tenants.contains(tenant) else {
                throw RuleBookError(description: "SMS rules name unknown tier '\(key)'")
            }
            var rules = defaults
            for override in try compile(overrides.rules) {
                if let index = rules.firstIndex(where: { $0.rule.id == override.rule.id }) {
                    rules[index] = override
                } else {
                    rules.append(override)
                }
            }
            byTier[tenant] = rules
        }
        self.byTier = byTier
    }

    /// The rules that fire for an event of a tier.
    func rules(for tenant: TenantID, trigger: SMSRule.Trigger, transition: Transition? = nil, step: DemandStep? = nil)
        -> [CompiledRule]
    {
        (byTier[tenant] ?? defaults).filter { compiled in
            let rule = compiled.rule
            guard rule.disabled != true, rule.event == trigger else { return false }
            if let step, let steps = rule.steps, !steps.contains(step) { return false }
            guard let transition else { return true }
            if let kinds = rule.transitions, !kinds.contains(transition.kind) { return false }
            if let state = rule.toState, state != transition.to { return false }
            return true
        }
    }
}

public struct RuleBookError: Error, CustomStringConvertible {
    public var description: String
}
