import Foundation
import InputValidation
import Tenancy

/// One day of the calendar and why it is, or is not, a working day.
public struct CalendarDay: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        case weekday
        case weekend
        case holiday(String)
        case makeupWorkday(String)
        case tierClosure(String)
        case tierWorkingDay(String)
    }

    public var date: CivilDate
    public var isWorkingDay: Bool
    public var reason: Reason
    /// The year's notice is not published yet (see ``CalendarData/Status/provisional``).
    public var isProvisional: Bool

    /// Simplified Chinese explanation, for the operator printout.
    public var explanation: String {
        switch reason {
        case .weekday: "工作日"
        case .weekend: "周末"
        case .holiday(let name): "\(name)放假"
        case .makeupWorkday(let name): "\(name)调休上班"
        case .tierClosure(let reason): "本级停止办公：\(reason)"
        case .tierWorkingDay(let reason): "本级安排上班：\(reason)"
        }
    }
}

/// Working days in Asia/Shanghai on China's official calendar, with a tier's own adjustments.
///
/// Working time is measured in seconds that fall inside working days (each working day counts as a
/// whole 24 hours). Deadlines "count from the next day" (均从次日开始计算, 000 Q23) and fall at the end
/// of their last working day, which this type represents as 00:00 of the following day.
public struct WorkingCalendar: Sendable {
    private enum Entry: Sendable, Hashable {
        case holiday(String)
        case makeupWorkday(String)
    }

    private let national: [Int: Entry]
    private let adjustments: [Int: TierDayAdjustment]
    private let coveredYears: Set<Int>
    private let provisionalYears: Set<Int>
    /// Changes whenever a day's status could change; stored with deadlines to detect stale ones.
    public let fingerprint: String

    public init(data: CalendarData, adjustments: [TierDayAdjustment] = []) throws(CalendarError) {
        var national: [Int: Entry] = [:]
        var covered: Set<Int> = []
        var provisional: Set<Int> = []
        for year in data.years {
            guard covered.insert(year.year).inserted else {
                throw .inconsistent("year \(year.year) appears twice")
            }
            if year.status == .provisional { provisional.insert(year.year) }
            for holiday in year.holidays {
                guard holiday.from <= holiday.to else { throw .inconsistent("\(holiday.name) ends before it starts") }
                for day in holiday.from.daysSinceEpoch...holiday.to.daysSinceEpoch {
                    national[day] = .holiday(holiday.name)
                }
            }
            for workday in year.makeupWorkdays {
                let key = workday.date.daysSinceEpoch
                if case .holiday = national[key] {
                    throw .inconsistent("\(workday.date) is both a holiday and a make-up working day")
                }
                national[key] = .makeupWorkday(workday.holiday)
            }
        }
        var byDay: [Int: TierDayAdjustment] = [:]
        for adjustment in adjustments { byDay[adjustment.date.daysSinceEpoch] = adjustment }
        self.national = national
        self.adjustments = byDay
        self.coveredYears = covered
        self.provisionalYears = provisional
        self.fingerprint = Self.fingerprint(national: national, adjustments: byDay, covered: covered)
    }

    /// The bundled official calendar plus a tier's adjustments.
    public static func official(adjustments: [TierDayAdjustment] = []) throws -> WorkingCalendar {
        try WorkingCalendar(data: CalendarData.bundled(), adjustments: adjustments)
    }

    public var years: [Int] { coveredYears.sorted() }

    public func isProvisional(year: Int) -> Bool { provisionalYears.contains(year) }

    // MARK: Days

    public func day(_ date: CivilDate) throws(CalendarError) -> CalendarDay {
        guard coveredYears.contains(date.year) else { throw .yearNotCovered(date.year) }
        let key = date.daysSinceEpoch
        let provisional = provisionalYears.contains(date.year)
        if let adjustment = adjustments[key] {
            switch adjustment.kind {
            case .closure:
                return CalendarDay(date: date, isWorkingDay: false, reason: .tierClosure(adjustment.reason),
                    isProvisional: provisional)
            case .workingDay:
                return CalendarDay(date: date, isWorkingDay: true, reason: .tierWorkingDay(adjustment.reason),
                    isProvisional: provisional)
            }
        }
        switch national[key] {
        case .holiday(let name):
            return CalendarDay(date: date, isWorkingDay: false, reason: .holiday(name), isProvisional: provisional)
        case .makeupWorkday(let name):
            return CalendarDay(date: date, isWorkingDay: true, reason: .makeupWorkday(name), isProvisional: provisional)
        case nil:
            return CalendarDay(
                date: date, isWorkingDay: !date.isWeekend, reason: date.isWeekend ? .weekend : .weekday,
                isProvisional: provisional)
        }
    }

