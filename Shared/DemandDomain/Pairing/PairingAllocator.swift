import Foundation
import InputValidation
import Tenancy

/// Why a cadre is given no enterprise (000 Q2).
public enum PairingExemption: String, Codable, Sendable, CaseIterable {
    case retiringThisYear
    case seriouslyIll
    case outOfSystemPartTime
    case workingAway

    public var chineseName: String {
        switch self {
        case .retiringThisYear: "年内即将退休"
        case .seriouslyIll: "身患重病不能履职"
        case .outOfSystemPartTime: "在部门兼职的体制外干部"
        case .workingAway: "工作地点长期不在城区"
        }
    }
}

/// How an enterprise came to its cadre in an allocation (000 Q1).
public enum AllocationBasis: String, Codable, Sendable, CaseIterable {
    /// A key enterprise a leader contacts goes to that leader.
    case leaderContact
    /// An industry-managed enterprise goes to a cadre of its competent department.
    case industryManaged
    /// The rest of the 四上 list, at random among eligible cadres.
    case random

    public var chineseName: String {
        switch self {
        case .leaderContact: "领导联系重点企业"
        case .industryManaged: "行业主管部门管行业企业"
        case .random: "随机安排"
        }
    }
}

/// One-to-one pairing of cadres with enterprises (000 Q1–Q4, Q26): key enterprises go to the leaders
/// who contact them, industry-managed ones to a cadre of their competent department, the rest at
/// random; exempt cadres get none, no cadre gets more than `perCadre`, and enterprises another tier
/// already pairs are left out. The draw is a function of the seed alone, so a recorded seed
/// reproduces an allocation on any machine and any Swift version.
public struct PairingAllocator: Sendable {
    public struct Cadre: Hashable, Sendable {
        public var id: String
        public var unitID: String?
        public var exemption: PairingExemption?
        /// Enterprises the cadre is paired with already.
        public var load: Int

        public init(id: String, unitID: String?, exemption: PairingExemption? = nil, load: Int = 0) {
            self.id = id
            self.unitID = unitID
            self.exemption = exemption
            self.load = load
        }
    }

    public struct Request: Sendable {
        /// Enterprises without a cadre, to be paired.
        public var pool: [String]
        public var cadres: [Cadre]
        /// Enterprise → the leader (cadre) who contacts it.
        public var leaderContacts: [String: String]
        /// Enterprise → its competent department (unit).
        public var industryManaged: [String: String]
        /// Enterprises paired by another tier (000 Q26: a city and a district never pair the same one).
        public var pairedElsewhere: Set<String>
        public var perCadre: Int
        public var seed: UInt64

        public init(pool: [String], cadres: [Cadre], leaderContacts: [String: String] = [:], industryManaged: [String: String] = [:],
            pairedElsewhere: Set<String> = [], perCadre: Int = 1, seed: UInt64)
        {
            self.pool = pool
            self.cadres = cadres
            self.leaderContacts = leaderContacts
            self.industryManaged = industryManaged
            self.pairedElsewhere = pairedElsewhere
            self.perCadre = perCadre
            self.seed = seed
        }
    }

    public struct Assignment: Hashable, Sendable, Codable {
        public var enterpriseID: String
        public var cadreID: String
        public var basis: AllocationBasis
    }

    public enum Leftover: String, Hashable, Sendable, Codable {
        /// Every eligible cadre has their share.
        case noCadreLeft
        case pairedElsewhere

        public var chineseName: String {
            switch self {
            case .noCadreLeft: "没有可安排的干部"
            case .pairedElsewhere: "已由上级或下级干部包联"
            }
        }
    }

    public struct Result: Hashable, Sendable {
        public var assignments: [Assignment]
        public var unassigned: [String: Leftover]
    }

