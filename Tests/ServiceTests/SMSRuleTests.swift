import DemandDomain
import Foundation
@testable import NotifierService
import Testing

@Suite("SMS rules and templates")
struct SMSRuleTests {
    static let tree = try! TenantTree([
        Tenant(id: "shiyan", name: "十堰市", shortName: "十堰", level: .city, parent: nil, procedure: "shiyan",
            smsSignature: "【十堰市双千办】", platformName: "十堰亲清企业服务信息平台")
    ])

    @Test("Templates render their named placeholders")
    func render() throws {
        let template = try SMSTemplate("{signature}{platform}有一条{enterprise}提交的新诉求请您审核")
        #expect(template.render(["signature": "【十堰市双千办】", "platform": "十堰亲清企业服务信息平台", "enterprise": "示例有限公司"])
            == "【十堰市双千办】十堰亲清企业服务信息平台有一条示例有限公司提交的新诉求请您审核")
    }

    @Test("Nothing interpolated can forge a second sender: brackets, line breaks and links are dropped, length is capped")
    func forgedNames() throws {
        let template = try SMSTemplate("{signature}{platform}有一条{enterprise}提交的新诉求请您审核")
        let text = template.render([
            "signature": "【十堰市双千办】", "platform": "十堰亲清企业服务信息平台",
            "enterprise": "山水】【十堰市双千办】您的账号异常，请回复验证码【\n http://evil.example/x \u{200B}",
        ])
        #expect(text.filter { $0 == "【" || $0 == "】" } == "【】")
        #expect(text.hasPrefix("【十堰市双千办】十堰亲清企业服务信息平台有一条山水十堰市双千办您的账号异常，请回复验证码"))
        #expect(!text.contains("\n") && !text.contains("/") && !text.contains("\u{200B}"))
        let reason = try SMSTemplate("{signature}退回原因：{reason}").render(["signature": "【十堰市双千办】",
            "reason": String(repeating: "材料不全", count: 30)])
        #expect(reason.count == "【十堰市双千办】退回原因：".count + 60)
        #expect(reason.hasSuffix("…"))
    }

    @Test("A template naming an unknown placeholder, or with an unclosed brace, is refused",
        arguments: ["{signature}{company}提交", "有一条{enterprise提交"])
    func badTemplates(text: String) {
        #expect(throws: SMSTemplate.Problem.self) { try SMSTemplate(text) }
    }

    @Test("A rule book with a bad template fails at start-up, naming the rule")
    func badRuleBook() {
        let file = #"{"rules": [{"id": "r1", "event": "transition", "recipients": ["pairedCadre"], "template": "{nope}"}]}"#
        #expect {
            try RuleBook(data: Data(file.utf8), tenants: Self.tree)
        } throws: { error in
            "\(error)".contains("r1") && "\(error)".contains("{nope}")
        }
        let unknownTier = #"{"rules": [], "tiers": {"wudang": {"rules": []}}}"#
        #expect(throws: RuleBookError.self) { try RuleBook(data: Data(unknownTier.utf8), tenants: Self.tree) }
    }

    @Test("The shipped rules load, and pick rules by transition and target state")
    func shippedRules() throws {
        let url = try #require(NotifierResources.bundle.url(forResource: "sms-templates", withExtension: "json"))
        let book = try RuleBook(data: Data(contentsOf: url), tenants: Self.tree)
        let actor = Actor(role: .enterprise, tenant: "shiyan", id: "e")
        func transition(_ action: DemandAction, to state: DemandState) -> Transition {
            Transition(id: UUID(), sequence: 1, action: action, actor: actor, at: Date(), from: nil, to: state)
        }
        let sign = book.rules(for: "shiyan", trigger: .transition, transition: transition(.sign(Signature()), to: .inProgress))
        #expect(sign.isEmpty)
        let approve = book.rules(for: "shiyan", trigger: .transition, transition: transition(.approve(Approval()), to: .awaitingDispatch))
        #expect(approve.map(\.rule.id) == ["dispatch-requested"])
        let unsatisfied = book.rules(for: "shiyan", trigger: .transition,
            transition: transition(.rate(Rating(satisfied: false, comment: "x")), to: .underSupervision))
        #expect(unsatisfied.map(\.rule.id) == ["supervision"])
        #expect(book.rules(for: "shiyan", trigger: .overdue).map(\.rule.id) == ["overdue"])
    }

    @Test("Quiet hours hold messages from 22:00 until 07:30 Shanghai time")
    func quietHours() {
        let quiet = QuietHours.standard
        let day = CivilDate("2026-11-23")!.startInstant
        #expect(quiet.end(ifQuietAt: day.addingTimeInterval(21 * 3600 + 59 * 60)) == nil)
        #expect(quiet.end(ifQuietAt: day.addingTimeInterval(22 * 3600)) == CivilDate("2026-11-24")!.startInstant.addingTimeInterval(7.5 * 3600))
        #expect(quiet.end(ifQuietAt: day.addingTimeInterval(3 * 3600)) == day.addingTimeInterval(7.5 * 3600))
        #expect(quiet.end(ifQuietAt: day.addingTimeInterval(7.5 * 3600)) == nil)
        #expect(QuietHours("22:00-07:30") == quiet)
        #expect(QuietHours("25:00-07:30") == nil)
    }
}

