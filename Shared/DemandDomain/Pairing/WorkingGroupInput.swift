import InputValidation
import Tenancy
/// A 常态化工作小组 (Jinzai, 004 二（二） and its attachment): the units of a tier form working groups,
/// each led by a lead unit (组长单位) whose leader heads it, with members from other units, and each
/// group visits and serves 20–30 of the tier's enterprises. The office keeps the groups where the
/// tier works this way (``Tenant/pairingWorkingGroups``).
public struct WorkingGroupInput: Sendable, Hashable, Codable {
    /// One member of a group: a person and the unit they come from.
    public struct Member: Sendable, Hashable, Codable {
        public var name: String
        public var unitID: String

        public init(name: String, unitID: String) {
            self.name = name
            self.unitID = unitID
        }
    }

    /// 第一小组, 第二小组, …
    public var name: String
    /// 组长单位: the lead unit.
    public var leadUnitID: String
    /// 组长: the leader, from the lead unit.
    public var leader: String
    public var members: [Member]
    /// The enterprises the group serves; each belongs to one group at most.
    public var enterpriseIDs: [String]

    public init(name: String, leadUnitID: String, leader: String, members: [Member], enterpriseIDs: [String]) {
        self.name = name
        self.leadUnitID = leadUnitID
        self.leader = leader
        self.members = members
        self.enterpriseIDs = enterpriseIDs
    }

    public static let nameLimit = 20
    public static let personLimit = 20
    public static let memberLimit = 30
    public static let enterpriseLimit = 60
    /// The size the Jinzai plan gives a group: "每个小组负责20-30家企业".
    public static let plannedSize = 20...30

    /// The input with its texts trimmed, or every problem with it.
    public func validated() throws(ValidationError) -> WorkingGroupInput {
        var issues = IssueCollector()
        issues.requireText(name, field: "name", label: "小组名称", maxLength: Self.nameLimit)
        if !leadUnitID.hasVisibleCharacters { issues.add("MISSING_FIELD", "leadUnitID", "请选择组长单位") }
        issues.requireText(leader, field: "leader", label: "组长", maxLength: Self.personLimit)
        if members.count > Self.memberLimit {
            issues.add("TOO_MANY_MEMBERS", "members", "成员不能超过\(Self.memberLimit)人")
        }
        for (index, member) in members.enumerated() {
            issues.requireText(member.name, field: "members[\(index)].name", label: "第\(index + 1)位成员的姓名", maxLength: Self.personLimit)
            if !member.unitID.hasVisibleCharacters {
                issues.add("MISSING_FIELD", "members[\(index)].unitID", "请填写第\(index + 1)位成员的单位")
            }
        }
        if enterpriseIDs.count > Self.enterpriseLimit {
            issues.add("TOO_MANY_ENTERPRISES", "enterpriseIDs", "每个小组负责的企业不能超过\(Self.enterpriseLimit)家")
        }
        if Set(enterpriseIDs).count != enterpriseIDs.count {
            issues.add("DUPLICATE_ENTERPRISE", "enterpriseIDs", "同一企业只能列入一次")
        }
        try issues.finish()
        return WorkingGroupInput(
            name: name.trimmingWhitespace, leadUnitID: leadUnitID, leader: leader.trimmingWhitespace,
            members: members.map { Member(name: $0.name.trimmingWhitespace, unitID: $0.unitID) }, enterpriseIDs: enterpriseIDs)
    }

    /// Members as offices write them, one a line: `姓名（单位）`, or the name and the unit apart by a
    /// comma, 、 or a space; the unit by its full name among `units`.
    public static func members(written text: String, units: [(id: String, name: String)]) throws(ValidationError) -> [Member] {
        let lines = text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
        var members: [Member] = []
        var issues = IssueCollector()
        for (index, line) in lines.enumerated() {
            let (name, unitName) = memberParts(line)
            if let unit = units.first(where: { $0.name == unitName }) {
                members.append(Member(name: name, unitID: unit.id))
            } else {
                issues.add(unitName.isEmpty ? "MISSING_FIELD" : "UNKNOWN_UNIT", "members",
                    unitName.isEmpty ? "成员第\(index + 1)行：请写作“姓名（单位全称）”" : "成员第\(index + 1)行：本级没有“\(unitName)”这个单位")
            }
        }
        try issues.finish()
        return members
    }

    private static func memberParts(_ line: String) -> (name: String, unit: String) {
        if let open = line.firstIndex(where: { $0 == "（" || $0 == "(" }), line.last == "）" || line.last == ")" {
            return (String(line[..<open]).trimmingWhitespace, String(line[line.index(after: open)..<line.index(before: line.endIndex)]).trimmingWhitespace)
        }
        guard let separator = line.firstIndex(where: { $0 == "," || $0 == "，" || $0 == "、" || $0 == " " }) else { return (line, "") }
        return (String(line[..<separator]), String(line[line.index(after: separator)...]).trimmingWhitespace)
    }

    /// What the office should know of a group's size against the plan's 20–30, or nil when it fits.
    public static func sizeNote(enterprises count: Int) -> String? {
        plannedSize.contains(count) ? nil
            : "本组负责\(count)家企业，方案要求每组负责\(plannedSize.lowerBound)至\(plannedSize.upperBound)家"
    }
}
