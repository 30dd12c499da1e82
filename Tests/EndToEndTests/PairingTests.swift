import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import PlatformEvents
import Tenancy
import Testing

extension EndToEnd {
    /// The cadre's month (000 Q14–Q15; 002 §15–16) on the running stack: contacts and business
    /// statuses recorded by the paired cadre only, the office's view of who is behind, one SMS
    /// reminder per cadre and month, and statuses that outlive a re-import of the roster.
    @Suite("Pairing duties")
    struct PairingTests {
        var log: FakeSMSCLog { FakeSMSCLog(path: StackEnvironment.current.fakeSMSCLog!) }

        /// A valid credit code of a test's own `series` (two letters), so that no two tests' enterprises share one.
        static func creditCode(_ series: String, _ number: Int) -> String {
            let prefix = "91420303MA4\(series)" + String(format: "%04d", number)
            return prefix + String(UnifiedSocialCreditCode.checkCharacter(forPrefix: prefix)!)
        }

        @Test("The paired cadre records contacts; bad input, another cadre's enterprise and other roles are refused")
        func contacts() async throws {
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let cast = runner.cast
            let today = CivilDate(Date())
            let recorded = try await client.recordContact(cast.cadre, PairingContactInput(enterpriseID: "mj-ent-1",
                contactedOn: today.description, way: "visit", summary: "了解订单和用工情况，宣讲稳岗补贴政策<script>", demandsRaised: 1))
            #expect(recorded.enterpriseName == "十堰示范汽车零部件有限公司" && recorded.cadreName == "李明远" && recorded.wayName == "上门走访")
            let listed = try await client.pairingContacts(cast.cadre)
            #expect(listed.contains { $0.id == recorded.id && $0.summary.hasSuffix("<script>") && $0.resolvedOnSpot == nil })
            // 000 Q16: a difficulty solved on the spot is kept with the contact and counted in the cadre's month and quarter.
            let counted = try #require(try await client.pairingMonth(cast.countyOffice).cadres.first { $0.cadreID == "mj-cadre-1" })
            let quarterBefore = try #require(try await client.cadreQuarters(cast.countyOffice).cadres.first { $0.cadreID == "mj-cadre-1" })
            let solved = try await client.recordContact(cast.cadre, PairingContactInput(enterpriseID: "mj-ent-1",
                contactedOn: today.description, way: "phone", summary: "企业反映社保补贴申报不会操作",
                resolvedOnSpot: "  当场指导企业在网上完成社保补贴申报  "))
            #expect(solved.resolvedOnSpot == "当场指导企业在网上完成社保补贴申报")
            let after = try #require(try await client.pairingMonth(cast.countyOffice).cadres.first { $0.cadreID == "mj-cadre-1" })
            #expect(after.resolvedOnSpot == counted.resolvedOnSpot + 1)
            #expect(after.enterprises.first { $0.enterpriseID == "mj-ent-1" }?.resolvedOnSpot ?? 0 >= 1)
            let quarterAfter = try #require(try await client.cadreQuarters(cast.countyOffice).cadres.first { $0.cadreID == "mj-cadre-1" })
            #expect(quarterAfter.resolvedOnSpot == quarterBefore.resolvedOnSpot + 1)
            #expect(try await client.pairingContacts(cast.cadre).contains { $0.id == solved.id && $0.resolvedOnSpot != nil })

            func refusal(_ session: Session, _ input: PairingContactInput) async throws -> APICallError {
                do {
                    _ = try await client.recordContact(session, input)
                    throw StackError("accepted \(input)")
                } catch let error as APICallError {
                    return error
                }
            }
            let future = try await refusal(cast.cadre, PairingContactInput(enterpriseID: "mj-ent-1",
                contactedOn: today.adding(days: 1).description, way: "visit", summary: "明天的走访"))
            #expect(future.status == 422 && future.fieldMessages["contactedOn"] == "走访日期不能晚于今天")
            let badWay = try await refusal(cast.cadre, PairingContactInput(enterpriseID: "mj-ent-1", contactedOn: today.description,
                way: "fax", summary: " "))
            #expect(badWay.status == 422 && Set(badWay.fieldMessages.keys) == ["way", "summary"])
            let notMine = try await refusal(cast.cadre, PairingContactInput(enterpriseID: "mj-ent-2", contactedOn: today.description,
                way: "phone", summary: "电话了解情况"))
            #expect(notMine.status == 403 && notMine.code == "NOT_PAIRED")
            let unknown = try await refusal(cast.cadre, PairingContactInput(enterpriseID: "mj-ent-404", contactedOn: today.description,
                way: "phone", summary: "电话了解情况"))
            #expect(unknown.status == 404)
            let enterprise = try await refusal(cast.enterprise, PairingContactInput(enterpriseID: "mj-ent-1",
                contactedOn: today.description, way: "phone", summary: "自己登记"))
            #expect(enterprise.status == 403 && enterprise.code == "ROLE_NOT_ALLOWED")
            // The enterprise sees contacts with itself; the dispatcher sees none.
            let seenByEnterprise = try await client.pairingContacts(cast.enterprise)
            #expect(seenByEnterprise.contains { $0.id == recorded.id } && seenByEnterprise.allSatisfy { $0.enterpriseID == "mj-ent-1" })
            await #expect(throws: APICallError.self) { try await client.pairingMonth(cast.countyDispatcher) }
        }

