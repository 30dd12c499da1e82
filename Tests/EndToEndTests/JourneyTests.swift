import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import PlatformEvents
import Synchronization
import Tenancy
import Testing

/// Demand journeys across the separately running processes of every tier, over the dev Kafka
/// cluster and Postgres, through the public HTTP APIs.
/// All end-to-end suites share one running stack and run one test at a time (a kill -9 test must
/// not cut into a journey test).
@Suite("End to end", .serialized, .enabled(if: TestStack.available), .timeLimit(.minutes(10)))
struct EndToEnd {}

extension EndToEnd {
@Suite("Journeys across separate processes")
struct JourneyTests {
    @Test("The main job: a 茅箭区 demand escalated to 十堰市, handled, rated and closed at both tiers")
    func escalatedJourney() async throws {
        let runner = try await TestStack.shared.runner()
        let (county, city) = try await runner.escalatedJourney()
        #expect(city.state == .closed)
        #expect(kinds(city) == ["receiveEscalation", "dispatch", "sign", "submitResult", "rate"])
        #expect(city.origin?.demandID == county.id)
        #expect(city.registrationNumber?.hasPrefix("十堰服企办收（") == true)
        #expect(county.state == .closed)
        #expect(kinds(county) == ["submit", "approve", "escalate", "recordEscalationOutcome", "recordEscalationOutcome"])
        #expect(county.escalation?.number.hasPrefix("茅箭服企办报（") == true)
        #expect(county.outcome?.resultClass == "A")
    }

    @Test("The stack's demonstration (deploy/local/stack) runs to its end: a closed demand shows no deadline, reporting counts it at both tiers")
    func demonstration() async throws {
        let lines = Mutex<[String]>([])
        try await Demonstration(stack: try await TestStack.shared.start()) { line in lines.withLock { $0.append(line) } }.run()
        let output = lines.withLock { $0 }
        let countyClosed = try #require(output.firstIndex { $0.hasPrefix("[9] 区级收到市级办结结果") })
        #expect(output[countyClosed + 1].contains("状态 已办结销号"))
        #expect(output[countyClosed + 1].hasSuffix("无在办时限"), "\(output[countyClosed + 1])")
        #expect(output.contains { $0.contains("本月统计") })
        #expect(output.contains { $0.contains("== Try it ==") })
    }

    @Test("The office registers a demand for an enterprise not in the roster; the roster completes it and the enterprise sees its demand")
    func provisionalEnterprise() async throws {
        let stack = try await TestStack.shared.start()
        let client = try await TestStack.shared.client()
        let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
        let creditCode = "91420303MA4B7Q8R9G"
        var form = JourneyRunner.sampleForm()
        form.enterprise = .init(name: "十堰临时建档测试有限公司", creditCode: creditCode, address: "十堰市张湾区测试路9号")
        form.channel = .visitOrLetter
        let first = try await client.submit(office, form: form, provisionalEnterprise: true)
        let provisionalID = "provisional-\(creditCode)"
        #expect(first.enterprise?.id == provisionalID)
        #expect(first.content?.enterprise.name == "十堰临时建档测试有限公司")
        let listed = try await client.enterprises(office).first { $0.id == provisionalID }
        #expect(listed?.provisional == true && listed?.liaisonName == "王联络")
        // The same credit code again names the same enterprise; a cadre may not register one.
        let second = try await client.submit(office, form: form, provisionalEnterprise: true)
        #expect(second.enterprise?.id == provisionalID)
        let cadre = try await client.login(tier: "zhangwan", login: "赵文静", password: Cast.demoPassword)
        let (refused, body) = try await client.raw("submit", .POST, stack.url(.intake, tier: "zhangwan") + "/demands", token: cadre.token,
            body: ProvisionalSubmission(form: form, provisionalEnterprise: true))
        #expect(refused == 403 && String(decoding: body, as: UTF8.self).contains("ROLE_NOT_ALLOWED"))
        // The roster brings the enterprise under its own id; it completes the provisional one instead.
        let roster = """
            {"tenant": "zhangwan", "enterprises": [{"id": "zw-ent-late", "name": "十堰临时建档测试有限公司", "creditCode": "\(creditCode)",
              "address": "十堰市张湾区测试路9号", "liaisonName": "孙联络", "liaisonPhone": "19900030049", "industryGroup": "economyAndIT",
              "password": "Demo@2026", "passwordChangeRequired": false}]}
            """
        let (imported, answer) = try await client.raw("import", .PUT, stack.url(.intake, tier: "zhangwan") + "/admin/directory",
            token: office.token, rawBody: Array(roster.utf8))
        #expect(imported == 200, "\(String(decoding: answer, as: UTF8.self))")
        let completed = try await client.enterprises(office).filter { $0.creditCode.rawValue == creditCode }
        #expect(completed.map(\.id) == [provisionalID] && completed.first?.provisional == nil && completed.first?.liaisonName == "孙联络")
        let enterprise = try await client.login(tier: "zhangwan", login: "十堰临时建档测试有限公司", password: Cast.demoPassword)
        #expect(enterprise.enterpriseID == provisionalID)
        let own = Set(try await client.intakeList(enterprise).map(\.id))
        #expect(own.isSuperset(of: [first.id, second.id]))
    }

