import DemandDomain
import Foundation
import InputValidation
import LocalStack
import PlatformAPI
import PlatformEvents
import Tenancy
import Testing

extension EndToEnd {
    /// 公告文档 (002 §5, §10, §17–18) on the running stack: the office publishes announcements and policy
    /// guide entries; a new announcement can be texted to the tier's enterprises; the tier and the tiers
    /// below read them, other cities do not; a withdrawn notice is gone from the lists.
    @Suite("Notices")
    struct NoticeTests {
        var log: FakeSMSCLog { FakeSMSCLog(path: StackEnvironment.current.fakeSMSCLog!) }

        @Test("The office publishes; enterprises are texted a new announcement; the tier and the tiers below read, others not; withdrawn is gone")
        func notices() async throws {
            _ = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "linxiang", login: "临翔区服企办", password: Cast.demoPassword)
            let enterprise = try await client.login(tier: "linxiang", login: "临沧示范茶业有限公司", password: Cast.demoPassword)
            let cityOffice = try await client.login(tier: "lincang", login: "临沧市服企办", password: Cast.demoPassword)
            let otherCity = try await client.login(tier: "shiyan", login: "十堰市双千办", password: Cast.demoPassword)
            let marker = String(UUID().uuidString.prefix(6))

            func publish(_ session: Session, _ input: NoticeInput) async -> APICallError? {
                await apiRefusal { _ = try await client.publishNotice(session, input) }
            }
            #expect(await publish(office, NoticeInput(kind: "announcement", title: " ", body: "正文"))?.code == "MISSING_FIELD")
            #expect(await publish(office, NoticeInput(kind: "policy", title: "政策", body: "正文"))?.code == "MISSING_FIELD",
                "a policy entry needs its category")
            #expect(await publish(office, NoticeInput(kind: "policy", title: "政策", body: "正文", category: "tax", notifyEnterprises: true))?
                .code == "SMS_ONLY_FOR_ANNOUNCEMENTS")
            #expect(await publish(office, NoticeInput(kind: "news", title: "标题", body: "正文"))?.code == "INVALID_NOTICE_KIND")
            #expect(await publish(enterprise, NoticeInput(kind: "announcement", title: "标题", body: "正文"))?.status == 403)

            // The demo enterprises' liaisons as the directory has them now (another suite changes one).
            let demo = try await client.enterprises(office).filter { ["lx-ent-1", "lx-ent-2"].contains($0.id) }
            let phones = Set(demo.compactMap { $0.liaisonPhone?.digits })
            #expect(phones.count == 2)
            let start = log.lineCount()
            let title = "关于开展2026年度惠企政策集中宣讲的通知\(marker)"
            let announcement = try await client.publishNotice(office, NoticeInput(kind: "announcement", title: title,
                body: "定于12月上旬在区政务服务中心集中宣讲税费减免、稳岗返还等惠企政策，请各企业派员参加。", notifyEnterprises: true))
            #expect(announcement.kind == .announcement && announcement.texted && announcement.publishedBy == "临翔区服企办")
            let log = self.log
            let texts = try await eventually("the announcement's SMS to 临翔区's enterprises") { () -> [String]? in
                let texted = log.messages(after: start).filter { $0.text.contains(title) }
                return Set(texted.map(\.to)).isSuperset(of: phones) ? texted.map(\.text) : nil
            }
            #expect(texts.allSatisfy { $0.hasSuffix("发布新公告：\(title)，请登录平台“公告栏”查阅") })

            let policy = try await client.publishNotice(office, NoticeInput(kind: "policy", title: "小微企业增值税减免政策\(marker)",
                body: "月销售额10万元以下的小规模纳税人免征增值税。", category: "tax"))
            #expect(policy.categoryName == "税费减免" && !policy.texted)
            let cityPolicy = try await client.publishNotice(cityOffice, NoticeInput(kind: "policy", title: "临沧市稳岗返还政策\(marker)",
                body: "参保企业上年度未裁员或裁员率低于全国城镇调查失业率控制目标的，按规定返还失业保险费。", category: "talent"))

            // The enterprise reads its tier's, and the city's from the city's intake.
            let announcements = try await client.notices(enterprise, kind: .announcement)
            #expect(announcements.contains { $0.id == announcement.id } && !announcements.contains { $0.id == policy.id })
            let found = try await client.notices(enterprise, kind: .policy, search: "增值税减免政策\(marker)")
            #expect(found.map(\.id) == [policy.id], "a search reads titles and text")
            let taxed = try await client.notices(enterprise, kind: .policy, category: .tax)
            #expect(taxed.contains { $0.id == policy.id } && taxed.allSatisfy { $0.category == .tax }, "a category narrows the guide")
            #expect(try await !client.notices(enterprise, kind: .policy, category: .talent).contains { $0.id == policy.id })
            #expect(try await client.notices(enterprise, tier: "lincang", kind: .policy).contains { $0.id == cityPolicy.id },
                "a county reads its city's policy guide")
            #expect(await apiRefusal { _ = try await client.notices(otherCity, tier: "linxiang") }?.code == "TENANT_NOT_ALLOWED")
            #expect(await apiRefusal { _ = try await client.notices(cityOffice, tier: "linxiang", kind: .announcement) } == nil,
                "the city reads what its county published")

            #expect(await apiRefusal { try await client.withdrawNotice(enterprise, id: announcement.id) }?.status == 403)
            try await client.withdrawNotice(office, id: announcement.id)
            #expect(try await !client.notices(enterprise, kind: .announcement).contains { $0.id == announcement.id })
            #expect(await apiRefusal { try await client.withdrawNotice(office, id: announcement.id) }?.status == 404)
        }
        @Test("简报投稿: cadres and enterprises submit, the office accepts or rejects with the reason; accepted briefs are published and a cadre's counts for their unit")
        func briefs() async throws {
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let (office, cadre, enterprise, unitAdmin) = (runner.cast.countyOffice, runner.cast.cadre, runner.cast.enterprise,
                runner.cast.countyOtherUnit)
            let marker = String(UUID().uuidString.prefix(6))

            #expect(await apiRefusal { _ = try await client.submitBrief(cadre, BriefInput(title: "", body: "正文")) }?.code == "MISSING_FIELD")
            #expect(await apiRefusal { _ = try await client.submitBrief(office, BriefInput(title: "标题", body: "正文")) }?.status == 403)
            let fromCadre = try await client.submitBrief(cadre, BriefInput(title: "包联企业新产线提前投产\(marker)",
                body: "经协调供电部门，十堰示范汽车零部件有限公司新产线提前通电投产。"))
            #expect(fromCadre.state == .pending && fromCadre.submitterRole == .cadre && fromCadre.unitID == "maojian-jxj",
                "李明远's brief counts for 经信局")
            let fromEnterprise = try await client.submitBrief(enterprise, BriefInput(title: "新品上市\(marker)", body: "我公司新款零部件上市，欢迎选购。"))

            // Pending briefs are the office's and their authors'.
            #expect(try await client.briefs(office, state: .pending).map(\.id).contains(fromCadre.id))
            #expect(try await !client.briefs(enterprise).map(\.id).contains(fromCadre.id), "another's pending brief is not shown")
            #expect(try await client.briefs(cadre).map(\.id).contains(fromCadre.id))

            #expect(await apiRefusal { _ = try await client.decideBrief(office, id: fromEnterprise.id, BriefDecision(accept: false)) }?.code
                == "MISSING_FIELD", "a rejection says why")
            #expect(await apiRefusal { _ = try await client.decideBrief(cadre, id: fromCadre.id, BriefDecision(accept: true)) }?.status == 403)
            let before = try await client.cadreQuarters(office).cadres.first { $0.cadreID == "mj-cadre-1" }?.briefsAccepted ?? 0
            let accepted = try await client.decideBrief(office, id: fromCadre.id, BriefDecision(accept: true))
            #expect(try await client.cadreQuarters(office).cadres.first { $0.cadreID == "mj-cadre-1" }?.briefsAccepted == before + 1,
                "an accepted brief counts in the cadre's quarter (干部测评)")
            #expect(accepted.state == .accepted && accepted.decidedBy == "茅箭区双千办")
            let rejected = try await client.decideBrief(office, id: fromEnterprise.id, BriefDecision(accept: false, reason: "属商业广告，不予发布"))
            #expect(rejected.state == .rejected && rejected.reason == "属商业广告，不予发布")
            #expect(await apiRefusal { _ = try await client.decideBrief(office, id: fromCadre.id, BriefDecision(accept: false, reason: "改判")) }?
                .code == "ALREADY_DECIDED")

            let published = try await client.briefs(unitAdmin)
            #expect(published.contains { $0.id == fromCadre.id } && !published.contains { $0.id == fromEnterprise.id })
            #expect(try await client.briefs(enterprise).first { $0.id == fromEnterprise.id }?.reason == "属商业广告，不予发布",
                "the author sees why")
        }
    }
}
