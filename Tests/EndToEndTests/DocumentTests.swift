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
/// The files the running services hand out, opened by LibreOffice headless as an office would open
/// them. With `DOCUMENT_PREVIEW_DIR` set, each rendered page is written there as PNG to be looked at.
@Suite("Documents and workbooks from the running services")
struct DocumentTests {
    @Test("The dispatch slip downloads as a one-page Word form with the demand's number, enterprise and units")
    func dispatchSlipDocument() async throws {
        let runner = try await TestStack.shared.runner()
        let closed = try await runner.districtJourney()
        let unit = runner.cast.countyUnit
        let slip = try await runner.client.dispatchSlip(unit, closed.id)
        let document = try await runner.client.download(.dispatchSlipDocument, unit, id: closed.id)
        let pdf = try await OfficeConversion.convert(Array(document), name: "slip.docx", to: "pdf")
        try await preview(pdf, "dispatch-slip")
        #expect(try await OfficeConversion.pageCount(pdf) == 1)
        let text = try await OfficeConversion.pdfText(pdf).filter { !$0.isWhitespace }
        for expected in [slip.title, "交办编号：\(slip.number)", slip.enterprise, slip.leadUnit, "签批领导", "交办日期"]
            + slip.cooperatingUnits
        {
            #expect(text.contains(expected.filter { !$0.isWhitespace }), "the slip's PDF lacks \(expected)")
        }
        // The same slip rendered as PDF by handling.
        let rendered = try await runner.client.download(APIOperation.dispatchSlipDocument.asPDF, unit, id: closed.id)
        #expect(rendered.prefix(5) == Data("%PDF-".utf8))
        #expect(try await OfficeConversion.pageCount(rendered) == 1)
        #expect(try await OfficeConversion.pdfText(rendered).filter { !$0.isWhitespace }.contains("交办编号：\(slip.number)"))
        let reply = try await pdfText(runner.client.download(.replyForm, unit, id: closed.id), "reply")
        for expected in ["企业反映困难问题办理情况回复单", "交办编号", slip.number, "A类（已经解决或基本解决）", closed.lastResult?.answer ?? "?",
            "主要领导审核", slip.leadUnit]
        {
            #expect(reply.contains(expected.filter { !$0.isWhitespace }), "the reply lacks \(expected)")
        }
        // Another tier's unit may not have it.
        await #expect(throws: APICallError.self) {
            _ = try await runner.client.download(.dispatchSlipDocument, runner.cast.cityUnit, id: closed.id)
        }
    }

    @Test("An escalated demand has its registration form at both tiers and its escalation slip at the county, as Word forms")
    func registrationFormsAndEscalationSlip() async throws {
        let runner = try await TestStack.shared.runner()
        let (county, city) = try await runner.escalatedJourney()
        let cast = runner.cast
        let content = try #require(county.content)
        let countyForm = try await pdfText(
            runner.client.download(.registrationForm, cast.countyOffice, tier: "maojian", id: county.id), "registration-form-county")
        for expected in ["企业反映困难问题登记表", "登记编号：\(county.registrationNumber ?? "?")", "问题类别：\(content.category.chineseName)",
            content.enterprise.name, content.contact.phone.text, "受理人员", "李明远", "希望协调解决的具体事项"]
        {
            #expect(countyForm.contains(expected.filter { !$0.isWhitespace }), "the county's 登记表 lacks \(expected)")
        }
        let cityForm = try await pdfText(
            runner.client.download(.registrationForm, cast.cityOffice, tier: "shiyan", id: city.id), "registration-form-city")
        #expect(cityForm.contains("登记编号：\(city.registrationNumber ?? "?")"))
        let slip = try await pdfText(
            runner.client.download(.escalationSlip, cast.countyDispatcher, tier: "maojian", id: county.id), "escalation-slip")
        for expected in ["企业反映困难问题转报单", "转报单位（盖章）：茅箭区", "转报编号：\(county.escalation?.number ?? "?")", "办理建议",
            content.enterprise.name, "签批领导"]
        {
            #expect(slip.contains(expected.filter { !$0.isWhitespace }), "the 转报单 lacks \(expected)")
        }
        // The city's total counts the escalated demand once: the tiers' sum less what came from below
        // (read until reporting has caught up with the journey; it never holds if counted twice).
        let total = try await eventually("the city's total to count each demand once") { () -> PlatformClient.FiguresSummary.Row? in
            let figures = try await runner.client.figures(cast.cityOffice)
            guard let total = figures.total, figures.tiers.contains(where: { $0.escalatedIn > 0 }) else { return nil }
            return total.received == figures.tiers.reduce(0) { $0 + $1.received - $1.escalatedIn } ? total : nil
        }
        #expect(total.escalatedIn == 0)
        // A demand handled in the district was never escalated: no slip.
        let district = try await runner.districtJourney()
        let missing = await #expect(throws: APICallError.self) {
            _ = try await runner.client.download(.escalationSlip, cast.countyDispatcher, tier: "maojian", id: district.id)
        }
        #expect(missing?.status == 404)
    }

    /// A Word document rendered to PDF (one page) and its text without whitespace.
    private func pdfText(_ document: Data, _ name: String) async throws -> String {
        let pdf = try await OfficeConversion.convert(Array(document), name: "\(name).docx", to: "pdf")
        try await preview(pdf, name)
        #expect(try await OfficeConversion.pageCount(pdf) == 1, "\(name) runs over one page")
        return try await OfficeConversion.pdfText(pdf).filter { !$0.isWhitespace }
    }

    @Test("Every export's Excel workbook holds exactly the cells of its CSV")
    func workbooksMatchCSV() async throws {
        let runner = try await TestStack.shared.runner()
        try await runner.districtJourney()
        let office = runner.cast.cityOffice
        for name in ["figures", "units", "cadres", "overdue", "unsatisfied", "rankings", "evaluation"] {
            // Read both while the figures stand still (events of earlier tests may still arrive).
            let (csv, workbook) = try await eventually("\(name) to stand still") { () -> (Data, Data)? in
                let before = try await runner.client.export(office, file: "\(name).csv")
                let workbook = try await runner.client.export(office, file: "\(name).xlsx")
                let after = try await runner.client.export(office, file: "\(name).csv")
                return before == after ? (before, workbook) : nil
            }
            let read = try await OfficeConversion.convert(Array(workbook), name: "\(name).xlsx", to: "csv")
            #expect(Self.lines(read) == Self.lines(csv, guarded: true), "\(name).xlsx differs from \(name).csv")
            if ["figures", "units", "rankings", "evaluation"].contains(name) { #expect(Self.lines(csv).count >= 2, "\(name).csv has no rows") }
        }
    }

    @Test("年度测评 (003 art. 20): the office enters each unit's appraisal score; the quantified score comes from the year's figures")
    func annualEvaluation() async throws {
        let runner = try await TestStack.shared.runner()
        let stack = try await TestStack.shared.start()
        try await runner.districtJourney()
        let office = runner.cast.countyOffice
        let year = CivilDate(Date()).year
        let evaluation = try await runner.client.recordAppraisal(office, year: year, unitID: "maojian-jxj", score: 88.5)
        let unit = try #require(evaluation.rows.first { $0.unitID == "maojian-jxj" })
        // The district journey closed at 茅箭区经信局 this year, so it has a quantified score and a total.
        let quantified = try #require(unit.quantifiedScore)
        #expect(unit.appraisalScore == 88.5)
        #expect(unit.totalScore.map { abs($0 - (quantified + 88.5) / 2) <= 0.05 } == true)
        #expect(unit.rank == 1)
        #expect(evaluation.rows.filter { $0.appraisalScore == nil }.allSatisfy { $0.rank == nil && $0.totalScore == nil })
        let base = stack.url(.reporting) + "/evaluations/annual/\(year)/units/"
        for (label, token, unitID, score, status, code) in [
            ("above 100", office.token, "maojian-jxj", 100.5, 422 as UInt, "INVALID_SCORE"),
            ("the dispatcher", runner.cast.countyDispatcher.token, "maojian-jxj", 80.0, 403, "ROLE_NOT_ALLOWED"),
            ("a unit of another tier", office.token, "sy-jxj", 80.0, 404, "NOT_FOUND"),
            ("an unknown unit", office.token, "no-such-unit", 80.0, 404, "NOT_FOUND"),
        ] {
            let (answer, body) = try await runner.client.raw("appraisal", .PUT, base + unitID, token: token,
                body: ["appraisalScore": score])
            #expect(answer == status && String(decoding: body, as: UTF8.self).contains(code), "\(label): \(answer)")
        }
        let (badYear, _) = try await runner.client.raw("appraisal", .PUT, stack.url(.reporting) + "/evaluations/annual/1999/units/maojian-jxj",
            token: office.token, body: ["appraisalScore": 80.0])
        #expect(badYear == 400)
        // The city office reads the county's evaluation; the score stays as entered.
        let read: PlatformClient.AnnualEvaluation = try await runner.client.call("evaluation", .GET, stack.url(.reporting),
            "/evaluations/annual?year=\(year)&tier=maojian", token: runner.cast.cityOffice.token)
        #expect(read.rows.first { $0.unitID == "maojian-jxj" }?.appraisalScore == 88.5)
    }

    @Test("The monthly briefing downloads as a Word document with the headline figures and every section")
    func briefingDocument() async throws {
        let runner = try await TestStack.shared.runner()
        let office = runner.cast.cityOffice
        let (document, received) = try await eventually("the figures to stand still") { () -> (Data, Int)? in
            let before = try await runner.client.figures(office)
            let document = try await runner.client.download(.briefingDocument, office)
            let after = try await runner.client.figures(office)
            guard let total = after.total ?? after.tiers.first, before.total?.received == after.total?.received else { return nil }
            return (document, total.received)
        }
        let pdf = try await OfficeConversion.convert(Array(document), name: "briefing.docx", to: "pdf")
        try await preview(pdf, "monthly-briefing")
        let text = try await OfficeConversion.pdfText(pdf).filter { !$0.isWhitespace }
        for expected in ["十堰市企业诉求办理情况通报", "一、总体情况", "本期共受理企业诉求\(received)件", "二、各地区情况", "茅箭区",
            "转报上级的诉求只在首次受理地计一次",
            "三、各承办单位情况", "四、超期诉求", "五、企业不满意诉求", "六、诉求类别分布"]
        {
            #expect(text.contains(expected), "the briefing's PDF lacks \(expected)")
        }
    }

    /// A CSV's lines without the byte-order mark and line-end differences; `guarded` also takes
    /// off the apostrophe that keeps CSV text from running as a formula (a workbook types it as text).
    static func lines(_ data: Data, guarded: Bool = false) -> [String] {
        var text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard guarded else { return text.split(separator: "\n").map(String.init) }
        return text.split(separator: "\n").map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map { field in
                for mark in ["'=", "'+", "'-", "'@", "\"'"] where field.hasPrefix(mark) {
                    return mark == "\"'" ? "\"" + field.dropFirst(2) : String(field.dropFirst())
                }
                return String(field)
            }.joined(separator: ",")
        }
    }

    private func preview(_ pdf: Data, _ name: String) async throws {
        guard let folder = ProcessInfo.processInfo.environment["DOCUMENT_PREVIEW_DIR"] else { return }
        try await OfficeConversion.savePages(pdf, to: folder, prefix: name)
    }
}
}
