import DemandDomain
import Foundation
@testable import NotifierService
import Testing
import Tenancy
import InputValidation

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
        #expect(sign.map(\.rule.id) == ["signed-to-cadre"])
        let approve = book.rules(for: "shiyan", trigger: .transition, transition: transition(.approve(Approval()), to: .awaitingDispatch))
        #expect(approve.map(\.rule.id) == ["dispatch-requested"])
        let unsatisfied = book.rules(for: "shiyan", trigger: .transition,
            transition: transition(.rate(Rating(satisfied: false, comment: "x")), to: .underSupervision))
        #expect(unsatisfied.map(\.rule.id) == ["supervision"])
        #expect(book.rules(for: "shiyan", trigger: .overdue, step: .result).map(\.rule.id) == ["overdue"])
        // A rating that runs out closes the demand; the enterprise hears of it then, not as "overdue".
        #expect(book.rules(for: "shiyan", trigger: .overdue, step: .rating).isEmpty)
        #expect(book.rules(for: "shiyan", trigger: .dueSoon, step: .rating).map(\.rule.id) == ["rating-reminder"])
        #expect(book.rules(for: "shiyan", trigger: .dueSoon, step: .sign).map(\.rule.id) == ["due-soon"])
        let unrated = book.rules(for: "shiyan", trigger: .transition,
            transition: transition(.closeUnrated(RatingTimeout(ratingDays: 5, countsAsSatisfied: false)), to: .closed))
        #expect(Set(unrated.map(\.rule.id)) == ["closed-to-cadre", "closed-unrated"])
        // Where the pairing leader agrees to 销号 (Fuyuan), the office is asked first, and the closing
        // comes with the leader's agreement.
        let awaitingLeader = book.rules(for: "shiyan", trigger: .transition,
            transition: transition(.closeUnrated(RatingTimeout(ratingDays: 5, countsAsSatisfied: false)), to: .awaitingClosureAgreement))
        #expect(awaitingLeader.map(\.rule.id) == ["closure-agreement-requested"])
        let agreed = ClosureDecision(agreed: true, leader: "张副区长", decidedOn: CivilDate(year: 2026, month: 11, day: 27)!)
        let closedByLeader = book.rules(for: "shiyan", trigger: .transition, transition: transition(.decideClosure(agreed), to: .closed))
        #expect(Set(closedByLeader.map(\.rule.id)) == ["closed-to-cadre", "closed-after-agreement"])
        var withheld = agreed
        withheld.agreed = false
        let reopened = book.rules(for: "shiyan", trigger: .transition, transition: transition(.decideClosure(withheld), to: .underSupervision))
        #expect(reopened.map(\.rule.id) == ["closure-withheld"])
        let unit = UnitRef(id: "u", name: "单位", tenant: "shiyan")
        let assignment = Assignment(leadUnit: unit, number: DocumentNumber(office: "十堰服企办", kind: .dispatch, year: 2026, sequence: 1))
        let dispatch = book.rules(for: "shiyan", trigger: .transition, transition: transition(.dispatch(assignment), to: .awaitingSignature))
        #expect(Set(dispatch.map(\.rule.id)) == ["sign-requested", "cooperation-requested"])
        let refused = book.rules(for: "shiyan", trigger: .transition,
            transition: transition(.refuse(Refusal(ground: .litigation, explanation: "已起诉")), to: .refused))
        #expect(Set(refused.map(\.rule.id)) == ["refused", "refused-to-cadre"])
    }

    @Test("A result says how the answer stands: solved, class B with its planned date, class C, re-answered after supervision")
    func answers() {
        let planned = CivilDate(year: 2027, month: 3, day: 31)!
        let classB = ResultReport(resultClass: .b, answer: "已报批", plan: "分两期", plannedCompletion: planned)
        #expect(MessageValues.answer(ResultReport(resultClass: .a, answer: "已解决"), afterSupervision: false) == "已办结")
        #expect(MessageValues.answer(ResultReport(resultClass: .a, answer: "已解决"), afterSupervision: true) == "经专项督办已重新办结")
        #expect(MessageValues.answer(classB, afterSupervision: false) == "已答复，正在解决中，计划于2027年3月31日前解决")
        #expect(MessageValues.answer(ResultReport(resultClass: .c, answer: "暂不能", explanation: "政策限制"), afterSupervision: true)
            == "经专项督办已重新答复，暂不具备解决条件，原因见答复")
        let text = try! SMSTemplate("{signature}您提交的诉求{answer}，请评价").render(["signature": "【十堰市双千办】",
            "answer": MessageValues.answer(classB, afterSupervision: true)])
        #expect(text == "【十堰市双千办】您提交的诉求经专项督办已重新答复，正在解决中，计划于2027年3月31日前解决，请评价", "a sentence is not cut at 40 characters")
    }

    @Test("An extension decision says granted with the new deadline, or refused")
    func decisions() {
        let due = CivilDate(year: 2026, month: 12, day: 11)!.startInstant
        #expect(MessageValues.decision(ExtensionDecision(granted: true, days: 5), resultDue: due)
            == "已同意，延期5个工作日，办理时限延至2026年12月10日")
        #expect(MessageValues.decision(ExtensionDecision(granted: false, days: 0), resultDue: due) == "未获同意，请按原时限办结")
    }

    @Test("The pairing reminder names what is left to do and nothing that is done")
    func pairingReminder() throws {
        #expect(MessageValues.pendingDuties(withoutContact: 2, withoutStatus: 1) == "2家企业尚未登记走访、1家企业尚未填报经营状况")
        #expect(MessageValues.pendingDuties(withoutContact: 0, withoutStatus: 3) == "3家企业尚未填报经营状况")
        let url = try #require(NotifierResources.bundle.url(forResource: "sms-templates", withExtension: "json"))
        let book = try RuleBook(data: Data(contentsOf: url), tenants: Self.tree)
        let rule = try #require(book.rules(for: "shiyan", trigger: .pairingReminder).first)
        #expect(rule.rule.recipients == [.pairedCadre])
        let values = MessageValues(tierRules: TierRules(tree: Self.tree, procedures: ProcedureProfile.presets,
            calendars: TierCalendars(official: try WorkingCalendar.official()))).tierValues("shiyan")
        let text = rule.template.render(values.merging(["month": "2026年11月", "enterprises": "3",
            "pending": MessageValues.pendingDuties(withoutContact: 1, withoutStatus: 0)]) { $1 })
        #expect(text == "【十堰市双千办】十堰亲清企业服务信息平台2026年11月您包联的3家企业中，1家企业尚未登记走访，请在月底前登录平台填报")
        #expect(book.rules(for: "shiyan", trigger: .transition).allSatisfy { $0.rule.id != "pairing-reminder" })
        let request = try #require(book.rules(for: "shiyan", trigger: .appraisalRequest).first)
        #expect(request.rule.recipients == [.enterpriseContact])
        #expect(request.template.render(values.merging(["cadre": "李明远", "quarter": "2026年第四季度"]) { $1 })
            == "【十堰市双千办】十堰亲清企业服务信息平台请您登录平台，对包联干部李明远2026年第四季度的服务进行满意度测评")
    }

    @Test("The returns reminder names the missing forms and the due date")
    func returnReminder() throws {
        #expect(MessageValues.formList(["自行办结问题清单"]) == "《自行办结问题清单》")
        #expect(MessageValues.formList(["承办工作进展和成效", "包联工作组月度报告"]) == "《承办工作进展和成效》《包联工作组月度报告》")
        #expect(MessageValues.formList(["常态化开展情况表", "要素对接成果清单", "资金要素需求清单"]) == "《常态化开展情况表》等3张表单")
        let url = try #require(NotifierResources.bundle.url(forResource: "sms-templates", withExtension: "json"))
        let book = try RuleBook(data: Data(contentsOf: url), tenants: Self.tree)
        let rule = try #require(book.rules(for: "shiyan", trigger: .returnReminder).first)
        #expect(rule.rule.recipients == [.returnSubmitters])
        let values = MessageValues(tierRules: TierRules(tree: Self.tree, procedures: ProcedureProfile.presets,
            calendars: TierCalendars(official: try WorkingCalendar.official()))).tierValues("shiyan")
        let text = rule.template.render(values.merging(["period": "2026年11月", "forms": MessageValues.formList(["自行办结问题清单"]),
            "dueDay": CivilDate(year: 2026, month: 12, day: 3)!.chineseText]) { $1 })
        #expect(text == "【十堰市双千办】十堰亲清企业服务信息平台2026年11月《自行办结问题清单》尚未报送，报送期限为2026年12月3日，请及时登录平台报送")
        let bulletin = try #require(book.rules(for: "shiyan", trigger: .briefingIssued).first)
        #expect(bulletin.rule.recipients == [.briefingRecipients])
        #expect(bulletin.template.render(values.merging(["month": "2026年11月", "received": "12", "closed": "10", "completion": "83.3%",
            "satisfaction": "100.0%", "overdue": "1"]) { $1 })
            == "【十堰市双千办】2026年11月企业诉求办理情况：受理12件，办结10件，办结率83.3%，满意率100.0%，当前逾期1件。通报全文已印发，请审阅")
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

