import DemandDomain
import Foundation
import InputValidation
import PropertyBased
import Tenancy
import Testing

@Suite("Working-day calendar")
struct CalendarTests {
    let calendar = Fixtures.calendar

    func working(_ date: String) throws -> Bool { try calendar.isWorkingDay(CivilDate(date)!) }

    @Test("Civil dates convert to and from day numbers and weekdays")
    func civilDates() async {
        #expect(CivilDate("1970-01-01")!.daysSinceEpoch == 0)
        #expect(CivilDate("2024-02-29")!.isoWeekday == 4)
        #expect(CivilDate("2023-10-07")!.isoWeekday == 6)
        #expect(CivilDate("2024-02-30") == nil)
        #expect(CivilDate("2023-02-29") == nil)
        #expect(CivilDate("0504-11-12")?.description == "0504-11-12", "a date is written as it is read, four-digit year and all")
        #expect(CivilDate("2024-01-31")!.adding(months: 1) == CivilDate("2024-02-29"))
        await propertyCheck(input: Gen.int(in: -100_000...100_000)) { days in
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect(CivilDate(date.description) == date)
            #expect(CivilDate(date.startInstant) == date)
            #expect(CivilDate(date.startInstant.addingTimeInterval(86_399)) == date)
        }
    }

    @Test("2020 Spring Festival extension: through 2 February, and 1 February no longer a working day")
    func springFestival2020() throws {
        #expect(try working("2020-01-19"))  // Sunday make-up day kept
        for day in ["2020-01-24", "2020-01-30", "2020-01-31", "2020-02-01", "2020-02-02"] {
            #expect(try !working(day), "\(day)")
        }
        #expect(try working("2020-02-03"))
        #expect(try calendar.day(CivilDate("2020-01-31")!).reason == .holiday("春节"))
    }