    public static func allocate(_ request: Request) -> Result {
        var random = SeededGenerator(seed: request.seed)
        var capacity: [String: Int] = [:]
        for cadre in request.cadres.sorted(by: { $0.id < $1.id }) where cadre.exemption == nil {
            capacity[cadre.id] = max(0, request.perCadre - cadre.load)
        }
        var assignments: [Assignment] = []
        var unassigned: [String: Leftover] = [:]
        var open: [String] = []
        for enterprise in Set(request.pool).sorted() {
            if request.pairedElsewhere.contains(enterprise) { unassigned[enterprise] = .pairedElsewhere } else { open.append(enterprise) }
        }
        func assign(_ enterprise: String, to cadre: String, _ basis: AllocationBasis) {
            assignments.append(Assignment(enterpriseID: enterprise, cadreID: cadre, basis: basis))
            capacity[cadre, default: 0] -= 1
        }
        var rest: [String] = []
        for enterprise in open {
            if let leader = request.leaderContacts[enterprise], capacity[leader, default: 0] > 0 {
                assign(enterprise, to: leader, .leaderContact)
            } else {
                rest.append(enterprise)
            }
        }
        let units = Dictionary(grouping: request.cadres.filter { $0.unitID != nil }, by: { $0.unitID! }).mapValues { $0.map(\.id).sorted() }
        var remaining: [String] = []
        for enterprise in rest {
            let candidates = request.industryManaged[enterprise].flatMap { units[$0] }?.filter { capacity[$0, default: 0] > 0 } ?? []
            if candidates.isEmpty {
                remaining.append(enterprise)
            } else {
                assign(enterprise, to: candidates[random.below(candidates.count)], .industryManaged)
            }
        }
        // One slot per enterprise a cadre may still take, drawn against the shuffled enterprises.
        var slots = capacity.keys.sorted().flatMap { cadre in Array(repeating: cadre, count: max(0, capacity[cadre]!)) }
        random.shuffle(&slots)
        random.shuffle(&remaining)
        for (index, enterprise) in remaining.enumerated() {
            if index < slots.count { assign(enterprise, to: slots[index], .random) } else { unassigned[enterprise] = .noCadreLeft }
        }
        return Result(assignments: assignments, unassigned: unassigned)
    }
}

/// SplitMix64 with its own bounded draw and Fisher–Yates shuffle: the standard library's shuffle
/// may change between Swift versions, and a recorded seed must replay the same draw.
struct SeededGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound, without modulo bias.
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let limit = UInt64(bound)
        let threshold = (0 &- limit) % limit
        while true {
            let value = next()
            if value >= threshold { return Int(value % limit) }
        }
    }

    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for index in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(index, below(index + 1))
        }
    }
}

/// A change of one enterprise's pairing (000 Q6–Q9), proposed by its cadre or the office and decided
/// by the office.
public enum PairingChangeKind: String, Codable, Sendable, CaseIterable {
    /// The enterprise goes back to the pool for the next allocation (a cadre who leaves, Q8).
    case release
    /// Another cadre takes it over.
    case reassign
    /// The enterprise leaves the pairing list (stopped trading, closed or bankrupt, Q9).
    case remove

    public var chineseName: String {
        switch self {
        case .release: "收回入待分配企业库"
        case .reassign: "调整包联干部"
        case .remove: "移出包联名单"
        }
    }
}

/// The checks on a proposed change of pairing.
public struct PairingProposalInput: Sendable, Hashable, Codable {
    public var enterpriseID: String
    public var kind: String
    /// For `reassign`: the cadre who takes the enterprise over.
    public var toCadreID: String?
    public var reason: String

    public init(enterpriseID: String, kind: String, toCadreID: String? = nil, reason: String) {
        self.enterpriseID = enterpriseID
        self.kind = kind
        self.toCadreID = toCadreID
        self.reason = reason
    }

    public static let reasonLimit = 200

    public func validated() throws(ValidationError) -> PairingChangeKind {
        var issues = IssueCollector()
        if !enterpriseID.hasVisibleCharacters { issues.add("MISSING_FIELD", "enterpriseID", "请选择企业") }
        let kind = PairingChangeKind(rawValue: kind)
        if kind == nil { issues.add("INVALID_CHANGE", "kind", "请选择调整方式") }
        if kind == .reassign, !(toCadreID ?? "").hasVisibleCharacters {
            issues.add("MISSING_FIELD", "toCadreID", "请选择接手的包联干部")
        }
        issues.requireText(reason, field: "reason", label: "调整原因", maxLength: Self.reasonLimit)
        try issues.finish()
        return kind!
    }
}