    struct ProvisionalSubmission: Encodable, Sendable {
        var form: DemandForm
        var provisionalEnterprise: Bool
    }

    @Test("A district-only journey: routed to a district unit with a cooperating unit, answered, closed")
    func districtJourney() async throws {
        let runner = try await TestStack.shared.runner()
        let closed = try await runner.districtJourney()
        #expect(closed.state == .closed)
        #expect(kinds(closed) == ["submit", "approve", "dispatch", "sign", "submitResult", "rate"])
        #expect(closed.assignment?.cooperatingUnits.map(\.id) == ["maojian-zjj"])
    }

    @Test("Not our remit: the unit returns it, the dispatcher routes it again, the right unit handles it")
    func returnAndReroute() async throws {
        let stack = TestStack.shared
        let runner = try await stack.runner()
        let client = try await stack.client()
        let cast = try await stack.people()
        let wrongUnit = try await client.login(tier: "maojian", login: "茅箭区住建局管理员", password: Cast.demoPassword)
        let demand = try await runner.submitAndApprove()
        _ = try await client.route(cast.countyDispatcher, demand.id, lead: "maojian-zjj")
        _ = try await runner.waitAtHandling(wrongUnit, demand.id, state: .awaitingSignature)
        let returned = try await client.handle(wrongUnit, demand.id, .return,
            ["reason": "用电增容不属于住建部门职能", "suggestion": "建议分办至区经信局"])
        #expect(returned.state == .awaitingDispatch)
        // Back in the dispatcher's queue, then routed to the right unit.
        let back = try await runner.waitAtDispatch(cast.countyDispatcher, tier: "maojian", demand.id, state: .awaitingDispatch)
        #expect(back.history.last?.kind == "returnNotOurRemit")
        let queue = try await client.queue(cast.countyDispatcher)
        #expect(queue.contains { $0.id == demand.id })
        _ = try await client.route(cast.countyDispatcher, demand.id, lead: "maojian-jxj")
        _ = try await runner.waitAtHandling(cast.countyUnit, demand.id, state: .awaitingSignature)
        _ = try await client.handle(cast.countyUnit, demand.id, .sign, ["note": "已签收"])
        let answered = try await client.handle(cast.countyUnit, demand.id, .result, ["resultClass": "A", "answer": "已解决"])
        #expect(answered.state == .awaitingRating)
        #expect(kinds(answered) == ["submit", "approve", "dispatch", "returnNotOurRemit", "dispatch", "sign", "submitResult"])
        // Access follows the current assignment: the unit that returned it neither reads it (not
        // even its contact's phone) nor acts on it any more; the history keeps what it did.
        await #expect(throws: APICallError.self) {
            try await client.handle(wrongUnit, demand.id, .notes, ["text": "补充"])
        }
        do {
            _ = try await client.handlingDemand(wrongUnit, demand.id)
            Issue.record("the unit that returned the demand still reads it")
        } catch let error as APICallError {
            #expect(error.status == 404)
        }
        #expect(try await client.ledger(wrongUnit).allSatisfy { $0.id != demand.id })
        #expect(answered.history.contains { $0.kind == "returnNotOurRemit" && $0.actor.id == wrongUnit.subject })
        // So does the copy behind at the tier's dispatch: the unit holding the demand now reads it, not the one that returned it.
        _ = try await runner.waitAtDispatch(cast.countyUnit, tier: "maojian", demand.id, state: .awaitingRating)
        do {
            _ = try await client.dispatchDemand(wrongUnit, tier: "maojian", demand.id)
            Issue.record("the unit that returned the demand still reads dispatch's copy")
        } catch let error as APICallError {
            #expect(error.status == 404)
        }
        // And intake's copy, where the demand was raised.
        _ = try await eventually("intake's copy follows the demand to the unit holding it") {
            let copy = try? await client.intakeDemand(cast.countyUnit, tier: "maojian", demand.id)
            return copy?.location.state == .awaitingRating ? copy : nil
        }
        do {
            _ = try await client.intakeDemand(wrongUnit, tier: "maojian", demand.id)
            Issue.record("the unit that returned the demand still reads intake's copy")
        } catch let error as APICallError {
            #expect(error.status == 404)
        }
    }

