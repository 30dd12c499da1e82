import DemandDomain
import Foundation
import InputValidation
import LocalStack
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// Fuyuan's 销号 (001 §4.2(2): "经征询包联企业认可、包联领导同意后办结一个销号一个") on 张湾区, the
    /// demo tier that runs it: the enterprise accepts, the office records the pairing leader's word.
    @Suite("Closure with the pairing leader's agreement across separate processes")
    struct ClosureAgreementTests {
        @Test("In 张湾区 an accepted answer waits for the pairing leader; without agreement the unit answers again, with it the demand closes")
        func pairingLeaderAgrees() async throws {
            let stack = TestStack.shared
            let runner = try await stack.runner()
            let client = try await stack.client()
            @Sendable func login(_ name: String) async throws -> Session {
                try await client.login(tier: "zhangwan", login: name, password: Cast.demoPassword)
            }
            let enterprise = try await login("十堰张湾精密机械有限公司")
            let cadre = try await login("王建国")
            let dispatcher = try await login("张湾区分办员")
            let unit = try await login("张湾区经信局管理员")
            let office = try await login("张湾区双千办")
            let form = JourneyRunner.sampleForm(enterprise: "十堰张湾精密机械有限公司", creditCode: "91420303MA4B1K2L34",
                contactPhone: "19900030041")
            let submitted = try await client.submit(enterprise, form: form)
            _ = try await client.approve(cadre, submitted.id)
            _ = try await runner.waitAtDispatch(dispatcher, tier: "zhangwan", submitted.id, state: .awaitingDispatch)
            _ = try await client.route(dispatcher, submitted.id, lead: "zhangwan-jxj")
            _ = try await runner.waitAtHandling(unit, submitted.id, state: .awaitingSignature)
            _ = try await client.handle(unit, submitted.id, .sign, ["note": "已签收"])
            _ = try await client.handle(unit, submitted.id, .result, ["resultClass": "A", "answer": "已协调供电公司完成增容"])

            let accepted = try await client.handle(enterprise, submitted.id, .rating,
                JourneyRunner.RatingBody(satisfied: true, comment: nil))
            #expect(accepted.state == .awaitingClosureAgreement)
            #expect(accepted.location.holder == "张湾区包联领导")
            #expect(accepted.deadlines.isEmpty, "the seeds give the leader's agreement no time limit")
            #expect(try await client.ledger(office, query: "?state=awaitingClosureAgreement").contains { $0.id == submitted.id })

            let today = CivilDate(Date())
            let byEnterprise = await apiRefusal {
                _ = try await client.handle(enterprise, submitted.id, .closureDecision,
                    ClosureDecision(agreed: true, leader: "张副区长", decidedOn: today))
            }
            #expect(byEnterprise?.status == 403, "\(String(describing: byEnterprise))")
            let withoutReason = await apiRefusal {
                _ = try await client.handle(office, submitted.id, .closureDecision,
                    ClosureDecision(agreed: false, leader: "张副区长", decidedOn: today))
            }
            #expect(withoutReason?.status == 422 && withoutReason?.fieldMessages["comment"] != nil, "\(String(describing: withoutReason))")

            let withheld = try await client.handle(office, submitted.id, .closureDecision,
                ClosureDecision(agreed: false, leader: "张副区长", decidedOn: today, comment: "二期厂房尚未送电，请继续协调"))
            #expect(withheld.state == .underSupervision)
            #expect(withheld.deadlines.first?.step == "result")
            #expect(withheld.closureDecision?.agreed == false)
            _ = try await client.handle(unit, submitted.id, .result, ["resultClass": "A", "answer": "二期厂房已送电，企业已正常生产"])
            _ = try await client.handle(enterprise, submitted.id, .rating, JourneyRunner.RatingBody(satisfied: true, comment: nil))
            let closed = try await client.handle(office, submitted.id, .closureDecision,
                ClosureDecision(agreed: true, leader: "张副区长", decidedOn: today))
            #expect(closed.state == .closed)
            #expect(closed.closureDecision?.leader == "张副区长" && closed.closureDecision?.agreed == true)

            // The enterprise's own list at intake follows the demand to its closing.
            _ = try await eventually("intake to show the demand closed") { () -> Bool? in
                let seen = try await client.intakeDemand(enterprise, submitted.id)
                return seen.location.state == .closed ? true : nil
            }
            let texts = try await eventually("the closure SMS", timeout: .seconds(60)) { () -> [PlatformClient.SMSMessage]? in
                let messages = try await client.messages(office, demand: submitted.id)
                let rules = messages.map(\.rule)
                let complete = rules.filter { $0 == "closure-agreement-requested" }.count == 2
                    && Set(rules).isSuperset(of: ["closure-withheld", "closed-after-agreement", "closed-to-cadre"])
                return complete ? messages : nil
            }
            let number = submitted.registrationNumber ?? ""
            let prefix = "【张湾区双千办】十堰亲清企业服务信息平台"
            #expect(texts.first { $0.rule == "closure-agreement-requested" }?.text
                == prefix + "十堰张湾精密机械有限公司的诉求已答复，请征询包联领导意见后办理销号（\(number)）")
            #expect(texts.first { $0.rule == "closure-withheld" }?.text
                == prefix + "包联领导未同意十堰张湾精密机械有限公司的诉求销号，请继续办理。意见：二期厂房尚未送电，请继续协调（\(number)）")
            #expect(texts.first { $0.rule == "closed-after-agreement" }?.text == prefix + "您提交的诉求经包联领导同意，已办结销号（\(number)）")
            #expect(texts.first { $0.rule == "closed-to-cadre" }?.text
                == prefix + "您包联的十堰张湾精密机械有限公司的诉求已办结销号（经包联领导张副区长同意）（\(number)）")
            #expect(!texts.contains { $0.rule == "closed-unrated" })
        }
    }
}
