import DemandDomain
import InputValidation
import Tenancy
import Testing

@Suite("常态化工作小组 input")
struct WorkingGroupInputTests {
    static func input(
        name: String = " 第一小组 ", leadUnitID: String = "maojian-fgw", leader: String = "汪光毅",
        members: [WorkingGroupInput.Member] = [.init(name: " 黄良才 ", unitID: "maojian-zjj")], enterpriseIDs: [String] = ["e-1", "e-2"]
    ) -> WorkingGroupInput {
        WorkingGroupInput(name: name, leadUnitID: leadUnitID, leader: leader, members: members, enterpriseIDs: enterpriseIDs)
    }

    static func codes(_ input: WorkingGroupInput) -> [String] {
        do {
            _ = try input.validated()
            return []
        } catch {
            return error.issues.map { "\($0.field):\($0.code)" }
        }
    }

    @Test("A group is named, led by a unit and a leader; names are trimmed")
    func valid() throws {
        let group = try Self.input().validated()
        #expect(group.name == "第一小组" && group.members.first?.name == "黄良才")
        #expect(group.enterpriseIDs == ["e-1", "e-2"])
    }

    @Test("Every missing or doubled part is named by its field")
    func refusals() {
        #expect(Self.codes(Self.input(name: " ", leadUnitID: "", leader: "")) == ["name:MISSING_FIELD", "leadUnitID:MISSING_FIELD",
            "leader:MISSING_FIELD"])
        #expect(Self.codes(Self.input(members: [.init(name: "", unitID: "")])) == ["members[0].name:MISSING_FIELD",
            "members[0].unitID:MISSING_FIELD"])
        #expect(Self.codes(Self.input(enterpriseIDs: ["e-1", "e-1"])) == ["enterpriseIDs:DUPLICATE_ENTERPRISE"])
        #expect(Self.codes(Self.input(name: String(repeating: "组", count: 21))) == ["name:TEXT_TOO_LONG"])
        let crowd = (0...WorkingGroupInput.memberLimit).map { WorkingGroupInput.Member(name: "成员\($0)", unitID: "maojian-zjj") }
        #expect(Self.codes(Self.input(members: crowd)) == ["members:TOO_MANY_MEMBERS"])
        #expect(Self.codes(Self.input(enterpriseIDs: (0...WorkingGroupInput.enterpriseLimit).map { "e-\($0)" }))
            == ["enterpriseIDs:TOO_MANY_ENTERPRISES"])
    }

    @Test("The plan's 20–30 enterprises: a note outside it, none within")
    func size() {
        #expect(WorkingGroupInput.sizeNote(enterprises: 19) == "本组负责19家企业，方案要求每组负责20至30家")
        #expect(WorkingGroupInput.sizeNote(enterprises: 20) == nil)
        #expect(WorkingGroupInput.sizeNote(enterprises: 30) == nil)
        #expect(WorkingGroupInput.sizeNote(enterprises: 31) != nil)
    }

    @Test("Members are read as offices write them, one a line, each unit by its full name")
    func writtenMembers() throws {
        let units = [(id: "jz-zjj", name: "县住建局"), (id: "jz-gtj", name: "县国土局")]
        let members = try WorkingGroupInput.members(written: "黄良才（县住建局）\n\n 王成华, 县国土局 \n邓正金 县住建局", units: units)
        #expect(members == [.init(name: "黄良才", unitID: "jz-zjj"), .init(name: "王成华", unitID: "jz-gtj"), .init(name: "邓正金", unitID: "jz-zjj")])
        #expect(try WorkingGroupInput.members(written: "  ", units: units).isEmpty)
        #expect(throws: ValidationError.self) { try WorkingGroupInput.members(written: "焦作（县银监办）", units: units) }
        do {
            _ = try WorkingGroupInput.members(written: "黄良才（县住建局）\n马锐", units: units)
            Issue.record("a member without a unit was read")
        } catch {
            #expect(error.issues.map(\.message) == ["成员第2行：请写作“姓名（单位全称）”"])
        }
    }
}