        @Test("The office sees who is behind and reminds them once a month by SMS")
        func reminders() async throws {
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let cast = runner.cast
            let month = CalendarMonth(CivilDate(Date()))
            let before = try await client.pairingMonth(cast.countyOffice)
            #expect(before.month == month && before.reminderDay == nil, "the test stack turns the automatic reminder off")
            let zhang = try #require(before.cadres.first { $0.cadreID == "mj-cadre-2" })
            #expect(zhang.enterprises.map(\.name) == ["十堰青山建材有限公司"] && zhang.unitName == "茅箭区住房和城乡建设局")
            #expect(!zhang.complete && zhang.contacted == 0 && zhang.remindedAt == nil)
            #expect(!before.cadres.contains { $0.name == "王建国" }, "cadres without enterprises have no monthly duties")
            #expect(try await client.pairingMonth(cast.cadre).cadres.map(\.cadreID) == ["mj-cadre-1"], "a cadre sees their own row")

            let start = log.lineCount()
            let first = try await client.sendPairingReminders(cast.countyOffice)
            #expect(first.reminded.contains("mj-cadre-2"))
            let again = try await client.sendPairingReminders(cast.countyOffice)
            #expect(again.reminded.isEmpty, "each cadre is reminded once a month")
            let expected = "【茅箭区双千办】十堰亲清企业服务信息平台\(month.chineseText)您包联的1家企业中，1家企业尚未登记走访、1家企业尚未填报经营状况，请在月底前登录平台填报"
            let log = self.log
            let received = try await eventually("the reminder at fakesmsc") {
                log.messages(after: start).first { $0.to == "19900020022" }
            }
            #expect(received.text == expected)
            let after = try await client.pairingMonth(cast.countyOffice)
            #expect(after.cadres.first { $0.cadreID == "mj-cadre-2" }?.remindedAt != nil)
            try await Task.sleep(for: .seconds(2))
            #expect(log.messages(after: start).filter { $0.to == "19900020022" }.count == 1)

            do {
                _ = try await client.sendPairingReminders(cast.cadre)
                Issue.record("a cadre may not send reminders")
            } catch let error as APICallError {
                #expect(error.status == 403)
            }
            let (status, _) = try await client.raw("reminders", .POST, try await TestStack.shared.start().url(.intake, tier: "maojian")
                + "/pairing/reminders", token: cast.countyOffice.token, body: ["month": month.adding(months: -1).description])
            #expect(status == 422, "only this month's duties can be reminded of")
        }

