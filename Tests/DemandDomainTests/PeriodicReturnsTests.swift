import DemandDomain
import Foundation
import InputValidation
import Tenancy
import Testing

@Suite("Periodic returns")
struct PeriodicReturnsTests {
    @Test("A return is due on its day of the month after its period; a quarter's in the next quarter's first month")
    func dueDates() throws {
        let jinzai = try #require(ReturnScheme.preset("jinzai")?.form("self-resolved"))
        #expect(jinzai.dueDate(of: try #require(ReturnPeriod("2026-11"))) == CivilDate(year: 2026, month: 12, day: 3))
        #expect(jinzai.dueDate(of: try #require(ReturnPeriod("2026-12"))) == CivilDate(year: 2027, month: 1, day: 3), "across the year")
        let quarterly = try #require(ReturnScheme.fuyuan.form("office-quarterly"))
        #expect(quarterly.dueDate(of: try #require(ReturnPeriod("2026-Q4"))) == CivilDate(year: 2027, month: 1, day: 5))
        #expect(quarterly.period(reportedIn: try #require(CalendarMonth("2026-12"))) == ReturnPeriod("2026-Q4"))
        #expect(quarterly.period(reportedIn: try #require(CalendarMonth("2026-11"))) == nil, "asked on the quarter's last month")
        #expect(jinzai.period(reportedIn: try #require(CalendarMonth("2026-11"))) == ReturnPeriod("2026-11"))
        #expect(ReturnPeriod("2026-13") == nil && ReturnPeriod("2026-Q5") == nil && ReturnPeriod("11") == nil)
        #expect(ReturnPeriod("2026-Q4")?.firstDay == CivilDate(year: 2026, month: 10, day: 1))
        #expect(ReturnPeriod("2026-Q4")?.lastDay == CivilDate(year: 2026, month: 12, day: 31))
    }

    @Test("The automatic reminder goes two days before each form is due, also before its month has ended")
    func reminderDays() throws {
        func day(_ text: String) throws -> CivilDate { try #require(CivilDate(text)) }
        let november = try #require(CalendarMonth("2026-11"))
        #expect(ReturnScheme.jinzai.remindersDue(on: try day("2026-12-01")) == [november: ReturnScheme.jinzai.forms.map(\.id)])
        #expect(ReturnScheme.jinzai.remindersDue(on: try day("2026-12-02")).isEmpty)
        #expect(ReturnScheme.fuyuan.remindersDue(on: try day("2026-11-29")) == [november: ["unit-progress"]], "due 1 December")
        #expect(ReturnScheme.fuyuan.remindersDue(on: try day("2026-12-01")) == [november: ["pairing-group"]])
        #expect(ReturnScheme.fuyuan.remindersDue(on: try day("2026-10-03")) == [try #require(CalendarMonth("2026-09")): ["office-quarterly"]])
        #expect(ReturnScheme.fuyuan.remindersDue(on: try day("2027-01-03")) == [try #require(CalendarMonth("2026-12")): ["office-quarterly"]])
    }

    @Test("Jinzai asks six forms of every unit by the 3rd; Fuyuan units by the 1st, pairing groups by the 3rd, the office by the 5th")
    func presets() {
        #expect(ReturnScheme.jinzai.forms.count == 6)
        #expect(ReturnScheme.jinzai.forms.allSatisfy { $0.dueDay == 3 && $0.submitter == .units && $0.cadence == .monthly })
        #expect(ReturnScheme.fuyuan.forms.map(\.dueDay) == [1, 3, 5])
        #expect(ReturnScheme.fuyuan.forms.map(\.submitter) == [.units, .pairingUnits, .office])
        #expect(ReturnScheme.preset("nowhere") == nil)
    }

    @Test("Content is trimmed, blank rows dropped, and every problem reported with its code")
    func validation() throws {
        let form = try #require(ReturnScheme.jinzai.form("regular-work"))
        let list = try #require(ReturnScheme.jinzai.form("technology-needs"))
        let clean = try ReturnContent(rows: [[" 甲公司 ", "检测设备", "", "张三"], ["", " ", "", ""]], fields: [:]).validated(for: list)
        #expect(clean.rows == [["甲公司", "检测设备", "", "张三"]])
        func codes(_ content: ReturnContent, _ form: ReturnForm) -> [String] {
            do {
                _ = try content.validated(for: form)
                return []
            } catch { return error.issues.map(\.code) }
        }
        #expect(codes(ReturnContent(rows: [["甲公司"]], fields: [:]), list) == ["COLUMN_COUNT"])
        #expect(codes(ReturnContent(rows: [], fields: [:]), list) == ["EMPTY_RETURN"])
        #expect(codes(ReturnContent(rows: [], fields: ["visits": "-1", "other": "x"]), form) == ["INVALID_NUMBER", "UNKNOWN_FIELD"])
        #expect(codes(ReturnContent(rows: [], fields: ["activities": String(repeating: "字", count: 2001)]), form) == ["TEXT_TOO_LONG"])
        #expect(codes(ReturnContent(rows: [], fields: ["visits": "12"]), form).isEmpty)
    }

    @Test("A return stands on time, late, pending or overdue by its first submission and its due date")
    func status() {
        let due = CivilDate(year: 2026, month: 12, day: 3)!
        #expect(ReturnStatus(submittedOn: due, due: due, today: due.adding(days: 5)) == .onTime)
        #expect(ReturnStatus(submittedOn: due.adding(days: 1), due: due, today: due.adding(days: 5)) == .late)
        #expect(ReturnStatus(submittedOn: nil, due: due, today: due) == .pending)
        #expect(ReturnStatus(submittedOn: nil, due: due, today: due.adding(days: 1)) == .overdue)
    }

    @Test("A tier naming an unknown regime is refused at start-up")
    func unknownScheme() throws {
        let tier = Tenant(id: "x", name: "某县", shortName: "某", level: .county, parent: nil, procedure: "shiyan",
            smsSignature: "【某县双千办】", platformName: "平台", returnScheme: "nowhere")
        #expect(try TenantTree([tier]).undefinedSetting(procedures: ProcedureProfile.presets) == "tenant 'x' names unknown return scheme 'nowhere'")
    }
}