    @Test("An unsatisfied rating sends the demand to special supervision and back to the unit until satisfied")
    func unsatisfiedRating() async throws {
        let (client, cast, demand) = try await EndToEnd.signedByCountyUnit()
        _ = try await client.handle(cast.countyUnit, demand.id, .result, ["resultClass": "C", "answer": "暂无法解决",
            "explanation": "受电网规划限制"])
        let unsatisfied = try await client.handle(cast.enterprise, demand.id, .rating,
            JourneyRunner.RatingBody(satisfied: false, comment: "答复含糊，问题未解决"))
        #expect(unsatisfied.state == .underSupervision)
        #expect(unsatisfied.deadlines.first?.step == "result")
        let note = try await client.handle(cast.countyUnit, demand.id, .notes, ["text": "专项督办：已约谈供电公司"])
        #expect(note.state == .underSupervision)
        _ = try await client.handle(cast.countyUnit, demand.id, .result, ResultBody(resultClass: "B", answer: "已列入改造计划",
            plan: "12月完成线路改造", plannedCompletion: "2026-12-31"))
        let closed = try await client.handle(cast.enterprise, demand.id, .rating, JourneyRunner.RatingBody(satisfied: true, comment: nil))
        #expect(closed.state == .closed)
        #expect(kinds(closed).suffix(4) == ["rate", "addProgressNote", "submitResult", "rate"])
    }