    @Test("2023 National Day and Mid-Autumn week with two weekend working days")
    func nationalDay2023() throws {
        for day in ["2023-09-29", "2023-09-30", "2023-10-01", "2023-10-06"] { #expect(try !working(day), "\(day)") }
        #expect(try working("2023-10-07"))
        #expect(try working("2023-10-08"))
        #expect(try calendar.day(CivilDate("2023-10-08")!).reason == .makeupWorkday("中秋节、国庆节"))
        #expect(try working("2023-10-09"))
    }

    @Test("2024 National Day week and the Sunday and Saturday around it")
    func nationalDay2024() throws {
        #expect(try working("2024-09-29"))
        for day in ["2024-10-01", "2024-10-04", "2024-10-07"] { #expect(try !working(day), "\(day)") }
        #expect(try working("2024-10-08"))
        #expect(try working("2024-10-12"))
        #expect(try !working("2024-10-13"))
    }

    @Test("Year-crossing New Year arrangements", arguments: [
        ("2018-12-29", true), ("2018-12-31", false), ("2019-01-01", false), ("2022-12-31", false),
        ("2023-01-02", false), ("2023-01-03", true), ("2026-01-04", true), ("2026-01-02", false),
    ])
    func newYear(date: String, isWorking: Bool) throws {
        #expect(try working(date) == isWorking)
    }

    @Test("2026 Spring Festival: nine days off and two Saturday working days")
    func springFestival2026() throws {
        #expect(try working("2026-02-14"))
        for day in ["2026-02-15", "2026-02-19", "2026-02-23"] { #expect(try !working(day), "\(day)") }
        #expect(try working("2026-02-24"))
        #expect(try working("2026-02-28"))
    }

    @Test("Deadlines count from the next day and end with their last working day", arguments: [
        // Friday afternoon before the 2024 National Day week: the Sunday make-up day counts.
        ("2024-09-27", 15, 1, "2024-09-30"),
        // Monday before the holiday: next working day is 8 October.
        ("2024-09-30", 10, 1, "2024-10-09"),
        // 15 working days across the 2023 Golden Week with its two weekend working days.
        ("2023-09-27", 9, 15, "2023-10-25"),
        // The day before the extended 2020 Spring Festival.
        ("2020-01-23", 18, 1, "2020-02-04"),
        // A Saturday make-up day at the turn of 2018/2019.
        ("2018-12-28", 16, 1, "2018-12-30"),
        // Shiyan's 5 working days to rate, from a Friday.
        ("2024-03-08", 11, 5, "2024-03-16"),
    ])
    func deadlines(start: String, hour: Int, days: Int, dueDayAfter: String) throws {
        let due = try calendar.deadline(workingDays: days, after: Fixtures.shanghai(start, hour))
        #expect(due == CivilDate(dueDayAfter)!.startInstant)
    }

    @Test("A year without data is an error, not a guess")
    func uncoveredYears() {
        #expect(throws: CalendarError.yearNotCovered(2017)) { try calendar.isWorkingDay(CivilDate("2017-06-01")!) }
        #expect(throws: CalendarError.yearNotCovered(2028)) {
            try calendar.deadline(workingDays: 15, after: Fixtures.shanghai("2027-12-20"))
        }
    }

    @Test("2027 is marked provisional until its notice is published")
    func provisionalYear() throws {
        #expect(calendar.isProvisional(year: 2027))
        #expect(!calendar.isProvisional(year: 2026))
        let springFestival = try calendar.day(CivilDate("2027-02-08")!)
        #expect(!springFestival.isWorkingDay && springFestival.isProvisional)
    }

    @Test("Tier adjustments override the national calendar and change the fingerprint")
    func tierAdjustments() throws {
        let adjusted = try WorkingCalendar.official(adjustments: [
            TierDayAdjustment(date: CivilDate("2024-03-05")!, kind: .closure, reason: "暴雪停止办公"),
            TierDayAdjustment(date: CivilDate("2024-03-09")!, kind: .workingDay, reason: "集中办理周"),
        ])
        #expect(try !adjusted.isWorkingDay(CivilDate("2024-03-05")!))
        #expect(try adjusted.isWorkingDay(CivilDate("2024-03-09")!))
        #expect(try adjusted.day(CivilDate("2024-03-05")!).explanation == "本级停止办公：暴雪停止办公")
        #expect(adjusted.fingerprint != calendar.fingerprint)
        // Monday 4 March + 1 working day: Tuesday is closed, so Wednesday.
        #expect(try adjusted.deadline(workingDays: 1, after: Fixtures.shanghai("2024-03-04"))
            == CivilDate("2024-03-07")!.startInstant)
    }

    /// Any instant between 2018 and October 2026, so that 30 working days stay inside the data.
    static let instants = Gen.int(in: CivilDate("2018-01-01")!.daysSinceEpoch...CivilDate("2026-10-31")!.daysSinceEpoch)
        .map { CivilDate(daysSinceEpoch: $0).startInstant }

    @Test("Deadlines land at the end of a working day, after exactly N working days")
    func deadlineProperties() async throws {
        let calendar = self.calendar
        await propertyCheck(input: Self.instants, Gen.int(in: 0...86_399), Gen.int(in: 1...30)) { day, second, n in
            let start = day.addingTimeInterval(TimeInterval(second))
            let due = try! calendar.deadline(workingDays: n, after: start)
            let lastDay = CivilDate(due).adding(days: -1)
            #expect(due == CivilDate(due).startInstant, "a deadline is the end of a day")
            #expect(try! calendar.isWorkingDay(lastDay), "the last day is a working day")
            let clockStart = CivilDate(start).adding(days: 1).startInstant
            #expect(try! calendar.workingDays(from: clockStart, to: due) == Double(n))
        }
    }

    @Test("Adding working days is monotonic in the count and in the start")
    func monotonic() async {
        let calendar = self.calendar
        await propertyCheck(input: Self.instants, Gen.int(in: 0...200_000), Gen.int(in: 1...20), Gen.int(in: 1...10)) {
            day, offset, n, extra in
            let earlier = day
            let later = day.addingTimeInterval(TimeInterval(offset))
            let a = try! calendar.deadline(workingDays: n, after: earlier)
            #expect(a < (try! calendar.deadline(workingDays: n + extra, after: earlier)))
            #expect(a <= (try! calendar.deadline(workingDays: n, after: later)))
        }
    }

    @Test("Working time and the instant after it agree")
    func workingTimeInverse() async {
        let calendar = self.calendar
        await propertyCheck(input: Self.instants, Gen.int(in: 0...86_399), Gen.int(in: 0...(20 * 86_400))) {
            day, second, amount in
            let start = day.addingTimeInterval(TimeInterval(second))
            let end = try! calendar.instant(afterWorkingTime: TimeInterval(amount), from: start)
            #expect(try! calendar.workingTime(from: start, to: end) == TimeInterval(amount))
            #expect(try! calendar.workingTime(from: end, to: start) == -TimeInterval(amount))
        }
    }
}