    public func isWorkingDay(_ date: CivilDate) throws(CalendarError) -> Bool {
        try day(date).isWorkingDay
    }

    /// Every day from `start` through `end`, inclusive.
    public func days(from start: CivilDate, through end: CivilDate) throws(CalendarError) -> [CalendarDay] {
        guard start <= end else { return [] }
        var result: [CalendarDay] = []
        for key in start.daysSinceEpoch...end.daysSinceEpoch {
            result.append(try day(CivilDate(daysSinceEpoch: key)))
        }
        return result
    }

    // MARK: Working time

    /// The deadline `workingDays` working days after `instant`, counted from the next day: the end of
    /// the last of those days (00:00 of the day after it).
    public func deadline(workingDays: Int, after start: Date) throws(CalendarError) -> Date {
        let clockStart = CivilDate(start).adding(days: 1).startInstant
        return try instant(afterWorkingTime: TimeInterval(workingDays) * CivilDate.secondsPerDay, from: clockStart)
    }

    /// The earliest instant at which `duration` seconds of working time have passed since `start`.
    public func instant(afterWorkingTime duration: TimeInterval, from start: Date) throws(CalendarError) -> Date {
        var remaining = max(0, duration)
        var cursor = start
        while true {
            let date = CivilDate(cursor)
            let dayEnd = date.adding(days: 1).startInstant
            if try isWorkingDay(date) {
                let available = dayEnd.timeIntervalSince(cursor)
                if remaining <= available { return cursor.addingTimeInterval(remaining) }
                remaining -= available
            }
            cursor = dayEnd
        }
    }

    /// `instant` itself if it falls on a working day, else 00:00 of the next working day.
    public func nextWorkingInstant(from instant: Date) throws(CalendarError) -> Date {
        var date = CivilDate(instant)
        guard try !isWorkingDay(date) else { return instant }
        repeat { date = date.adding(days: 1) } while try !isWorkingDay(date)
        return date.startInstant
    }

    /// Seconds of working time from `start` to `end`; negative when `end` is before `start`.
    public func workingTime(from start: Date, to end: Date) throws(CalendarError) -> TimeInterval {
        if end < start { return -(try workingTime(from: end, to: start)) }
        var total: TimeInterval = 0
        var cursor = start
        while cursor < end {
            let date = CivilDate(cursor)
            let dayEnd = min(date.adding(days: 1).startInstant, end)
            if try isWorkingDay(date) { total += dayEnd.timeIntervalSince(cursor) }
            cursor = dayEnd
        }
        return total
    }

    /// Working days from `start` to `end` as a fraction (1.0 is one whole working day).
    public func workingDays(from start: Date, to end: Date) throws(CalendarError) -> Double {
        try workingTime(from: start, to: end) / CivilDate.secondsPerDay
    }

    /// Number of working days in the span that starts the day after `start` and ends with the same
    /// day-of-month `months` later: how Lincang's "at most one month" becomes a working-day budget.
    public func workingDays(inCalendarMonths months: Int, after start: Date) throws(CalendarError) -> Int {
        let first = CivilDate(start).adding(days: 1)
        let last = CivilDate(start).adding(months: months)
        return try days(from: first, through: last).filter(\.isWorkingDay).count
    }

    private static func fingerprint(national: [Int: Entry], adjustments: [Int: TierDayAdjustment], covered: Set<Int>)
        -> String
    {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        for year in covered.sorted() { mix("y\(year);") }
        for key in national.keys.sorted() {
            switch national[key]! {
            case .holiday: mix("h\(key);")
            case .makeupWorkday: mix("w\(key);")
            }
        }
        for key in adjustments.keys.sorted() { mix("a\(key)\(adjustments[key]!.kind.rawValue);") }
        return String(hash, radix: 16)
    }
}
