import DemandDomain
import InputValidation
import Tenancy
import Testing

@Suite("Pairing duties: contacts, business statuses, the monthly reminder")
struct PairingDutiesTests {
    static let today = CivilDate(year: 2026, month: 11, day: 27)!

    @Test("A month is written YYYY-MM and nothing else", arguments: [
        ("2026-11", "2026-11"), ("2026-01", "2026-01"), ("2026-1", nil), ("2026-13", nil), ("2026-11-01", nil), ("", nil), ("十一月", nil),
    ] as [(String, String?)])
    func monthText(text: String, expected: String?) {
        #expect(CalendarMonth(text)?.description == expected)
    }

    @Test("Months add across years and know their days")
    func monthArithmetic() throws {
        let january = try #require(CalendarMonth("2027-01"))
        #expect(january.adding(months: -1).description == "2026-12")
        #expect(january.adding(months: -2) == CalendarMonth(Self.today))
        #expect(CalendarMonth("2028-02")!.lastDay.description == "2028-02-29")
        #expect(CalendarMonth(Self.today).contains(Self.today) && !january.contains(Self.today))
        #expect(CalendarMonth(Self.today).chineseText == "2026年11月")
    }

    @Test("A contact is dated between 62 days ago and today, has a way and a summary")
    func contactChecks() throws {
        let good = PairingContactInput(enterpriseID: "e1", contactedOn: "2026-11-20", way: "visit", summary: "了解用工情况", demandsRaised: 1)
        let (date, way) = try good.validated(today: Self.today)
        #expect(date.description == "2026-11-20" && way == .visit)
        func codes(_ input: PairingContactInput) -> [String] {
            do {
                _ = try input.validated(today: Self.today)
                return []
            } catch {
                return error.issues.map { "\($0.field):\($0.code)" }
            }
        }
        #expect(codes(PairingContactInput(enterpriseID: "e1", contactedOn: "2026-11-28", way: "visit", summary: "x"))
            == ["contactedOn:DATE_IN_FUTURE"])
        #expect(codes(PairingContactInput(enterpriseID: "e1", contactedOn: "2026-09-25", way: "visit", summary: "x"))
            == ["contactedOn:DATE_TOO_OLD"])
        #expect(codes(PairingContactInput(enterpriseID: " ", contactedOn: "11/20", way: "fax", summary: " \u{200B}", demandsRaised: 100))
            == ["enterpriseID:MISSING_FIELD", "contactedOn:INVALID_DATE", "way:INVALID_CONTACT_WAY", "summary:MISSING_FIELD",
                "demandsRaised:INVALID_COUNT"])
        #expect(codes(PairingContactInput(enterpriseID: "e1", contactedOn: "2026-11-20", way: "phone",
            summary: String(repeating: "字", count: 1001))) == ["summary:TEXT_TOO_LONG"])
        #expect(codes(PairingContactInput(enterpriseID: "e1", contactedOn: "2026-11-20", way: "phone", summary: "x",
            resolvedOnSpot: String(repeating: "字", count: 501))) == ["resolvedOnSpot:TEXT_TOO_LONG"])
        #expect(codes(PairingContactInput(enterpriseID: "e1", contactedOn: "2026-11-20", way: "phone", summary: "x",
            resolvedOnSpot: " " + String(repeating: "字", count: 500) + " ")).isEmpty)
    }

    @Test("An account application is trimmed and checked field by field; the password against the policy given")
    func accountApplication() throws {
        let input = AccountApplicationInput(enterpriseName: " 临翔申请茶厂 ", creditCode: "91420302ma4a3f6g7l", address: " 临翔区1号 ",
            industryGroup: "agriculture", contactName: " 李联络 ", contactPhone: "+86 199-0005-0133", password: "Apply2026ok", note: "  ")
        let valid = try input.validated { $0.count < 8 ? "too short" : nil }
        #expect(valid.enterpriseName == "临翔申请茶厂" && valid.creditCode.rawValue == "91420302MA4A3F6G7L" && valid.address == "临翔区1号")
        #expect(valid.industryGroup == .agriculture && valid.contactName == "李联络" && valid.contactPhone.digits == "19900050133")
        #expect(valid.note == nil)
        var bad = input
        bad.password = "x"
        bad.contactPhone = "0883-2123456"
        bad.creditCode = "91420302MA4A3F6G7X"
        do {
            _ = try bad.validated { $0.count < 8 ? "too short" : nil }
            Issue.record("a bad application was accepted")
        } catch {
            #expect(error.issues.map { "\($0.field):\($0.code)" } == ["creditCode:INVALID_CREDIT_CODE", "contactPhone:INVALID_MOBILE",
                "password:WEAK_PASSWORD"])
        }
    }

    @Test("A business status is for this month or the two before it")
    func statusChecks() throws {
        #expect(try BusinessStatusInput(month: "2026-09", status: "suspended").validated(today: Self.today).status == .suspended)
        for month in ["2026-08", "2026-12"] {
            #expect { try BusinessStatusInput(month: month, status: "operating").validated(today: Self.today) } throws: { error in
                (error as? ValidationError)?.code == "MONTH_OUT_OF_RANGE"
            }
        }
        #expect { try BusinessStatusInput(month: "2026-11", status: "thriving").validated(today: Self.today) } throws: { error in
            (error as? ValidationError)?.code == "INVALID_BUSINESS_STATUS"
        }
    }

    @Test("The reminder is due from its day to the month's end, and never when it is off")
    func reminderSchedule() {
        let schedule = PairingReminderSchedule(day: 20)
        #expect(schedule.dueMonth(on: CivilDate(year: 2026, month: 11, day: 19)!) == nil)
        #expect(schedule.dueMonth(on: CivilDate(year: 2026, month: 11, day: 20)!)?.description == "2026-11")
        #expect(schedule.dueMonth(on: CivilDate(year: 2026, month: 11, day: 30)!)?.description == "2026-11")
        #expect(schedule.dueMonth(on: CivilDate(year: 2026, month: 12, day: 1)!) == nil)
        #expect(PairingReminderSchedule(day: nil).dueMonth(on: Self.today) == nil)
    }
}

