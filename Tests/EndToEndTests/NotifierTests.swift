import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// SMS through the real gateway: Kannel's bearerbox and smsbox, with fakesmsc as the phone network.
    @Suite("SMS through Kannel", .enabled(if: StackEnvironment.current.hasKannel))
    struct NotifierTests {
        var log: FakeSMSCLog { FakeSMSCLog(path: StackEnvironment.current.fakeSMSCLog!) }

        /// Waits until the notifier has nothing left to send and fakesmsc has received nothing for
        /// three seconds, so that what fakesmsc receives next comes from the test that follows. The
        /// quiet spell covers status events of an earlier test still on their way to the notifier,
        /// which no intent counts yet.
        func waitUntilQuiet() async throws {
            let stack = try await TestStack.shared.start()
            let client = PlatformClient(stack: stack)
            var lastCount = log.lineCount()
            var quietSince = ContinuousClock.now
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now - quietSince < .seconds(3) {
                guard ContinuousClock.now < deadline else { throw StackError("the notifier did not fall quiet within 120 s") }
                try await Task.sleep(for: .milliseconds(200))
                let (_, data) = try await client.raw("metrics", .GET, stack.url(.notifier) + "/metrics", token: nil)
                let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("sms_unsent_intents ") }
                let unsent = line.flatMap { Double($0.split(separator: " ").last ?? "") }
                let count = log.lineCount()
                if count != lastCount || unsent != 0 {
                    lastCount = count
                    quietSince = ContinuousClock.now
                }
            }
        }

        /// The messages fakesmsc logged after `line`, once there are `count` of them.
        func received(after line: Int, count: Int) async throws -> [FakeSMSCLog.Message] {
            let log = self.log
            return try await eventually("\(count) messages at fakesmsc") {
                let messages = log.messages(after: line)
                return messages.count >= count ? messages : nil
            }
        }

        /// Waits until every SMS of the demands reached a final state, and returns them.
        func settled(_ demands: [UUID], expecting count: Int, as office: Session, states: Set<String> = ["delivered"])
            async throws -> [PlatformClient.SMSMessage]
        {
            let client = try await TestStack.shared.client()
            return try await eventually("\(count) SMS delivered", timeout: .seconds(60)) {
                var all: [PlatformClient.SMSMessage] = []
                for id in demands { all += try await client.messages(office, demand: id) }
                return all.count == count && all.allSatisfy({ states.contains($0.state) }) ? all : nil
            }
        }

        @Test("The escalated journey's SMS reach the right numbers with the exact texts, and their delivery reports are recorded")
        func journeyTexts() async throws {
            let runner = try await TestStack.shared.runner()
            let cast = runner.cast
            try await waitUntilQuiet()
            let start = log.lineCount()
            let (county, city) = try await runner.escalatedJourney()
            let countyNumber = try #require(county.registrationNumber)
            let cityNumber = try #require(city.registrationNumber)
            let countyMessages = try await settled([county.id], expecting: 2, as: cast.countyOffice)
            let cityMessages = try await settled([city.id], expecting: 6, as: cast.cityOffice)
            #expect((countyMessages + cityMessages).allSatisfy { $0.state == "delivered" })
            let expected: [(String, String)] = [
                ("19900020021", "【茅箭区双千办】十堰亲清企业服务信息平台有一条十堰示范汽车零部件有限公司提交的新诉求请您审核"),
                ("19900020002", "【茅箭区双千办】十堰亲清企业服务信息平台有一条十堰示范汽车零部件有限公司的企业诉求待分办"),
                ("19900010003", "【十堰市双千办】十堰亲清企业服务信息平台有一条茅箭区转报的企业诉求待分办（\(cityNumber)）"),
                ("19900010011", "【十堰市双千办】十堰亲清企业服务信息平台有一条新企业诉求待签收"),
                ("19900020041", "【十堰市双千办】十堰亲清企业服务信息平台您提交的诉求已办结，请在5个工作日内登录平台进行评价（\(cityNumber)）"),
                ("19900020021", "【十堰市双千办】十堰亲清企业服务信息平台您包联的十堰示范汽车零部件有限公司的诉求已由十堰市经济和信息化局签收办理（\(cityNumber)）"),
                ("19900020021", "【十堰市双千办】十堰亲清企业服务信息平台您包联的十堰示范汽车零部件有限公司的诉求已办结，请提醒企业在5个工作日内评价"),
                ("19900020021", "【十堰市双千办】十堰亲清企业服务信息平台您包联的十堰示范汽车零部件有限公司的诉求已办结销号（\(cityNumber)）"),
            ]
            let received = try await received(after: start, count: expected.count)
            try await Task.sleep(for: .seconds(1))
            #expect(log.messages(after: start).count == expected.count, "no other message")
            #expect(received.allSatisfy { $0.from == "10690001" })
            let got = received.map { "\($0.to) \($0.text)" }.sorted()
            let want = expected.map { "\($0.0) \($0.1)" }.sorted()
            #expect(got == want, "county \(countyNumber)")
        }

        @Test("A landline is a valid contact number (003 art. 7); the enterprise's SMS then go to its liaison's mobile")
        func landlineContact() async throws {
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let cast = runner.cast
            var form = JourneyRunner.sampleForm(contactPhone: "(0719) 886 6001")
            form.contact.name = "张会计"
            let submitted = try await client.submit(cast.enterprise, form: form)
            #expect(submitted.content?.contact.phone.text == "0719-8866001")
            _ = try await client.sendBack(cast.cadre, submitted.id, reason: "请补充用地面积")
            let messages = try await eventually("the sent-back SMS") {
                let messages = try await client.messages(cast.countyOffice, demand: submitted.id).filter { $0.rule == "sent-back" }
                return messages.isEmpty ? nil : messages
            }
            #expect(messages.count == 1)
            #expect(messages.first?.recipientName == "王联络" && messages.first?.phone?.hasSuffix("0041") == true, "\(messages)")
            #expect(messages.first?.state != "unreachable")
        }

        @Test("Each party hears what happened: cooperating unit, signing, pause, extension with its new deadline, class-B answer, closure")
        func partiesFollowTheDemand() async throws {
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let cast = runner.cast
            try await waitUntilQuiet()
            let start = log.lineCount()
            let demand = try await runner.submitAndApprove()
            let number = try #require(demand.registrationNumber)
            _ = try await client.route(cast.countyDispatcher, demand.id, lead: "maojian-jxj", cooperating: ["maojian-zjj"])
            _ = try await runner.waitAtHandling(cast.countyUnit, demand.id, state: .awaitingSignature)
            _ = try await client.handle(cast.countyUnit, demand.id, .sign, ["note": "已签收"])
            _ = try await client.handle(cast.countyUnit, demand.id, .pause, ["reason": "需企业补充用电负荷数据"])
            _ = try await client.handle(cast.countyUnit, demand.id, .resume, ["note": "企业已补充"])
            _ = try await client.handle(cast.countyUnit, demand.id, .extension, JourneyTests.ExtensionBody(days: 5, reason: "需现场勘查"))
            let granted = try await client.handle(cast.countyOffice, demand.id, .extensionDecision,
                JourneyTests.DecisionBody(granted: true, days: 5))
            let resultDue = try #require(granted.deadlines.first { $0.step == "result" }?.dueAt)
            let planned = CivilDate(Date()).adding(months: 3)
            _ = try await client.handle(cast.countyUnit, demand.id, .result, JourneyTests.ResultBody(resultClass: "B",
                answer: "增容方案已报批", plan: "分两期完成线路改造", plannedCompletion: planned.description))
            _ = try await client.handle(cast.enterprise, demand.id, .rating, JourneyRunner.RatingBody(satisfied: true, comment: nil))

            let head = "【茅箭区双千办】十堰亲清企业服务信息平台"
            let enterprise = "十堰示范汽车零部件有限公司"
            let expected: [(String, String)] = [
                ("19900020021", "有一条\(enterprise)提交的新诉求请您审核"),
                ("19900020002", "有一条\(enterprise)的企业诉求待分办"),
                ("19900020011", "有一条新企业诉求待签收"),
                ("19900020012", "有一条企业诉求请您单位配合茅箭区经济和信息化局办理，请登录平台查看并向牵头单位提出意见（\(number)）"),
                ("19900020021", "您包联的\(enterprise)的诉求已由茅箭区经济和信息化局签收办理（\(number)）"),
                ("19900020041", "茅箭区经济和信息化局需向您进一步了解诉求情况，办理计时已暂停，请保持电话畅通。原因：需企业补充用电负荷数据（\(number)）"),
                ("19900020021", "您包联的\(enterprise)的诉求需澄清，茅箭区经济和信息化局已暂停计时，请协助联系企业。原因：需企业补充用电负荷数据（\(number)）"),
                ("19900020001", "茅箭区经济和信息化局申请延长诉求办理时限，请审批（\(number)）"),
                ("19900020011", "诉求延期申请已同意，延期5个工作日，办理时限延至\(CivilDate.lastDay(before: resultDue).chineseText)（\(number)）"),
                ("19900020021", "您包联的\(enterprise)的诉求延期申请已同意，延期5个工作日，办理时限延至\(CivilDate.lastDay(before: resultDue).chineseText)（\(number)）"),
                ("19900020041", "您提交的诉求已答复，正在解决中，计划于\(planned.chineseText)前解决，请在5个工作日内登录平台进行评价（\(number)）"),
                ("19900020021", "您包联的\(enterprise)的诉求已答复，正在解决中，计划于\(planned.chineseText)前解决，请提醒企业在5个工作日内评价"),
                ("19900020021", "您包联的\(enterprise)的诉求已办结销号（\(number)）"),
            ]
            let received = try await received(after: start, count: expected.count)
            try await Task.sleep(for: .seconds(1))
            #expect(log.messages(after: start).count == expected.count, "no other message")
            let got = received.map { "\($0.to) \($0.text)" }.sorted()
            let want = expected.map { "\($0.0) \(head)\($0.1)" }.sorted()
            #expect(got == want)
        }

        @Test("Killing the notifier while messages are pending loses and repeats none")
        func notifierKilled() async throws {
            let stack = try await TestStack.shared.start()
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let cast = runner.cast
            try await waitUntilQuiet()
            let start = log.lineCount()
            let notifier = stack.process("notifier")
            var ids: [UUID] = []
            for _ in 0..<4 {
                let submitted = try await client.submit(cast.enterprise, form: JourneyRunner.sampleForm())
                ids.append(submitted.id)
            }
            await notifier.kill9()
            for id in ids { _ = try await client.approve(cast.cadre, id) }
            try await Task.sleep(for: .milliseconds(500))
            try notifier.start()
            try await notifier.waitUntilReady()
            _ = try await settled(ids, expecting: 8, as: cast.countyOffice)
            let received = try await received(after: start, count: 8)
            try await Task.sleep(for: .seconds(1))
            #expect(received.filter { $0.to == "19900020021" }.count == 4, "one review SMS per demand to the cadre")
            #expect(received.filter { $0.to == "19900020002" }.count == 4, "one dispatch SMS per demand to the dispatcher")
            #expect(log.messages(after: start).count == 8, "nothing twice")
        }

        @Test("While Kannel is down messages wait; they go out once it is back")
        func kannelDown() async throws {
            let kannel = InfrastructureControl(root: TestStack.repositoryRoot)
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let cast = runner.cast
            try await waitUntilQuiet()
            let start = log.lineCount()
            try await kannel.stopSMSBox()
            let submitted = try await client.submit(cast.enterprise, form: JourneyRunner.sampleForm())
            let waiting = try await eventually("the SMS to wait for Kannel") {
                let messages = try await client.messages(cast.countyOffice, demand: submitted.id)
                return messages.first.map { $0.state == "pending" && $0.lastError != nil } == true ? messages : nil
            }
            #expect(waiting.first?.attempts ?? 0 >= 1)
            #expect(log.messages(after: start).isEmpty)
            try await kannel.startSMSBox()
            let delivered = try await settled([submitted.id], expecting: 1, as: cast.countyOffice)
            #expect(delivered.first?.state == "delivered")
            #expect(try await received(after: start, count: 1).map(\.to) == ["19900020021"])
        }
    }
}
