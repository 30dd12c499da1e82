import DemandDomain
import Foundation
import InputValidation
import LocalStack
import PlatformAPI
import PlatformEvents
import Tenancy
import Testing

extension EndToEnd {
    /// The second city tree of the local stack, 临沧市 and 临翔区, on the Lincang procedure (003):
    /// the office registers demands itself, units answer within 5 working days of the dispatch
    /// slip, and the county escalates to the city, each tier in its own processes.
    @Suite("Lincang procedure across separate processes")
    struct LincangTests {
        struct People {
            var countyOffice: Session
            var countyDispatcher: Session
            var countyUnit: Session
            var countyOtherUnit: Session
            var enterprise: Session
            var cityDispatcher: Session
            var cityUnit: Session
        }

        static let planner = DeadlinePlanner(procedure: .lincang, calendar: try! WorkingCalendar.official())

        func people(_ client: PlatformClient) async throws -> People {
            let password = Cast.demoPassword
            return People(
                countyOffice: try await client.login(tier: "linxiang", login: "临翔区服企办", password: password),
                countyDispatcher: try await client.login(tier: "linxiang", login: "临翔区分办员", password: password),
                countyUnit: try await client.login(tier: "linxiang", login: "临翔区农业农村局管理员", password: password),
                countyOtherUnit: try await client.login(tier: "linxiang", login: "临翔区自然资源局管理员", password: password),
                enterprise: try await client.login(tier: "linxiang", login: "临沧示范茶业有限公司", password: password),
                cityDispatcher: try await client.login(tier: "lincang", login: "临沧市分办员", password: password),
                cityUnit: try await client.login(tier: "lincang", login: "临沧市农业农村局管理员", password: password))
        }

        /// The office registers a demand for 临沧示范茶业有限公司 (a visit, 003 art. 7).
        func registered(_ client: PlatformClient, _ people: People) async throws -> DemandSnapshot {
            var form = JourneyRunner.sampleForm(enterprise: "临沧示范茶业有限公司", creditCode: "91530902MA6K1A2B36",
                contactPhone: "19900040041")
            form.channel = .visitOrLetter
            form.raisedOn = Self.raisedOn
            form.remarks = "企业负责人来访反映，已现场核实"
            form.suggestedUnit = "临翔区农业农村局"
            return try await client.submit(people.countyOffice, form: form, enterpriseID: "lx-ent-1")
        }

        /// The visit came two days before the office registered it.
        static let raisedOn = CivilDate(Date()).adding(days: -2)

        func due(_ demand: DemandSnapshot, _ step: DemandStep) -> Date? {
            demand.deadlines.first { $0.step == step.rawValue }?.dueAt
        }

