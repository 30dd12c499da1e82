import DemandDomain
import Foundation
import InputValidation
import LocalStack
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// 常态化工作小组 (Jinzai, 004 二（二）) on 茅箭区, the demo tier that keeps them.
    @Suite("Working groups of units across separate processes")
    struct WorkingGroupTests {
        @Test("The office forms, changes and dissolves a group; an enterprise is in one group at most; units read their own groups")
        func workingGroups() async throws {
            _ = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            @Sendable func login(_ tier: TenantID, _ name: String) async throws -> Session {
                try await client.login(tier: tier, login: name, password: Cast.demoPassword)
            }
            let office = try await login("maojian", "茅箭区双千办")
            let lead = try await login("maojian", "茅箭区经信局管理员")
            let member = try await login("maojian", "茅箭区住建局管理员")
            let outsider = try await login("maojian", "茅箭区商务局管理员")
            let before = try await client.workingGroups(office)
            let free = before.ungrouped.map(\.id)
            try #require(free.count >= 2, "the demo tier has enterprises in no group")
            let name = "测试小组\(UUID().uuidString.prefix(4))"
            func input(_ name: String, enterprises: [String], lead unit: String = "maojian-jxj") -> WorkingGroupInput {
                WorkingGroupInput(name: name, leadUnitID: unit, leader: "冯克祥",
                    members: [.init(name: "汪承中", unitID: "maojian-zjj")], enterpriseIDs: enterprises)
            }

            // Only the office of a tier that keeps groups forms one, of its own units and enterprises.
            let byUnit = await apiRefusal { _ = try await client.saveWorkingGroup(lead, input(name, enterprises: [free[0]])) }
            #expect(byUnit?.status == 403, "\(String(describing: byUnit))")
            let zhangwan = try await login("zhangwan", "张湾区双千办")
            let elsewhere = await apiRefusal { _ = try await client.workingGroups(zhangwan) }
            #expect(elsewhere?.code == "WORKING_GROUPS_NOT_USED", "\(String(describing: elsewhere))")
            let unknownUnit = await apiRefusal {
                _ = try await client.saveWorkingGroup(office, input(name, enterprises: [free[0]], lead: "zhangwan-jxj"))
            }
            #expect(unknownUnit?.status == 422 && unknownUnit?.fieldMessages["leadUnitID"] != nil, "\(String(describing: unknownUnit))")
            let unknownEnterprise = await apiRefusal { _ = try await client.saveWorkingGroup(office, input(name, enterprises: ["zw-ent-1"])) }
            #expect(unknownEnterprise?.code == "UNKNOWN_ENTERPRISE", "\(String(describing: unknownEnterprise))")

            let formed = try await client.saveWorkingGroup(office, input(name, enterprises: [free[0]]))
            #expect(formed.leadUnitName == "茅箭区经济和信息化局" && formed.members.map(\.unitName) == ["茅箭区住房和城乡建设局"])
            #expect(formed.enterprises.map(\.id) == [free[0]])
            #expect(formed.sizeNote == "本组负责1家企业，方案要求每组负责20至30家")
            let again = await apiRefusal { _ = try await client.saveWorkingGroup(office, input(name, enterprises: [free[1]])) }
            #expect(again?.code == "GROUP_NAME_TAKEN", "\(String(describing: again))")
            let claimed = await apiRefusal { _ = try await client.saveWorkingGroup(office, input(name + "乙", enterprises: [free[0]])) }
            #expect(claimed?.code == "ENTERPRISE_IN_OTHER_GROUP", "\(String(describing: claimed))")
            #expect(claimed?.message == "\(before.ungrouped[0].name)已由\(name)负责")

            let changed = try await client.saveWorkingGroup(office, id: formed.id, input(name, enterprises: [free[0], free[1]]))
            #expect(Set(changed.enterprises.map(\.id)) == [free[0], free[1]])
            let listed = try await client.workingGroups(office)
            #expect(listed.ungrouped.allSatisfy { $0.id != free[0] && $0.id != free[1] })
            // The lead unit and the member's unit read the group; another unit does not.
            #expect(try await client.workingGroups(lead).groups.contains { $0.id == formed.id })
            #expect(try await client.workingGroups(member).groups.contains { $0.id == formed.id })
            #expect(try await client.workingGroups(outsider).groups.allSatisfy { $0.id != formed.id })
            #expect(try await client.workingGroups(lead).ungrouped.isEmpty, "the pool is the office's to see")

            try await client.dissolveWorkingGroup(office, id: formed.id)
            #expect(try await client.workingGroups(office).ungrouped.contains { $0.id == free[0] })
            let gone = await apiRefusal { try await client.dissolveWorkingGroup(office, id: formed.id) }
            #expect(gone?.status == 404, "\(String(describing: gone))")
            let changedGone = await apiRefusal { _ = try await client.saveWorkingGroup(office, id: formed.id, input(name, enterprises: [])) }
            #expect(changedGone?.status == 404, "\(String(describing: changedGone))")
        }
    }
}