    @Test("An extension requested by the unit and granted by the office moves the result deadline")
    func extensionGranted() async throws {
        let (client, cast, signed) = try await EndToEnd.signedByCountyUnit()
        let demand = signed
        let before = try #require(signed.deadlines.first { $0.step == "result" }?.dueAt)
        let requested = try await client.handle(cast.countyUnit, demand.id, .extension,
            ExtensionBody(days: 5, reason: "需协调供电公司现场勘查"))
        #expect(requested.history.last?.kind == "requestExtension")
        // Only the tier's office decides.
        await #expect(throws: APICallError.self) {
            try await client.handle(cast.cityOffice, demand.id, .extensionDecision, DecisionBody(granted: true, days: 5))
        }
        let granted = try await client.handle(cast.countyOffice, demand.id, .extensionDecision, DecisionBody(granted: true, days: 5))
        let after = try #require(granted.deadlines.first { $0.step == "result" }?.dueAt)
        #expect(after > before)
        let planner = DeadlinePlanner(procedure: .shiyan, calendar: try WorkingCalendar.official())
        let signedAt = try #require(signed.history.last?.at)
        #expect(after == (try planner.schedule(step: .result, start: signedAt, budgetDays: 20).dueAt))
    }

    @Test("An extension decision without days grants what the unit asked for; zero days are refused with their own code")
    func extensionGrantedAsRequested() async throws {
        let (client, cast, signed) = try await EndToEnd.signedByCountyUnit()
        let demand = signed
        do {
            _ = try await client.handle(cast.countyUnit, demand.id, .extension, ExtensionBody(days: 0, reason: "需现场勘查"))
            Issue.record("an extension of 0 days was accepted")
        } catch let error as APICallError {
            #expect(error.status == 422 && error.code == "INVALID_EXTENSION_DAYS", "\(error)")
        }
        _ = try await client.handle(cast.countyUnit, demand.id, .extension, ExtensionBody(days: 3, reason: "需现场勘查"))
        let granted = try await client.handle(cast.countyOffice, demand.id, .extensionDecision, ["granted": true])
        let planner = DeadlinePlanner(procedure: .shiyan, calendar: try WorkingCalendar.official())
        let signedAt = try #require(signed.history.last?.at)
        #expect(granted.deadlines.first { $0.step == "result" }?.dueAt
            == (try planner.schedule(step: .result, start: signedAt, budgetDays: 18).dueAt))
    }

    @Test("The office refuses out-of-scope demands, at intake before review and at dispatch after; the enterprise is told")
    func refusals() async throws {
        let stack = TestStack.shared
        let runner = try await stack.runner()
        let client = try await stack.client()
        let cast = try await stack.people()
        // At intake, while the demand waits for the cadre's review.
        let submitted = try await client.submit(cast.enterprise, form: JourneyRunner.sampleForm())
        let refusedAtIntake = try await client.refuse(cast.countyOffice, submitted.id, waitingFor: .awaitingReview,
            Refusal(ground: .litigation, explanation: "该合同纠纷已由法院受理，请通过诉讼程序解决"))
        #expect(refusedAtIntake.state == .refused)
        #expect(refusedAtIntake.refusal?.ground == .litigation)
        // At dispatch, after review; intake follows.
        let approved = try await runner.submitAndApprove()
        do {
            _ = try await client.refuse(cast.countyDispatcher, approved.id, waitingFor: .awaitingDispatch,
                Refusal(ground: .stateSecret, explanation: "涉及国家秘密"))
            Issue.record("a dispatcher refused a demand; only the office may")
        } catch let error as APICallError {
            #expect(error.status == 403, "\(error)")
        }
        let refusedAtDispatch = try await client.refuse(cast.countyOffice, approved.id, waitingFor: .awaitingDispatch,
            Refusal(ground: .administrativeReview, explanation: "已申请行政复议"))
        #expect(refusedAtDispatch.state == .refused)
        _ = try await eventually("intake follows the refusal") {
            let copy = try await client.intakeDemand(cast.enterprise, approved.id)
            return copy.state == .refused ? copy : nil
        }
        let texts = try await eventually("the refusal SMS", timeout: .seconds(60)) {
            let messages = try await client.messages(cast.countyOffice, demand: approved.id)
            return messages.contains { $0.rule == "refused" } && messages.contains { $0.rule == "refused-to-cadre" } ? messages : nil
        }
        #expect(texts.first { $0.rule == "refused" }?.text
            == "【茅箭区双千办】十堰亲清企业服务信息平台您反映的问题不纳入企业困难问题受理范围，不予受理，请通过相应途径解决。"
            + "原因：已经或依法应当通过行政复议途径解决。已申请行政复议（\(approved.registrationNumber ?? "")）")
    }


    @Test("The dispatcher sees a demand's likely duplicates and merges it into one; the merged demand follows that one")
    func duplicatesMerge() async throws {
        let stack = TestStack.shared
        let runner = try await stack.runner()
        let client = try await stack.client()
        let cast = try await stack.people()
        let token = UUID().uuidString.prefix(8)
        func submitted(_ difficulty: String, _ helpWanted: String) async throws -> DemandSnapshot {
            var form = JourneyRunner.sampleForm()
            form.difficulty = difficulty
            form.helpWanted = helpWanted
            let demand = try await client.submit(cast.enterprise, form: form)
            _ = try await client.approve(cast.cadre, demand.id)
            return try await runner.waitAtDispatch(cast.countyDispatcher, tier: "maojian", demand.id, state: .awaitingDispatch)
        }
        let first = try await submitted("厂区门口道路破损严重，影响货车通行（\(token)）。", "希望尽快协调修复厂区门口道路。")
        let routed = try await client.route(cast.countyDispatcher, first.id, lead: "maojian-jxj")
        let second = try await submitted("厂区门口的道路破损，货车无法通行（\(token)）。", "请协调有关部门修复厂区门口的道路。")
        let unrelated = try await runner.submitAndApprove()

        let candidates = try await client.duplicates(cast.countyDispatcher, of: second.id)
        let match = try #require(candidates.first, "the paraphrase was not found as a likely duplicate")
        #expect(match.id == first.id && match.similarity >= 0.15 && match.similarity < 1, "\(candidates)")
        #expect(!candidates.contains { $0.id == unrelated.id }, "an unrelated text was shown as a duplicate")
        #expect(await apiRefusal { _ = try await client.duplicates(cast.countyUnit, of: second.id) }?.status == 403)

        // Refusals: itself, a unit, a demand that has ended.
        #expect(await apiRefusal { _ = try await client.merge(cast.countyDispatcher, second.id, into: second.id, reason: "重复") }?
            .code == "MERGE_INTO_ITSELF")
        #expect(await apiRefusal { _ = try await client.merge(cast.countyUnit, second.id, into: first.id, reason: "重复") }?
            .status == 403)
        #expect(await apiRefusal { _ = try await client.merge(cast.countyDispatcher, second.id, into: first.id, reason: " ") }?
            .code == "MISSING_FIELD")
        _ = try await client.refuse(cast.countyOffice, unrelated.id, waitingFor: .awaitingDispatch,
            Refusal(ground: .otherOutOfScope, explanation: "不属于受理范围"))
        #expect(await apiRefusal { _ = try await client.merge(cast.countyDispatcher, second.id, into: unrelated.id, reason: "重复") }?
            .code == "MERGE_TARGET_ENDED")

        let merged = try await client.merge(cast.countyDispatcher, second.id, into: first.id, reason: "与该诉求反映同一事项")
        #expect(merged.state == .merged && merged.merger?.intoDemandID == first.id)
        #expect(merged.location.demandID == first.id && merged.location.state == .awaitingSignature, "\(merged.location)")
        #expect(merged.deadlines.isEmpty == false, "the merged demand shows the deadlines of the one it joined")
        #expect(await apiRefusal { _ = try await client.route(cast.countyDispatcher, second.id, lead: "maojian-jxj") }?.status == 409)

        // One handling answers both: when the unit signs the first, the enterprise sees the second move too.
        _ = try await runner.waitAtHandling(cast.countyUnit, first.id, state: .awaitingSignature)
        _ = try await client.handle(cast.countyUnit, first.id, .sign, ["note": "已签收"])
        let followed = try await eventually("intake's merged copy to follow the signature") {
            let copy = try await client.intakeDemand(cast.enterprise, second.id)
            return copy.location.state == .inProgress ? copy : nil
        }
        #expect(followed.state == .merged && followed.location.demandID == first.id
            && followed.location.holder == routed.assignment?.leadUnit.name, "\(followed.location)")
        #expect(followed.merger?.intoDemandID == first.id, "intake, which handed the demand on, knows what it joined")
        let atDispatch = try await eventually("dispatch's merged copy to follow the signature") {
            let copy = try await client.dispatchDemand(cast.countyDispatcher, tier: "maojian", second.id)
            return copy.location.state == .inProgress ? copy : nil
        }
        #expect(atDispatch.state == .merged && atDispatch.merger?.reason == "与该诉求反映同一事项")

        let text = try await eventually("the merger SMS", timeout: .seconds(60)) {
            try await client.messages(cast.countyOffice, demand: second.id).first { $0.rule == "merged" }?.text
        }
        #expect(text == "【茅箭区双千办】十堰亲清企业服务信息平台您反映的诉求（\(second.registrationNumber ?? "")）与贵企业此前反映的诉求"
            + "（\(first.registrationNumber ?? "")）内容相同，已合并办理，办理进展和结果请查看该诉求")
    }

    @Test("Shiyan's city dispatch by industry group: each group's dispatcher keeps the queue and gets the SMS of its group")
    func industryGroupQueues() async throws {
        let stack = TestStack.shared
        let runner = try await stack.runner()
        let client = try await stack.client()
        let cast = try await stack.people()
        var form = JourneyRunner.sampleForm()
        form.industryGroup = .housingAndConstruction
        form.difficulty = "新建厂房消防验收迟迟未能办结（\(UUID().uuidString.prefix(8))）。"
        let county = try await client.submit(cast.enterprise, form: form)
        _ = try await client.approve(cast.cadre, county.id)
        _ = try await runner.waitAtDispatch(cast.countyDispatcher, tier: "maojian", county.id, state: .awaitingDispatch)
        #expect(try await client.queue(cast.countyDispatcher).contains { $0.id == county.id }, "a county dispatcher keeps every group")
        _ = try await client.escalate(cast.countyDispatcher, county.id, suggestion: "需市住建局协调")
        // Asked by its origin, a demand is found by any dispatcher of the tier.
        let city = try await runner.cityCopy(of: county.id)

        let housing = try await client.login(tier: "shiyan", login: "市住建组分办员", password: "Demo@2026")
        #expect(housing.industryGroups == [.housingAndConstruction])
        #expect(try await client.queue(housing).contains { $0.id == city.id })
        #expect(cast.cityDispatcher.industryGroups == [.economyAndIT])
        #expect(!(try await client.queue(cast.cityDispatcher).contains { $0.id == city.id }), "the 经信 queue shows a 住建 demand")
        #expect(try await client.queue(cast.cityDispatcher, everyIndustryGroup: true).contains { $0.id == city.id })
        _ = try await client.route(housing, city.id, lead: "sy-zjj")

        let announced = try await eventually("the escalation SMS to the city's dispatchers", timeout: .seconds(60)) {
            let texts = try await client.messages(cast.cityOffice, demand: city.id).filter { $0.rule == "escalation-received" }
            return texts.isEmpty ? nil : texts
        }
        #expect(announced.map(\.recipientName) == ["市住建组分办员"], "\(announced.map(\.recipientName))")
    }

    struct ResultBody: Encodable {
        var resultClass: String
        var answer: String
        var plan: String
        var plannedCompletion: String
    }

    struct ExtensionBody: Encodable {
        var days: Int
        var reason: String
    }

    struct DecisionBody: Encodable {
        var granted: Bool
        var days: Int
    }
}
}

extension EndToEnd {
    /// A 茅箭区 demand routed to 茅箭区经信局 and signed there.
    static func signedByCountyUnit() async throws -> (PlatformClient, Cast, DemandSnapshot) {
        let stack = TestStack.shared
        let runner = try await stack.runner()
        let client = try await stack.client()
        let cast = try await stack.people()
        let demand = try await runner.submitAndApprove()
        _ = try await client.route(cast.countyDispatcher, demand.id, lead: "maojian-jxj")
        _ = try await runner.waitAtHandling(cast.countyUnit, demand.id, state: .awaitingSignature)
        return (client, cast, try await client.handle(cast.countyUnit, demand.id, .sign, ["note": "已签收"]))
    }
}