@Suite("Cadre appraisals: the quarter and the enterprise's ratings")
struct CadreAppraisalTests {
    @Test("A quarter is written YYYY-Qn and knows its months", arguments: [
        ("2026-Q4", "2026-Q4"), ("2026-Q1", "2026-Q1"), ("2026-Q5", nil), ("2026-4", nil), ("2026Q4", nil), ("2026-q4", nil),
    ] as [(String, String?)])
    func quarterText(text: String, expected: String?) {
        #expect(CalendarQuarter(text)?.description == expected)
    }

    @Test("Months fall into their quarters")
    func quarterMonths() throws {
        let november = try #require(CalendarMonth("2026-11"))
        let quarter = CalendarQuarter(november)
        #expect(quarter.description == "2026-Q4" && quarter.chineseText == "2026年第四季度")
        #expect(quarter.months.map(\.description) == ["2026-10", "2026-11", "2026-12"])
        #expect(CalendarQuarter(CalendarMonth("2026-03")!).description == "2026-Q1")
        #expect(quarter.adding(quarters: -4).description == "2025-Q4" && quarter.adding(quarters: 1).description == "2027-Q1")
    }

    @Test("An appraisal rates all four duties with known levels; unknown duties and long texts are refused")
    func ratings() throws {
        let all = Dictionary(uniqueKeysWithValues: CadreDuty.allCases.map { ($0.rawValue, "satisfied") })
        #expect(try CadreAppraisalInput(ratings: all, results: "解决了用电增容").validated().count == 4)
        var missing = all
        missing[CadreDuty.policyPromoter.rawValue] = nil
        missing["pandemicGuide"] = "great"
        missing["chiefWaiter"] = "satisfied"
        #expect {
            try CadreAppraisalInput(ratings: missing, results: String(repeating: "好", count: 501)).validated()
        } throws: { error in
            (error as? ValidationError)?.issues.map { "\($0.field):\($0.code)" }.sorted() == [
                "ratings.chiefWaiter:UNKNOWN_DUTY", "ratings.pandemicGuide:INVALID_RATING", "ratings.policyPromoter:INVALID_RATING",
                "results:TEXT_TOO_LONG",
            ]
        }
        #expect(SatisfactionLevel.basicallySatisfied.countsAsSatisfied && !SatisfactionLevel.dissatisfied.countsAsSatisfied)
    }

    @Test("Enterprises are asked in a quarter's last month, from the reminder day")
    func appraisalSchedule() {
        let schedule = PairingReminderSchedule(day: 20)
        #expect(schedule.dueQuarter(on: CivilDate(year: 2026, month: 11, day: 25)!) == nil)
        #expect(schedule.dueQuarter(on: CivilDate(year: 2026, month: 12, day: 19)!) == nil)
        #expect(schedule.dueQuarter(on: CivilDate(year: 2026, month: 12, day: 20)!)?.description == "2026-Q4")
        #expect(PairingReminderSchedule(day: nil).dueQuarter(on: CivilDate(year: 2026, month: 12, day: 20)!) == nil)
    }
}