        @Test("A business status is kept with its history, shown on the profile, and survives a re-import of the roster")
        func businessStatus() async throws {
            let stack = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let cadre = try await client.login(tier: "zhangwan", login: "赵文静", password: Cast.demoPassword)
            let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
            let month = CalendarMonth(CivilDate(Date()))
            _ = try await client.reportBusinessStatus(cadre, enterpriseID: "zw-ent-2",
                BusinessStatusInput(month: month.description, status: "operating"))
            let history = try await client.reportBusinessStatus(cadre, enterpriseID: "zw-ent-2",
                BusinessStatusInput(month: month.description, status: "reducedOutput", note: "订单减少，一条线路停运"))
            #expect(history.reports.prefix(2).map(\.status) == [.reducedOutput, .operating], "every report kept, newest first")
            await #expect(throws: APICallError.self) {
                try await client.reportBusinessStatus(office, enterpriseID: "zw-ent-2", BusinessStatusInput(month: month.description,
                    status: "operating"))
            }
            await #expect(throws: APICallError.self) {
                try await client.reportBusinessStatus(cadre, enterpriseID: "zw-ent-2",
                    BusinessStatusInput(month: month.adding(months: 1).description, status: "operating"))
            }
            let text = "减产或部分停产：订单减少，一条线路停运"
            func profileStatus() async throws -> String? {
                try await client.enterprises(office).first { $0.id == "zw-ent-2" }?.businessStatus.first { $0.month == month.description }?.text
            }
            #expect(try await profileStatus() == text)
            #expect(try await client.pairingMonth(office).cadres.first { $0.cadreID == "zw-cadre-2" }?.enterprises
                .first { $0.enterpriseID == "zw-ent-2" }?.status == .reducedOutput)

            // The roster has no statuses: importing the enterprise again keeps the one its cadre reported.
            let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: TestStack.repositoryRoot
                + "/deploy/local/directory/zhangwan.json"))) as? [String: Any]
            let entry = try #require((file?["enterprises"] as? [[String: Any]])?.first { $0["id"] as? String == "zw-ent-2" })
            let cadreEntry = try #require((file?["people"] as? [[String: Any]])?.first { $0["id"] as? String == "zw-cadre-2" })
            let roster = try JSONSerialization.data(withJSONObject: ["tenant": "zhangwan", "people": [cadreEntry], "enterprises": [entry]])
            let (imported, answer) = try await client.raw("import", .PUT, stack.url(.intake, tier: "zhangwan") + "/admin/directory",
                token: office.token, rawBody: Array(roster))
            #expect(imported == 200, "\(String(decoding: answer, as: UTF8.self))")
            #expect(try await profileStatus() == text)
        }

        @Test("The enterprise appraises its cadre for the quarter; the office, the unit and the cadre see the results; enterprises are asked once")
        func appraisals() async throws {
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let cast = runner.cast
            let quarter = CalendarQuarter(CalendarMonth(CivilDate(Date())))
            let before = try await client.appraisal(cast.enterprise)
            #expect(before.quarter == quarter && before.cadreName == "李明远")
            #expect(before.due == (before.submittedAt == nil && CalendarMonth(CivilDate(Date())) == quarter.lastMonth))

            // The browser journey may appraise 李明远 for his other enterprise: what this test adds is compared.
            let earlier = try await client.cadreQuarters(cast.countyOffice).cadres.first { $0.cadreID == "mj-cadre-1" }
            var ratings = Dictionary(uniqueKeysWithValues: CadreDuty.allCases.map { ($0.rawValue, SatisfactionLevel.satisfied.rawValue) })
            ratings[CadreDuty.difficultyMediator.rawValue] = nil
            do {
                _ = try await client.submitAppraisal(cast.enterprise, CadreAppraisalInput(ratings: ratings))
                Issue.record("an appraisal without every duty was accepted")
            } catch let error as APICallError {
                #expect(error.status == 422 && error.fieldMessages.keys.sorted() == ["ratings.difficultyMediator"])
            }
            ratings[CadreDuty.difficultyMediator.rawValue] = SatisfactionLevel.dissatisfied.rawValue
            let submitted = try await client.submitAppraisal(cast.enterprise, CadreAppraisalInput(ratings: ratings, results: "协调解决了用电增容"))
            #expect(submitted.ratings?[.difficultyMediator] == .dissatisfied && !submitted.due && submitted.submittedAt != nil)
            await #expect(throws: APICallError.self) { try await client.submitAppraisal(cast.cadre, CadreAppraisalInput(ratings: ratings)) }

            let office = try await client.cadreQuarters(cast.countyOffice)
            let li = try #require(office.cadres.first { $0.cadreID == "mj-cadre-1" })
            let had = earlier.map { ($0.appraised, $0.duties.map(\.rated), $0.duties.map(\.satisfied)) } ?? (0, [0, 0, 0, 0], [0, 0, 0, 0])
            #expect(li.appraised == had.0 + 1 && li.enterprises == 2 && li.results.contains("协调解决了用电增容"))
            #expect(li.duties.map(\.rated) == had.1.map { $0 + 1 })
            #expect(li.duties.map(\.satisfied) == zip(had.2, [1, 1, 0, 1]).map { $0 + $1 })
            // 002 §11: a unit's administrator sees its own unit's cadres.
            #expect(try await client.cadreQuarters(cast.countyUnit).cadres.map(\.cadreID) == ["mj-cadre-1"])
            #expect(try await client.cadreQuarters(cast.cadre).cadres.map(\.cadreID) == ["mj-cadre-1"])
            await #expect(throws: APICallError.self) { try await client.cadreQuarters(cast.enterprise) }

            let start = log.lineCount()
            let asked = try await client.requestAppraisals(cast.countyOffice)
            #expect(asked.enterprises.contains("mj-ent-2") && !asked.enterprises.contains("mj-ent-1"), "who appraised is not asked")
            #expect(!asked.enterprises.contains("mj-ent-4"), "an enterprise without a cadre is not asked")
            #expect(try await client.requestAppraisals(cast.countyOffice).enterprises.isEmpty, "each enterprise is asked once a quarter")
            let log = self.log
            let text = try await eventually("the appraisal request at fakesmsc") {
                log.messages(after: start).first { $0.to == "19900020042" }?.text
            }
            #expect(text == "【茅箭区双千办】十堰亲清企业服务信息平台请您登录平台，对包联干部张立新\(quarter.chineseText)的服务进行满意度测评")
        }

        @Test("The office allocates unpaired enterprises: leaders first, exempt cadres none, none paired by the city, same seed same result; liaison and cadre are texted")
        func allocation() async throws {
            let stack = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let cast = try await TestStack.shared.people()
            let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
            func code(_ number: Int) -> String { Self.creditCode("AL", number) }
            func enterprise(_ id: String, _ name: String, _ code: String, liaison: String, paired: String? = nil, listed: Bool = true)
                -> String
            {
                let pairing = paired.map { #", "pairedCadreID": "\#($0)""# } ?? ""
                return #"{"id": "\#(id)", "name": "\#(name)", "creditCode": "\#(code)", "address": "十堰市测试路1号", "industryGroup": "economyAndIT", "liaisonName": "测试联络", "liaisonPhone": "\#(liaison)", "onFourAboveList": \#(listed)\#(pairing)}"#
            }
            func load(_ tier: TenantID, _ roster: String, as session: Session) async throws {
                let (status, answer) = try await client.raw("import", .PUT, stack.url(.intake, tier: tier) + "/admin/directory",
                    token: session.token, rawBody: Array(roster.utf8))
                #expect(status == 200, "\(String(decoding: answer, as: UTF8.self))")
            }
            // The city pairs one enterprise; the district has the same one (by credit code) in its list (000 Q26).
            try await load("shiyan", #"{"tenant": "shiyan", "people": [{"id": "sy-alloc-cadre", "name": "分配测试市级干部", "role": "cadre", "phone": "19900010071"}], "enterprises": ["#
                + enterprise("sy-alloc-e", "十堰分配测试市级包联有限公司", code(1), liaison: "19900010072", paired: "sy-alloc-cadre") + "]}", as: cast.cityOffice)
            try await load("zhangwan", #"{"tenant": "zhangwan", "people": [{"id": "zw-alloc-1", "name": "分配测试甲", "role": "cadre", "phone": "19900030061"}, {"id": "zw-alloc-2", "name": "分配测试乙", "role": "cadre", "phone": "19900030062"}], "enterprises": ["#
                + [enterprise("zw-alloc-e1", "十堰分配测试一有限公司", code(2), liaison: "19900030071"),
                   enterprise("zw-alloc-e2", "十堰分配测试二有限公司", code(3), liaison: "19900030072"),
                   enterprise("zw-alloc-e3", "十堰分配测试三有限公司", code(1), liaison: "19900030073"),
                   enterprise("zw-alloc-e4", "十堰分配测试小微商店", code(4), liaison: "19900030074", listed: false)].joined(separator: ", ") + "]}",
                as: office)

            let exempt = try await client.setExemption(office, cadreID: "zw-alloc-2", reason: .workingAway, note: "长期在外地工作")
            #expect(exempt.exemptionName == "工作地点长期不在城区" && exempt.enterprises == 0)
            let request = PlatformClient.AllocationRequest(seed: "20261127", perCadre: 1, leaderContacts: ["zw-alloc-e2": "zw-alloc-1"])
            let proposal = try await eventually("the city's pairing known to the district") {
                let proposal = try await client.allocate(office, request)
                return proposal.unassigned.contains { $0.enterpriseID == "zw-alloc-e3" && $0.reason == .pairedElsewhere } ? proposal : nil
            }
            #expect(!proposal.applied && proposal.seed == "20261127")
            let mine = proposal.assignments.filter { $0.enterpriseID.hasPrefix("zw-alloc-") }
            #expect(mine.map(\.enterpriseID) == ["zw-alloc-e2"] && mine.first?.cadreID == "zw-alloc-1" && mine.first?.basis == .leaderContact)
            #expect(proposal.unassigned.first { $0.enterpriseID == "zw-alloc-e1" }?.reason == .noCadreLeft,
                "the demo's cadres have their share and the other is exempt")
            #expect(!proposal.assignments.contains { $0.cadreID == "zw-alloc-2" })
            #expect(!(proposal.assignments.map(\.enterpriseID) + proposal.unassigned.map(\.enterpriseID)).contains("zw-alloc-e4"),
                "an enterprise not on the 四上 list is outside the programme and is not allocated")
            let again = try await client.allocate(office, request)
            #expect(again.assignments.map(\.enterpriseID) == proposal.assignments.map(\.enterpriseID)
                && again.assignments.map(\.cadreID) == proposal.assignments.map(\.cadreID), "the same seed gives the same proposal")
            #expect(try await client.enterprises(office).first { $0.id == "zw-alloc-e2" }?.pairedCadreID == nil, "a proposal changes nothing")

            let start = log.lineCount()
            let applied = try await client.allocate(office, PlatformClient.AllocationRequest(seed: request.seed, perCadre: 1,
                leaderContacts: request.leaderContacts, apply: true))
            #expect(applied.applied && applied.allocationID != nil)
            #expect(applied.leaderContacts == ["zw-alloc-e2": "zw-alloc-1"] && applied.industryManaged.isEmpty)
            // The lists it served first are the office's from now on, and a later draw without lists uses them.
            let kept = try await client.priorityLists(office)
            #expect(kept.leaderContacts.map { "\($0.enterpriseName)→\($0.assigneeName)" } == ["十堰分配测试二有限公司→分配测试甲"])
            #expect(try await client.allocate(office, PlatformClient.AllocationRequest(seed: "7")).leaderContacts == ["zw-alloc-e2": "zw-alloc-1"])
            let strangers = await apiRefusal {
                _ = try await client.allocate(office, PlatformClient.AllocationRequest(leaderContacts: ["mj-ent-1": "zw-alloc-1"]))
            }
            #expect(strangers?.code == "UNKNOWN_ENTERPRISE" && strangers?.fieldMessages["leaderContacts"] != nil, "\(String(describing: strangers))")
            let noSuchLeader = await apiRefusal {
                _ = try await client.allocate(office, PlatformClient.AllocationRequest(leaderContacts: ["zw-alloc-e1": "zhangwan-office"]))
            }
            #expect(noSuchLeader?.code == "UNKNOWN_CADRE", "\(String(describing: noSuchLeader))")
            let noSuchDepartment = await apiRefusal {
                _ = try await client.allocate(office, PlatformClient.AllocationRequest(industryManaged: ["zw-alloc-e1": "maojian-jxj"]))
            }
            #expect(noSuchDepartment?.code == "UNKNOWN_UNIT", "\(String(describing: noSuchDepartment))")
            #expect(try await client.enterprises(office).first { $0.id == "zw-alloc-e2" }?.pairedCadreID == "zw-alloc-1")
            let log = self.log
            let texts = try await eventually("the liaison's and the cadre's SMS") {
                let messages = log.messages(after: start).filter { ["19900030072", "19900030061"].contains($0.to) }
                return messages.count >= 2 ? Dictionary(messages.map { ($0.to, $0.text) }) { first, _ in first } : nil
            }
            #expect(texts["19900030072"] == "【张湾区双千办】十堰亲清企业服务信息平台已为贵企业安排包联干部分配测试甲，联系电话19900030061，企业有困难诉求可随时联系")
            #expect(texts["19900030061"] == "【张湾区双千办】十堰亲清企业服务信息平台已安排您包联十堰分配测试二有限公司，请尽快与企业联系对接")
            #expect(!(try await client.allocate(office, request)).assignments.contains { $0.enterpriseID == "zw-alloc-e2" },
                "a paired enterprise leaves the pool")

            await #expect(throws: APICallError.self) { try await client.allocate(office, PlatformClient.AllocationRequest(seed: "abc")) }
            await #expect(throws: APICallError.self) {
                try await client.allocate(try await client.login(tier: "zhangwan", login: "赵文静", password: Cast.demoPassword), request)
            }

            // The office changes its lists without allocating; a list it may not keep changes nothing.
            let replaced = try await client.setPriorityLists(office, leaderContacts: [:], industryManaged: ["zw-alloc-e1": "zhangwan-jxj"])
            #expect(replaced.leaderContacts.isEmpty && replaced.industryManaged.map(\.assigneeName) == ["张湾区经济和信息化局"])
            let refusedList = await apiRefusal {
                _ = try await client.setPriorityLists(office, leaderContacts: ["zw-alloc-e1": "nobody"], industryManaged: [:])
            }
            #expect(refusedList?.code == "UNKNOWN_CADRE", "\(String(describing: refusedList))")
            #expect(try await client.priorityLists(office).industryManaged.count == 1, "a refused list changes nothing")
            _ = try await client.setPriorityLists(office, leaderContacts: [:], industryManaged: [:])
        }

        @Test("Changes of pairing are proposed by the cadre or the office and carried out only when the office approves")
        func proposals() async throws {
            let stack = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
            let zhao = try await client.login(tier: "zhangwan", login: "赵文静", password: Cast.demoPassword)
            let wang = try await client.login(tier: "zhangwan", login: "王建国", password: Cast.demoPassword)
            func code(_ number: Int) -> String { Self.creditCode("AP", number) }
            let roster = #"{"tenant": "zhangwan", "people": [{"id": "zw-cadre-2", "name": "赵文静", "role": "cadre", "phone": "19900030022", "password": "Demo@2026", "passwordChangeRequired": false}], "enterprises": [{"id": "zw-prop-e1", "name": "十堰调整测试一有限公司", "creditCode": "\#(code(1))", "address": "十堰市测试路2号", "industryGroup": "commerce", "liaisonName": "调整联络一", "liaisonPhone": "19900030081", "pairedCadreID": "zw-cadre-2", "onFourAboveList": true}, {"id": "zw-prop-e2", "name": "十堰调整测试二有限公司", "creditCode": "\#(code(2))", "address": "十堰市测试路3号", "industryGroup": "commerce", "liaisonName": "调整联络二", "liaisonPhone": "19900030082", "pairedCadreID": "zw-cadre-2", "onFourAboveList": true}]}"#
            let (imported, answer) = try await client.raw("import", .PUT, stack.url(.intake, tier: "zhangwan") + "/admin/directory",
                token: office.token, rawBody: Array(roster.utf8))
            #expect(imported == 200, "\(String(decoding: answer, as: UTF8.self))")

            let removal = try await client.proposeChange(zhao, PairingProposalInput(enterpriseID: "zw-prop-e1", kind: "remove",
                reason: "企业已停产歇业"))
            #expect(removal.state == "proposed" && removal.fromCadreName == "赵文静")
            func refusal(_ session: Session, _ input: PairingProposalInput) async throws -> APICallError? {
                do {
                    _ = try await client.proposeChange(session, input)
                    return nil
                } catch let error as APICallError {
                    return error
                }
            }
            #expect(try await refusal(zhao, PairingProposalInput(enterpriseID: "zw-prop-e1", kind: "release", reason: "再次申请"))?.code
                == "PROPOSAL_OPEN")
            #expect(try await refusal(wang, PairingProposalInput(enterpriseID: "zw-prop-e2", kind: "remove", reason: "不是我的"))?.code
                == "NOT_PAIRED")
            #expect(try await refusal(zhao, PairingProposalInput(enterpriseID: "zw-prop-e2", kind: "reassign", reason: "  "))?.status == 422)
            #expect(try await client.pairingProposals(zhao).contains { $0.id == removal.id })
            #expect(try await client.enterprises(office).first { $0.id == "zw-prop-e1" }?.pairedCadreID == "zw-cadre-2",
                "nothing changes before the office decides")

            await #expect(throws: APICallError.self) { try await client.decideChange(office, proposalID: removal.id, approve: false) }
            await #expect(throws: APICallError.self) { try await client.decideChange(zhao, proposalID: removal.id, approve: true) }
            let approved = try await client.decideChange(office, proposalID: removal.id, approve: true)
            #expect(approved.state == "approved")
            #expect(try await client.enterprises(office).first { $0.id == "zw-prop-e1" }?.pairedCadreID == nil)
            let proposal = try await client.allocate(office, PlatformClient.AllocationRequest(seed: "1"))
            #expect(!(proposal.assignments.map(\.enterpriseID) + proposal.unassigned.map(\.enterpriseID)).contains("zw-prop-e1"),
                "an enterprise off the list is not allocated again")
            await #expect(throws: APICallError.self) { try await client.decideChange(office, proposalID: removal.id, approve: false, note: "晚了") }

            let start = log.lineCount()
            let handOver = try await client.proposeChange(office, PairingProposalInput(enterpriseID: "zw-prop-e2", kind: "reassign",
                toCadreID: "zw-cadre-1", reason: "赵文静同志工作调整"))
            #expect(handOver.toCadreName == "王建国")
            _ = try await client.decideChange(office, proposalID: handOver.id, approve: true)
            #expect(try await client.enterprises(office).first { $0.id == "zw-prop-e2" }?.pairedCadreID == "zw-cadre-1")
            let log = self.log
            let liaisonText = try await eventually("the liaison's SMS of the new cadre") {
                log.messages(after: start).first { $0.to == "19900030082" }?.text
            }
            #expect(liaisonText.hasPrefix("【张湾区双千办】十堰亲清企业服务信息平台已为贵企业安排包联干部王建国，联系电话"))
            let cadreText = try await eventually("the new cadre's SMS") {
                log.messages(after: start).first { $0.text.hasSuffix("已安排您包联十堰调整测试二有限公司，请尽快与企业联系对接") }
            }
            #expect(cadreText.to.hasPrefix("199"))
        }

        @Test("提示函: the office sends a numbered prompt letter to a pairing group; its administrators are texted and answer once; other units neither see nor answer it")
        func promptLetters() async throws {
            _ = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
            let admin = try await client.login(tier: "zhangwan", login: "张湾区商务局管理员", password: Cast.demoPassword)
            let otherAdmin = try await client.login(tier: "zhangwan", login: "张湾区住建局管理员", password: Cast.demoPassword)
            let cadre = try await client.login(tier: "zhangwan", login: "王建国", password: Cast.demoPassword)
            let today = CivilDate(Date())
            let replyBy = today.adding(days: 7)
            func letter(unit: String = "zhangwan-swj", subject: String = "包联企业走访进度滞后", body: String = "请于一周内完成本月包联企业走访并登记",
                replyBy: CivilDate = replyBy) -> PromptLetterInput
            {
                PromptLetterInput(unitID: unit, subject: subject, body: body, replyBy: replyBy.description)
            }
            #expect(await apiRefusal { _ = try await client.issuePromptLetter(office, letter(subject: " ")) }?.code == "MISSING_FIELD")
            #expect(await apiRefusal { _ = try await client.issuePromptLetter(office, letter(replyBy: today)) }?.code == "DATE_NOT_AFTER_TODAY")
            #expect(await apiRefusal { _ = try await client.issuePromptLetter(office, letter(unit: "maojian-jxj")) }?.code == "UNKNOWN_UNIT",
                "a unit of another tier")
            #expect(await apiRefusal { _ = try await client.issuePromptLetter(cadre, letter()) }?.status == 403)
            #expect(await apiRefusal { _ = try await client.issuePromptLetter(admin, letter()) }?.status == 403)

            let start = log.lineCount()
            let sent = try await client.issuePromptLetter(office, letter())
            let number = try #require(DocumentNumber(sent.number))
            #expect(number.kind == .prompt && number.year == today.year)
            #expect(sent.unitName == "张湾区商务局" && sent.status == "待反馈" && sent.issuedBy == "张湾区双千办" && sent.reply == nil)
            let next = try await client.issuePromptLetter(office, letter(subject: "干部测评结果需整改"))
            #expect(DocumentNumber(next.number)?.sequence == number.sequence + 1, "numbered per tier and year")

            let log = self.log
            let text = try await eventually("the letter's SMS at fakesmsc") {
                log.messages(after: start).first { $0.to == "19900030013" && $0.text.contains(sent.number) }?.text
            }
            #expect(text.hasSuffix("向您单位发出提示函（\(sent.number)）：包联企业走访进度滞后。请登录平台查阅，并于\(replyBy.chineseText)前反馈落实情况"))
            #expect(!log.messages(after: start).contains { $0.to == "19900030012" }, "住建局 is not texted")

            #expect(try await client.promptLetters(admin).map(\.id).contains(sent.id))
            #expect(try await !client.promptLetters(otherAdmin).map(\.id).contains(sent.id))
            #expect(await apiRefusal { _ = try await client.replyToPromptLetter(otherAdmin, letterID: sent.id, PromptLetterReply(text: "已落实")) }?
                .status == 404)
            #expect(await apiRefusal { _ = try await client.replyToPromptLetter(admin, letterID: sent.id, PromptLetterReply(text: "")) }?.code
                == "MISSING_FIELD")
            #expect(await apiRefusal { _ = try await client.promptLetters(cadre) }?.status == 403)

            let replied = try await client.replyToPromptLetter(admin, letterID: sent.id, PromptLetterReply(text: "已安排专人于本周内完成走访登记"))
            #expect(replied.status == "已反馈" && replied.repliedBy == "张湾区商务局管理员" && replied.reply == "已安排专人于本周内完成走访登记")
            #expect(await apiRefusal { _ = try await client.replyToPromptLetter(admin, letterID: sent.id, PromptLetterReply(text: "再次反馈")) }?
                .code == "ALREADY_REPLIED")
            let seen = try await client.promptLetters(office)
            #expect(seen.first { $0.id == sent.id }?.status == "已反馈" && seen.first { $0.id == next.id }?.status == "待反馈")
        }

        @Test("A cadre who leaves is deactivated: no more logins, out of the lists, their enterprises back in the pool with the reason kept")
        func deactivation() async throws {
            let stack = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
            func code(_ number: Int) -> String { Self.creditCode("DL", number) }
            func enterprise(_ id: String, _ number: Int) -> String {
                #"{"id": "\#(id)", "name": "十堰离岗测试\#(number)有限公司", "creditCode": "\#(code(number))", "address": "十堰市测试路8号", "industryGroup": "commerce", "liaisonName": "离岗联络", "liaisonPhone": "1990003010\#(number)", "pairedCadreID": "zw-leave-cadre", "onFourAboveList": true, "password": "Demo@2026", "passwordChangeRequired": false}"#
            }
            let roster = #"{"tenant": "zhangwan", "people": [{"id": "zw-leave-cadre", "name": "离岗测试干部", "role": "cadre", "phone": "19900030100", "password": "Demo@2026", "passwordChangeRequired": false}], "enterprises": ["#
                + enterprise("zw-leave-e1", 1) + ", " + enterprise("zw-leave-e2", 2) + "]}"
            let (imported, answer) = try await client.raw("import", .PUT, stack.url(.intake, tier: "zhangwan") + "/admin/directory",
                token: office.token, rawBody: Array(roster.utf8))
            #expect(imported == 200, "\(String(decoding: answer, as: UTF8.self))")
            let cadre = try await client.login(tier: "zhangwan", login: "离岗测试干部", password: Cast.demoPassword)
            let asked = try await client.proposeChange(cadre, PairingProposalInput(enterpriseID: "zw-leave-e1", kind: "release", reason: "即将退休"))

            func refusal(_ session: Session, _ reason: String) async -> APICallError? {
                await apiRefusal { _ = try await client.deactivateCadre(session, cadreID: "zw-leave-cadre", reason: reason) }
            }
            #expect(await refusal(office, "  ")?.code == "MISSING_FIELD")
            #expect(await refusal(cadre, "退休")?.status == 403, "only the office deactivates")
            // A demand waiting for the cadre's review is theirs while they are active, the office's after.
            let enterprise = try await client.login(tier: "zhangwan", login: "十堰离岗测试1有限公司", password: Cast.demoPassword)
            let demand = try await client.submit(enterprise, form: JourneyRunner.sampleForm(enterprise: "十堰离岗测试1有限公司",
                creditCode: code(1), contactPhone: "19900030101"))
            #expect(demand.state == .awaitingReview)
            func officeApproval() async -> APICallError? {
                await apiRefusal { _ = try await client.approve(office, demand.id) }
            }
            #expect(await officeApproval()?.code == "REVIEWED_BY_CADRE")
            #expect(try await client.intakeList(office, query: "?officeReview=true").isEmpty)
            let done = try await client.deactivateCadre(office, cadreID: "zw-leave-cadre", reason: "2026年11月退休")
            #expect(done.cadreName == "离岗测试干部" && done.releasedEnterprises.sorted() == ["zw-leave-e1", "zw-leave-e2"])
            #expect(done.reviewsForOffice == 1)
            #expect(await refusal(office, "退休")?.status == 404, "a cadre is deactivated once")
            #expect(try await client.intakeList(office, query: "?officeReview=true").map(\.id) == [demand.id])
            #expect(await officeApproval() == nil, "the office reviews in place of the cadre who left")
            let approved = try await client.intakeDemand(office, demand.id)
            #expect(approved.state == .awaitingDispatch && approved.history.last?.actor.role == .office)
            #expect(try await client.intakeList(office, query: "?officeReview=true").isEmpty)

            do {
                _ = try await client.login(tier: "zhangwan", login: "离岗测试干部", password: Cast.demoPassword)
                Issue.record("a deactivated cadre logged in")
            } catch let error as APICallError {
                #expect(error.status == 401)
            }
            let enterprises = try await client.enterprises(office).filter { $0.id.hasPrefix("zw-leave-") }
            #expect(enterprises.count == 2 && enterprises.allSatisfy { $0.pairedCadreID == nil }, "back in the pool")
            #expect(try await !client.pairingCadres(office).contains { $0.cadreID == "zw-leave-cadre" })
            let closed = try await client.pairingProposals(office, all: true).first { $0.id == asked.id }
            #expect(closed?.state == "refused" && closed?.decisionNote?.contains("已停用") == true)
        }
    }
}
