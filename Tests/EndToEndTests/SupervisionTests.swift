import DemandDomain
import Foundation
import InputValidation
import LocalStack
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// The office's supervision ladder on the running stack (003 art. 18; 001 §4.4, §4.6): 挂牌督办,
    /// a 集中会办 decision, a vague answer sent back, follow-ups the enterprise sees, each with its SMS
    /// and counted in the unit's figures. (Urge letters need an overdue step: the store's suite
    /// covers their numbers and printout.)
    @Suite("Supervision ladder across separate processes")
    struct SupervisionTests {
        @Test("The office flags a case, records a joint meeting, sends a vague answer back and follows up after closing")
        func ladder() async throws {
            let (client, cast, demand) = try await EndToEnd.signedByCountyUnit()
            let before = try await flaggedCount(client, cast)

            // 挂牌督办 by the city office (an ancestor), once; listed apart for the county office.
            do {
                _ = try await client.handle(cast.countyDispatcher, demand.id, .flag, ["reason": "涉及重点项目"])
                Issue.record("a dispatcher flagged a case; only an office may")
            } catch let error as APICallError {
                #expect(error.status == 403, "\(error)")
            }
            let flagged = try await client.handle(cast.cityOffice, demand.id, .flag, ["reason": "市重点项目用电，列入挂牌督办"])
            #expect(flagged.flag?.reason == "市重点项目用电，列入挂牌督办")
            do {
                _ = try await client.handle(cast.countyOffice, demand.id, .flag, ["reason": "再次挂牌"])
                Issue.record("a case was flagged twice")
            } catch let error as APICallError {
                #expect(error.status == 409, "\(error)")
            }
            #expect(try await client.ledger(cast.countyOffice, query: "?flagged=true").contains { $0.id == demand.id })

            // 集中会办: a decision with a date, which the unit reads.
            let today = CivilDate(Date())
            let meeting = SupervisionMeeting(kind: .jointMeeting, heldOn: today, attendees: "区双千办、区经信局、供电公司",
                decision: "供电公司负责增容接入", dueOn: today.adding(days: 10))
            let met = try await client.handle(cast.countyOffice, demand.id, .meetings, meeting)
            #expect(met.meetings?.map(\.decision) == ["供电公司负责增容接入"])
            // The top rung: the case put to the tier's leadership.
            let referral = SupervisionMeeting(kind: .leadershipMeeting, heldOn: today, attendees: "区委、区政府分管领导",
                decision: "区政府协调供电公司优先安排增容")
            let referred = try await client.handle(cast.countyOffice, demand.id, .meetings, referral)
            #expect(referred.meetings?.map(\.kind) == [.jointMeeting, .leadershipMeeting])

            // A vague answer goes back for another before the enterprise is asked to rate it.
            _ = try await client.handle(cast.countyUnit, demand.id, .result, ["resultClass": "A", "answer": "已处理"])
            let sentBack = try await client.handle(cast.countyOffice, demand.id, .answerSupervision, ["reason": "答复过于笼统，请写明增容时间"])
            #expect(sentBack.state == .underSupervision)
            #expect(sentBack.deadlines.first?.step == "result")
            _ = try await client.handle(cast.countyUnit, demand.id, .result, ["resultClass": "A", "answer": "已于本周完成增容，企业已正常用电"])
            let closed = try await client.handle(cast.enterprise, demand.id, .rating, JourneyRunner.RatingBody(satisfied: true, comment: nil))
            #expect(closed.state == .closed)
            #expect(try await client.ledger(cast.countyOffice, query: "?flagged=true").allSatisfy { $0.id != demand.id },
                "a closed case leaves the 挂牌督办 list")

            // A call-back after closing, which the enterprise sees on its demand.
            let called = try await client.handle(cast.countyOffice, demand.id, .followUps,
                FollowUp(way: .callBack, note: "电话回访，企业用电正常", enterpriseFeedback: "满意"))
            #expect(called.state == .closed && called.lastFollowUpAt != nil)
            let seen = try await client.handlingDemand(cast.enterprise, demand.id)
            #expect(seen.history.last?.kind == "recordFollowUp")
            #expect(seen.history.last?.words == "电话回访，企业用电正常")

            let texts = try await eventually("the supervision SMS", timeout: .seconds(60)) { () -> [PlatformClient.SMSMessage]? in
                let messages = try await client.messages(cast.countyOffice, demand: demand.id)
                let rules = Set(messages.map(\.rule))
                let meetings = messages.filter { $0.rule == "meeting-decided" }.count
                return rules.isSuperset(of: ["flagged", "answer-supervised", "followed-up"]) && meetings == 2 ? messages : nil
            }
            let number = demand.registrationNumber ?? ""
            #expect(texts.first { $0.rule == "answer-supervised" }?.text
                == "【茅箭区双千办】十堰亲清企业服务信息平台您单位对\(demand.content?.enterprise.name ?? "")诉求的答复经审核需重新办理。"
                + "督办意见：答复过于笼统，请写明增容时间（\(number)）")
            let jointDecision = texts.first { $0.rule == "meeting-decided" && $0.text.contains("集中会办对您单位承办的") }
            #expect(jointDecision?.text.contains("请于\(today.adding(days: 10).chineseText)前落实") == true)
            #expect(texts.contains { $0.rule == "meeting-decided" && $0.text.contains("党委政府调度会办对您单位承办的") })
            #expect(texts.first { $0.rule == "followed-up" }?.text.contains("您反映的诉求跟踪情况：电话回访，企业用电正常") == true)

            let after = try await eventually("the unit's figures to count the flag") { () -> Int? in
                let count = try await flaggedCount(client, cast)
                return count > before ? count : nil
            }
            #expect(after == before + 1, "one flag counts once")
        }

        @Test("A class-B answer stays on the ledger of promises after closing until the unit reports it carried out")
        func classBPromise() async throws {
            let (client, cast, demand) = try await EndToEnd.signedByCountyUnit()
            let planned = CivilDate(Date()).adding(days: 30)
            _ = try await client.handle(cast.countyUnit, demand.id, .result, ["resultClass": "B", "answer": "已列入增容计划",
                "plan": "新建10千伏专线", "plannedCompletion": planned.description])
            let closed = try await client.handle(cast.enterprise, demand.id, .rating, JourneyRunner.RatingBody(satisfied: true, comment: nil))
            #expect(closed.state == .closed && closed.awaitsCompletion == true)
            #expect(try await client.ledger(cast.countyOffice, query: "?awaitingCompletion=true").contains { $0.id == demand.id })
            do {
                _ = try await client.handle(cast.countyOffice, demand.id, .completion, ["text": "已送电"])
                Issue.record("the office reported a unit's completion")
            } catch let error as APICallError {
                #expect(error.status == 403, "\(error)")
            }
            let reported = try await client.handle(cast.countyUnit, demand.id, .completion, ["text": "10千伏专线已建成送电"])
            #expect(reported.state == .closed && reported.awaitsCompletion == false)
            #expect(reported.completion?.text == "10千伏专线已建成送电")
            #expect(try await client.ledger(cast.countyOffice, query: "?awaitingCompletion=true").allSatisfy { $0.id != demand.id })
            let texts = try await eventually("the completion SMS", timeout: .seconds(60)) { () -> [PlatformClient.SMSMessage]? in
                let messages = try await client.messages(cast.countyOffice, demand: demand.id)
                return messages.filter { $0.rule == "completion-reported" }.count == 2 ? messages : nil
            }
            #expect(texts.first { $0.rule == "completion-reported" }?.text.hasSuffix("的诉求已按计划解决：10千伏专线已建成送电（\(demand.registrationNumber ?? "")）") == true)
        }

        @Test("A class-B promise come due without a completion report reminds the lead unit and tells the office, once")
        func classBPromiseDue() async throws {
            let (client, cast, demand) = try await EndToEnd.signedByCountyUnit()
            let today = CivilDate(Date())
            _ = try await client.handle(cast.countyUnit, demand.id, .result, ["resultClass": "B", "answer": "已列入切改计划",
                "plan": "今日完成线路切改", "plannedCompletion": today.description])
            @Sendable func reminders() async throws -> [PlatformClient.SMSMessage] {
                try await client.messages(cast.countyOffice, demand: demand.id).filter { $0.rule.hasPrefix("promise-due") }
            }
            let texts = try await eventually("the promise reminders", timeout: .seconds(60)) { () -> [PlatformClient.SMSMessage]? in
                let found = try await reminders()
                return found.count >= 2 ? found : nil
            }
            let number = demand.registrationNumber ?? ""
            #expect(texts.first { $0.rule == "promise-due" }?.text
                == "【茅箭区双千办】十堰亲清企业服务信息平台您单位承诺于\(today.chineseText)前解决的诉求已到期，请尽快登录平台报告完成情况（\(number)）")
            #expect(texts.first { $0.rule == "promise-due-to-office" }?.text
                == "【茅箭区双千办】十堰亲清企业服务信息平台茅箭区经济和信息化局承诺于\(today.chineseText)前解决的诉求已到期，尚未报告完成情况，请跟踪督办（\(number)）")
            // Later scans remind of it no more.
            try await Task.sleep(for: .seconds(3))
            #expect(try await reminders().count == texts.count)
        }

        @Test("约谈: the office records its interview of a unit; the unit's administrators are texted and read it, other units do not")
        func unitInterviews() async throws {
            _ = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
            let admin = try await client.login(tier: "zhangwan", login: "张湾区住建局管理员", password: Cast.demoPassword)
            let otherAdmin = try await client.login(tier: "zhangwan", login: "张湾区商务局管理员", password: Cast.demoPassword)
            let today = CivilDate(Date())
            func interview(unit: String = "zhangwan-zjj", heldOn: CivilDate = today, decision: String = "限期办结超期诉求，建立台账逐件销号",
                dueOn: CivilDate? = today.adding(days: 10)) -> UnitInterviewInput
            {
                UnitInterviewInput(unitID: unit, heldOn: heldOn.description, attendees: "区双千办主任、区住建局分管副局长",
                    demands: "张湾服企办收（2026）第3号", decision: decision, dueOn: dueOn?.description)
            }
            #expect(await apiRefusal { _ = try await client.recordInterview(office, interview(decision: " ")) }?.code == "MISSING_FIELD")
            #expect(await apiRefusal { _ = try await client.recordInterview(office, interview(heldOn: today.adding(days: 1))) }?.code
                == "INVALID_DATE")
            #expect(await apiRefusal { _ = try await client.recordInterview(office, interview(dueOn: today.adding(days: -1))) }?.code
                == "INVALID_DATE")
            #expect(await apiRefusal { _ = try await client.recordInterview(office, interview(unit: "maojian-zjj")) }?.code == "UNKNOWN_UNIT",
                "a unit of another tier")
            #expect(await apiRefusal { _ = try await client.recordInterview(admin, interview()) }?.status == 403)

            let log = FakeSMSCLog(path: StackEnvironment.current.fakeSMSCLog!)
            let start = log.lineCount()
            let recorded = try await client.recordInterview(office, interview())
            #expect(recorded.unitName == "张湾区住房和城乡建设局" && recorded.heldOn == today && recorded.recordedBy == "张湾区双千办")
            let text = try await eventually("the interview's SMS at fakesmsc") {
                log.messages(after: start).first { $0.text.contains("约谈要求") }
            }
            #expect(text.to == "19900030012", "the 住建局's administrator")
            #expect(text.text.hasSuffix("对您单位诉求办理情况的约谈要求：限期办结超期诉求，建立台账逐件销号，请于\(today.adding(days: 10).chineseText)前整改落实。请登录平台查看约谈记录"))
            #expect(try await client.interviews(admin).map(\.id).contains(recorded.id))
            #expect(try await client.interviews(office).map(\.id).contains(recorded.id))
            #expect(try await !client.interviews(otherAdmin).map(\.id).contains(recorded.id))
        }

        /// 挂牌督办 this month at 茅箭区经信局, as reporting counts it.
        func flaggedCount(_ client: PlatformClient, _ cast: Cast) async throws -> Int {
            let rows = try await client.unitFigures(cast.countyOffice)
            return rows.first { $0.scope == "maojian-jxj" }?.supervision?["flagged"] ?? 0
        }
    }
}
