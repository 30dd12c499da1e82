import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOHTTP1
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// 定期报送 on the running stack: 茅箭区 runs Jinzai's six monthly forms (004 二（六）), 张湾区
    /// Fuyuan's cadence (001 §4.7). Rows the platform knows are filled in, units submit, the office
    /// tracks who is late, reminds them by SMS and takes every unit's rows away as one workbook.
    @Suite("Periodic returns")
    struct ReturnsTests {
        var log: FakeSMSCLog { FakeSMSCLog(path: StackEnvironment.current.fakeSMSCLog!) }


        @Test("Jinzai's six forms: the unit's self-resolved list comes from its closed demands; a unit that misses the 3rd is overdue, reminded once a day, and its rows reach the office's workbook")
        func jinzaiForms() async throws {
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let cast = runner.cast
            let today = CivilDate(Date())
            let month = CalendarMonth(today)
            let closed = try await runner.districtJourney()
            let number = try #require(closed.registrationNumber)

            // 000 Q16: 李明远 of 经信局 solves a difficulty on the spot; it is self-resolved too.
            let matter = "当场协调供电所恢复临时用电（\(UUID().uuidString.prefix(6))）"
            _ = try await client.recordContact(cast.cadre, PairingContactInput(enterpriseID: "mj-ent-1", contactedOn: today.description,
                way: "visit", summary: "企业临时用电中断", resolvedOnSpot: matter))

            // The list is filled from the read model once the closure and the matter have reached reporting.
            let sheet = try await eventually("the closed demand and the matter in 经信局's self-resolved list") {
                let sheet = try await client.returnSheet(cast.countyUnit, form: "self-resolved", period: .month(month), submitter: "maojian-jxj")
                return sheet.content.rows.contains { $0.first == number } && sheet.content.rows.contains { $0.last == matter } ? sheet : nil
            }
            #expect(sheet.content.rows.contains { $0 == ["当场化解", "十堰示范汽车零部件有限公司", "", today.description, matter] })
            let otherUnit = try await client.returnSheet(cast.countyOtherUnit, form: "self-resolved", period: .month(month), submitter: "maojian-zjj")
            #expect(!otherUnit.content.rows.contains { $0.last == matter }, "住建局's list has only its own cadres' matters")
            let row = try #require(sheet.content.rows.first { $0.first == number })
            #expect(row == [number, "十堰示范汽车零部件有限公司", "用电保障", today.description, ""], "number, enterprise, category, date closed, result to write")
            #expect(sheet.status == .pending && sheet.editable && sheet.submittedAt == nil)
            #expect(sheet.dueDate == CivilDate(year: month.adding(months: 1).year, month: month.adding(months: 1).month, day: 3))
            #expect(sheet.form.columns == ["诉求编号", "企业名称", "问题类别", "办结日期", "办理结果"])

            // Bad input is refused with its code and changes nothing.
            func refusal(_ session: Session, form: String = "self-resolved", period: ReturnPeriod = .month(month), submitter: String = "maojian-jxj",
                _ content: ReturnContent) async -> APICallError?
            {
                await apiRefusal { _ = try await client.submitReturn(session, form: form, period: period, submitter: submitter, content) }
            }
            #expect(await refusal(cast.countyUnit, ReturnContent(rows: [["只有一列"]], fields: [:]))?.code == "COLUMN_COUNT")
            #expect(await refusal(cast.countyUnit, ReturnContent(rows: [["", "", "", "", " "]], fields: [:]))?.code == "EMPTY_RETURN")
            #expect(await refusal(cast.countyUnit, form: "regular-work", ReturnContent(rows: [], fields: ["visits": "十二"]))?.code
                == "INVALID_NUMBER")
            #expect(await refusal(cast.countyOtherUnit, sheet.content)?.status == 403, "another unit may not submit 经信局's return")
            #expect(await refusal(cast.countyOffice, sheet.content)?.status == 403, "the office reads, the unit submits")
            #expect(await refusal(cast.countyUnit, period: .month(month.adding(months: 1)), sheet.content)?.code == "PERIOD_NOT_STARTED")
            #expect(await refusal(cast.countyUnit, period: .quarter(CalendarQuarter(month)), sheet.content)?.code == "INVALID_PERIOD")
            #expect(await refusal(cast.countyUnit, form: "no-such-form", sheet.content)?.code == "UNKNOWN_RETURN_FORM")
            await #expect(throws: APICallError.self) { try await client.returnsTracker(cast.enterprise) }
            #expect(try await client.returnSheet(cast.countyUnit, form: "self-resolved", period: .month(month), submitter: "maojian-jxj")
                .submittedAt == nil)

            var content = sheet.content
            content.rows = content.rows.map { $0.first == number ? Array($0.dropLast()) + ["已协调解决"] : $0 } + [["", "", "", "", ""]]
            let submitted = try await client.submitReturn(cast.countyUnit, form: "self-resolved", period: .month(month), submitter: "maojian-jxj", content)
            #expect(submitted.status == .onTime && submitted.submittedAt != nil && submitted.submittedBy == "茅箭区经信局管理员")
            #expect(submitted.content.rows.contains { $0 == [number, "十堰示范汽车零部件有限公司", "用电保障", today.description, "已协调解决"] })
            #expect(!submitted.content.rows.contains { $0.allSatisfy(\.isEmpty) }, "blank rows are dropped")

            // The office's tracker for this month: six forms due on the 3rd, 经信局's list in, the rest to come.
            let tracker = try await client.returnsTracker(cast.countyOffice, month: month)
            #expect(tracker.forms.map(\.form.title) == ["常态化开展情况表", "要素对接成果清单", "资金要素需求清单", "科技要素需求清单", "自行办结问题清单", "转省市有关单位问题清单"])
            #expect(tracker.forms.allSatisfy { $0.dueDate == sheet.dueDate })
            #expect(!tracker.submitters.contains { $0.id == "office" }, "Jinzai's forms are the units'")
            let jxj = try #require(tracker.submitters.first { $0.id == "maojian-jxj" })
            #expect(jxj.cells.first { $0.formID == "self-resolved" }?.status == .onTime)
            #expect(jxj.cells.count == 6 && jxj.cells.first { $0.formID == "funding-needs" }?.status == .pending)
            #expect(try await client.returnsTracker(cast.countyUnit, month: month).submitters.map(\.id) == ["maojian-jxj"], "a unit sees its own row")

            // Two months back the 3rd has passed: 住建局 sent nothing (overdue), 经信局 sends one form late.
            let past = month.adding(months: -2)
            let late = try await client.submitReturn(cast.countyUnit, form: "funding-needs", period: .month(past), submitter: "maojian-jxj",
                ReturnContent(rows: [["十堰示范汽车零部件有限公司", "500", "生产线技术改造", "县金融办对接银行", "孙联络 19900020041"]], fields: [:]))
            #expect(late.status == .late)
            let pastTracker = try await client.returnsTracker(cast.countyOffice, month: past)
            let zjj = try #require(pastTracker.submitters.first { $0.id == "maojian-zjj" })
            #expect(zjj.cells.count == 6 && zjj.cells.allSatisfy { $0.status == .overdue })
            #expect(pastTracker.submitters.first { $0.id == "maojian-jxj" }?.cells.first { $0.formID == "funding-needs" }?.status == .late)

            // The office reminds everyone still missing a form, once a day.
            let start = log.lineCount()
            let reminded = try await client.sendReturnReminders(cast.countyOffice, month: past)
            #expect(reminded.reminded >= 4, "the four units of the demo directory each miss a form")
            #expect(try await client.sendReturnReminders(cast.countyOffice, month: past).reminded == 0, "once a day")
            let expected = "【茅箭区双千办】十堰亲清企业服务信息平台\(past.chineseText)《常态化开展情况表》等6张表单尚未报送，报送期限为"
                + "\(CivilDate(year: month.adding(months: -1).year, month: month.adding(months: -1).month, day: 3)!.chineseText)，请及时登录平台报送"
            let admins = ["19900020011", "19900020012", "19900020013", "19900020014"]
            let log = self.log
            let texts = try await eventually("the reminders at fakesmsc") { () -> [String: String]? in
                // Only the reminders: the journey above may still be texting 经信局's admin about its demand.
                let messages = log.messages(after: start).filter { admins.contains($0.to) && $0.text.contains("尚未报送") }
                return Set(messages.map(\.to)).count == admins.count ? Dictionary(messages.map { ($0.to, $0.text) }) { $1 } : nil
            }
            #expect(texts["19900020012"] == expected)
            #expect(texts["19900020011"]?.contains("等5张表单") == true, "经信局 sent one of the six")
            #expect(try await client.returnsTracker(cast.countyOffice, month: past).submitters.first { $0.id == "maojian-zjj" }?.lastRemindedOn == today)
            do {
                _ = try await client.sendReturnReminders(cast.countyUnit, month: past)
                Issue.record("a unit may not send reminders")
            } catch let error as APICallError {
                #expect(error.status == 403)
            }

            // 汇总表: every unit's rows of the form, the unit and the date first; the workbook holds the CSV's cells.
            let query = "?form=self-resolved&period=\(month)"
            let csv = try await client.export(cast.countyOffice, file: "returns.csv", query: query)
            let workbook = try await client.export(cast.countyOffice, file: "returns.xlsx", query: query)
            let lines = DocumentTests.lines(csv)
            #expect(lines.first == "填报单位,报送日期,诉求编号,企业名称,问题类别,办结日期,办理结果")
            #expect(lines.contains { $0.hasPrefix("茅箭区经济和信息化局,\(today),\(number),十堰示范汽车零部件有限公司,") && $0.hasSuffix(",已协调解决") })
            let read = try await OfficeConversion.convert(Array(workbook), name: "returns.xlsx", to: "csv")
            #expect(DocumentTests.lines(read) == DocumentTests.lines(csv, guarded: true))
            if let folder = ProcessInfo.processInfo.environment["DOCUMENT_PREVIEW_DIR"] {
                let pdf = try await OfficeConversion.convert(Array(workbook), name: "returns.xlsx", to: "pdf")
                try await OfficeConversion.savePages(pdf, to: folder, prefix: "returns-summary")
            }
            await #expect(throws: APICallError.self) { try await client.export(cast.countyUnit, file: "returns.csv", query: query) }
        }

        @Test("Fuyuan's cadence: units by the 1st, their pairing groups by the 3rd, the office each quarter by the 5th")
        func fuyuanCadence() async throws {
            let stack = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
            let commerce = try await client.login(tier: "zhangwan", login: "张湾区商务局管理员", password: Cast.demoPassword)
            // A cadre of 商务局 paired with an enterprise makes 商务局 a pairing group.
            let code = PairingTests.creditCode("RT", 1)
            let roster = #"{"tenant": "zhangwan", "units": [{"id": "zhangwan-swj", "name": "张湾区商务局", "industryGroups": ["commerce"]}], "people": [{"id": "zw-returns-cadre", "name": "报送测试干部", "role": "cadre", "unitID": "zhangwan-swj", "phone": "19900030091"}], "enterprises": [{"id": "zw-returns-e1", "name": "十堰报送测试有限公司", "creditCode": "\#(code)", "address": "十堰市测试路5号", "industryGroup": "commerce", "liaisonName": "报送联络", "liaisonPhone": "19900030092", "pairedCadreID": "zw-returns-cadre", "onFourAboveList": true}]}"#
            let (status, answer) = try await client.raw("import", .PUT, stack.url(.intake, tier: "zhangwan") + "/admin/directory",
                token: office.token, rawBody: Array(roster.utf8))
            #expect(status == 200, "\(String(decoding: answer, as: UTF8.self))")

            // A quarter long past: its last month's returns and the quarter's report are all due.
            let quarter = CalendarQuarter(CalendarMonth(CivilDate(Date()))).adding(quarters: -2)
            let next = quarter.adding(quarters: 1).months[0]
            let tracker = try await eventually("商务局 as a pairing group") { () -> ReturnsTracker? in
                let tracker = try await client.returnsTracker(office, month: quarter.lastMonth)
                return tracker.submitters.first { $0.id == "zhangwan-swj" }?.cells.count == 2 ? tracker : nil
            }
            let dues = Dictionary(tracker.forms.map { ($0.form.id, $0.dueDate) }) { $1 }
            #expect(dues == ["unit-progress": CivilDate(year: next.year, month: next.month, day: 1)!,
                "pairing-group": CivilDate(year: next.year, month: next.month, day: 3)!,
                "office-quarterly": CivilDate(year: next.year, month: next.month, day: 5)!])
            #expect(tracker.submitters.first { $0.id == "office" }?.cells.map(\.formID) == ["office-quarterly"])
            #expect(tracker.submitters.first { $0.id == "zhangwan-jxj" }?.cells.map(\.formID) == ["unit-progress"],
                "a unit without paired cadres owes no pairing-group report")
            #expect(try await client.returnsTracker(office, month: quarter.months[0]).forms.map(\.form.id) == ["unit-progress", "pairing-group"],
                "the quarterly report is asked on the quarter's last month")

            // The office's own quarterly report: the tier's figures at its head; late, since the 5th has passed.
            let sheet = try await client.returnSheet(office, form: "office-quarterly", period: .quarter(quarter), submitter: "office")
            #expect(sheet.figures.map(\.name) == ReturnFigure.allCases.map(\.chineseName) && sheet.editable && sheet.status == .overdue)
            let sent = try await client.submitReturn(office, form: "office-quarterly", period: .quarter(quarter), submitter: "office",
                ReturnContent(rows: [], fields: ["summary": "本季度走访包联企业全覆盖", "next": "加强跟踪问效"]))
            #expect(sent.status == .late && sent.content.fields == ["summary": "本季度走访包联企业全覆盖", "next": "加强跟踪问效"])
            do {
                _ = try await client.submitReturn(commerce, form: "office-quarterly", period: .quarter(quarter), submitter: "office", sent.content)
                Issue.record("a unit may not submit the office's report")
            } catch let error as APICallError {
                #expect(error.status == 403)
            }
            let pairingSheet = try await client.returnSheet(commerce, form: "pairing-group", period: .month(quarter.lastMonth), submitter: "zhangwan-swj")
            #expect(pairingSheet.form.fields.map(\.label) == ["领导包联工作情况", "采取的工作措施", "问题解决成效", "工作评价"])
            let after = try await client.returnsTracker(office, month: quarter.lastMonth)
            #expect(after.submitters.first { $0.id == "office" }?.cells.first?.status == .late)
            #expect(after.submitters.first { $0.id == "zhangwan-swj" }?.cells.allSatisfy { $0.status == .overdue } == true)
        }

        @Test("The monthly bulletin goes to the leaders on the office's list: named at its foot, each texted the headline figures once")
        func bulletinToLeaders() async throws {
            let stack = try await TestStack.shared.start()
            let client = try await TestStack.shared.client()
            let office = try await client.login(tier: "zhangwan", login: "张湾区双千办", password: Cast.demoPassword)
            let unit = try await client.login(tier: "zhangwan", login: "张湾区商务局管理员", password: Cast.demoPassword)
            let month = CalendarMonth(CivilDate(Date())).adding(months: -1)
            let refusal = apiRefusal
            typealias Entry = BriefingRecipientsInput.Entry
            let bad = await refusal {
                _ = try await client.setBriefingRecipients(office, BriefingRecipientsInput(recipients: [
                    Entry(name: " ", title: nil, phone: "12345"), Entry(name: "甲", title: nil, phone: "19900030095"),
                    Entry(name: "乙", title: nil, phone: "199 0003 0095"),
                ]))
            }
            #expect(bad?.status == 422 && Set(bad?.issues.map(\.code) ?? []) == ["MISSING_FIELD", "INVALID_MOBILE", "DUPLICATE_RECIPIENT"])
            #expect(await refusal { _ = try await client.setBriefingRecipients(unit, BriefingRecipientsInput(recipients: [])) }?.status == 403)
            let list = try await client.setBriefingRecipients(office, BriefingRecipientsInput(recipients: [
                Entry(name: "张湾测试区长", title: "区长", phone: "19900030095"), Entry(name: "张湾测试副区长", title: " 副区长 ", phone: "+86 199-0003-0096"),
            ]))
            #expect(list.recipients.map(\.printedName) == ["张湾测试区长（区长）", "张湾测试副区长（副区长）"])
            #expect(list.recipients.map(\.phone.digits) == ["19900030095", "19900030096"])

            // The bulletin names them at its foot.
            let (status, page) = try await client.raw("briefing", .GET, stack.url(.reporting) + "/briefings/monthly?month=\(month)", token: office.token)
            let line = "报送：张湾测试区长（区长）、张湾测试副区长（副区长）。"
            #expect(status == 200 && String(decoding: page, as: UTF8.self).contains(line))
            let document = try await client.download(.briefingDocument, office, query: "?month=\(month)")
            let pdf = try await OfficeConversion.convert(Array(document), name: "briefing.docx", to: "pdf")
            #expect(try await OfficeConversion.pdfText(pdf).filter { !$0.isWhitespace }.contains(line), "the Word bulletin names them too")
            if let folder = ProcessInfo.processInfo.environment["DOCUMENT_PREVIEW_DIR"] {
                try await OfficeConversion.savePages(pdf, to: folder, prefix: "briefing-with-recipients")
            }

            #expect(await refusal { _ = try await client.issueBriefing(unit, month: month) }?.status == 403)
            #expect(await refusal { _ = try await client.issueBriefing(office, month: month.adding(months: 2)) }?.code == "PERIOD_NOT_STARTED")
            let figures = try #require(try await client.figures(office, query: "?month=\(month)").tiers.first { $0.scope == "zhangwan" })
            let start = log.lineCount()
            let issued = try await client.issueBriefing(office, month: month)
            #expect(issued.issued.first?.month == month && issued.issued.first?.recipients == 2)
            #expect(await refusal { _ = try await client.issueBriefing(office, month: month) }?.code == "BRIEFING_ALREADY_ISSUED")
            let log = self.log
            let leaders = ["19900030095", "19900030096"]
            let texts = try await eventually("the bulletin's SMS at fakesmsc") { () -> [String]? in
                let messages = log.messages(after: start).filter { leaders.contains($0.to) }
                return Set(messages.map(\.to)).count == 2 ? messages.map(\.text) : nil
            }
            let head = "【张湾区双千办】\(month.chineseText)企业诉求办理情况：受理\(figures.received)件，办结\(figures.closed)件，办结率"
            #expect(texts.allSatisfy { $0.hasPrefix(head) && $0.hasSuffix("当前逾期\(figures.overdueNow)件。通报全文已印发，请审阅") }, "\(texts)")
            try await Task.sleep(for: .seconds(2))
            #expect(log.messages(after: start).filter { leaders.contains($0.to) }.count == 2, "each leader is texted once")
        }
    }
}