        @Test("Registered by the 临翔区 office, no cadre review, 2 working days to dispatch; the result is due 5 working days after the slip")
        func countyJourney() async throws {
            let stack = TestStack.shared
            let client = try await stack.client()
            let runner = try await stack.runner()
            let people = try await people(client)
            let submitted = try await registered(client, people)
            #expect(submitted.state == .awaitingDispatch, "the Lincang office registers; no cadre review")
            #expect(submitted.content?.raisedOn == Self.raisedOn)
            #expect(submitted.content?.remarks == "企业负责人来访反映，已现场核实")
            #expect(submitted.content?.channel == .visitOrLetter)
            #expect(submitted.registrationNumber?.hasPrefix("临翔") == true, "\(submitted.registrationNumber ?? "")")
            let registeredAt = try #require(submitted.history.first?.at)
            #expect(due(submitted, .dispatch) == (try Self.planner.schedule(step: .dispatch, start: registeredAt, budgetDays: 2).dueAt))

            let atDispatch = try await runner.waitAtDispatch(people.countyDispatcher, tier: "linxiang", submitted.id, state: .awaitingDispatch)
            #expect(atDispatch.content?.suggestedUnit == "临翔区农业农村局", "the dispatcher sees the proposed unit (000 Q17)")
            // Several departments: the deputy head or head approves (003 art. 12–13), not the office director.
            let today = CivilDate(Date())
            do {
                _ = try await client.route(people.countyDispatcher, submitted.id, lead: "linxiang-nyj", cooperating: ["linxiang-zrzy"],
                    approval: LeaderApproval(level: .officeDirector, leader: "张主任", approvedOn: today))
                Issue.record("an office director's approval of a dispatch to several departments was accepted")
            } catch let error as APICallError {
                #expect(error.status == 422 && error.code == "APPROVAL_LEVEL_TOO_LOW", "\(error)")
            }
            let routed = try await client.route(people.countyDispatcher, submitted.id, lead: "linxiang-nyj", cooperating: ["linxiang-zrzy"],
                approval: LeaderApproval(level: .deputyHead, leader: "王副组长", approvedOn: today))
            let dispatchedAt = try #require(routed.history.last?.at)
            let waiting = try await runner.waitAtHandling(people.countyUnit, submitted.id, state: .awaitingSignature)
            // Lincang runs the result clock from the dispatch slip, beside the signing clock; a
            // dispatch to several departments may take 3 working days.
            #expect(due(waiting, .result) == (try Self.planner.schedule(step: .result, start: dispatchedAt, budgetDays: 5).dueAt))
            #expect(due(waiting, .sign) != nil)
            let slip = try await client.dispatchSlip(people.countyUnit, submitted.id)
            #expect(slip.approval == "王副组长（分管副组长）\(today.chineseText)批准")

            // The lead unit names who answers for it (003 art. 15–16).
            do {
                _ = try await client.handle(people.countyUnit, submitted.id, .sign, ["note": "已签收"])
                Issue.record("a Lincang signature without a responsible leader was accepted")
            } catch let error as APICallError {
                #expect(error.status == 422 && error.code == "MISSING_FIELD", "\(error)")
            }
            let signed = try await client.handle(people.countyUnit, submitted.id, .sign,
                ["note": "已签收", "responsibleLeader": "王副局长", "handler": "李科长"])
            #expect(signed.signature?.handler == "李科长")

            // The cooperating unit's opinion reaches the lead unit before it answers (art. 14–15).
            _ = try await client.handle(people.countyOtherUnit, submitted.id, .opinions, ["text": "茶园道路用地已在规划内，可并联办理。"])
            let withOpinion = try await client.handlingDemand(people.countyUnit, submitted.id)
            #expect(withOpinion.opinions?.map(\.text) == ["茶园道路用地已在规划内，可并联办理。"])
            #expect(withOpinion.opinions?.first?.unit?.name == "临翔区自然资源局")
            do {
                _ = try await client.handle(people.countyUnit, submitted.id, .result, ["resultClass": "A", "answer": "已协调茶园道路硬化。"])
                Issue.record("a Lincang result without its main leader's review was accepted")
            } catch let error as APICallError {
                #expect(error.status == 422 && error.code == "MISSING_FIELD", "\(error)")
            }
            _ = try await client.handle(people.countyUnit, submitted.id, .result,
                ["resultClass": "A", "answer": "已协调茶园道路硬化。", "reviewedBy": "赵局长"])
            let reply = try await client.download(APIOperation.replyForm.asPDF, people.countyUnit, id: submitted.id)
            #expect(try await OfficeConversion.pdfText(reply).filter { !$0.isWhitespace }.contains("赵局长"),
                "the reply form names the reviewing leader")
            let head = "【临翔区服企办】临沧市企业服务平台"
            let number = submitted.registrationNumber ?? ""
            // The notifier shows masked numbers; recipients are named.
            let expected: [(name: String, text: String)] = [
                ("临翔区分办员", "\(head)有一条临沧示范茶业有限公司的企业诉求待分办"),
                ("临翔区自然资源局管理员", "\(head)有一条企业诉求请您单位配合临翔区农业农村局办理，请登录平台查看并向牵头单位提出意见（\(number)）"),
                ("临翔区农业农村局管理员", "\(head)配合单位临翔区自然资源局已提交配合意见，请登录平台查看（\(number)）"),
            ]
            let texts = try await eventually("the Lincang SMS", timeout: .seconds(60)) {
                let messages = try await client.messages(people.countyOffice, demand: submitted.id)
                let all = expected.allSatisfy { want in messages.contains { $0.recipientName == want.name && $0.text == want.text } }
                return all ? messages : nil
            }
            #expect(texts.filter { $0.rule == "cooperation-requested" }.count == 1, "one SMS to the one cooperating unit")
            let closed = try await client.handle(people.enterprise, submitted.id, .rating,
                JourneyRunner.RatingBody(satisfied: true, comment: nil))
            #expect(closed.state == .closed)
            #expect(kinds(closed) == ["submit", "dispatch", "sign", "submitOpinion", "submitResult", "rate"])
        }

        @Test("临翔区 escalates to 临沧市, whose unit answers and the enterprise's rating closes both")
        func escalatedToLincang() async throws {
            let stack = TestStack.shared
            let client = try await stack.client()
            let runner = try await stack.runner()
            let people = try await people(client)
            let submitted = try await registered(client, people)
            _ = try await runner.waitAtDispatch(people.countyDispatcher, tier: "linxiang", submitted.id, state: .awaitingDispatch)
            do {
                _ = try await client.escalate(people.countyDispatcher, submitted.id, suggestion: "涉及全市茶产业规划，需市级协调")
                Issue.record("a Lincang escalation without the head's approval was accepted")
            } catch let error as APICallError {
                #expect(error.status == 422 && error.code == "APPROVAL_REQUIRED", "\(error)")
            }
            let today = CivilDate(Date())
            let escalated = try await client.escalate(people.countyDispatcher, submitted.id, suggestion: "涉及全市茶产业规划，需市级协调",
                approval: LeaderApproval(level: .head, leader: "李组长", approvedOn: today))
            #expect(escalated.escalation?.number.hasPrefix("临翔服企办报") == true)
            let cityCopy = try await runner.copy(of: submitted.id, at: "lincang", by: people.cityDispatcher)
            #expect(cityCopy.registrationNumber?.hasPrefix("临沧") == true, "\(cityCopy.registrationNumber ?? "")")
            #expect(cityCopy.origin?.tenant == "linxiang")
            _ = try await client.route(people.cityDispatcher, cityCopy.id, lead: "lc-nyj",
                approval: LeaderApproval(level: .officeDirector, leader: "周主任", approvedOn: today))
            _ = try await runner.waitAtHandling(people.cityUnit, cityCopy.id, state: .awaitingSignature)
            _ = try await client.handle(people.cityUnit, cityCopy.id, .sign,
                ["note": "已签收", "responsibleLeader": "张局长", "handler": "赵科长"])
            _ = try await client.handle(people.cityUnit, cityCopy.id, .result,
                ["resultClass": "A", "answer": "已纳入全市茶产业规划。", "reviewedBy": "张局长"])
            _ = try await client.handle(people.enterprise, cityCopy.id, .rating, JourneyRunner.RatingBody(satisfied: true, comment: nil))
            let countyClosed = try await runner.waitAtDispatch(people.countyDispatcher, tier: "linxiang", submitted.id, state: .closed)
            #expect(kinds(countyClosed) == ["submit", "escalate", "recordEscalationOutcome", "recordEscalationOutcome"])
        }
    }
}
