import Foundation
import Gregorian
import InputValidation
import Tenancy

/// A calendar date with no time of day (Gregorian, proleptic).
///
/// Conversions to instants are in China Standard Time (Asia/Shanghai), which has been UTC+8 without
/// daylight saving since 1991, so a fixed offset is exact for every date this platform handles and
/// needs no time-zone database at run time.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible, TextCodable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Seconds east of UTC for Asia/Shanghai.
    public static let shanghaiOffset: TimeInterval = 8 * 3600
    public static let secondsPerDay: TimeInterval = 86_400

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Self.daysInMonth(year: year, month: month) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The date with this many days since 1970-01-01.
    public init(daysSinceEpoch: Int) {
        (year, month, day) = GregorianDays.date(daysSince1970: daysSinceEpoch)
    }

    /// The Shanghai calendar date of an instant.
    public init(_ instant: Date) {
        let local = instant.timeIntervalSince1970 + Self.shanghaiOffset
        self.init(daysSinceEpoch: Int((local / Self.secondsPerDay).rounded(.down)))
    }

    public var daysSinceEpoch: Int {
        GregorianDays.daysSince1970(year: year, month: month, day: day)
    }

    /// 00:00 of this date in Shanghai.
    public var startInstant: Date {
        Date(timeIntervalSince1970: TimeInterval(daysSinceEpoch) * Self.secondsPerDay - Self.shanghaiOffset)
    }

    public func adding(days: Int) -> CivilDate {
        CivilDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same day of the month `months` later, clamped to the month's last day.
    public func adding(months: Int) -> CivilDate {
        let total = year * 12 + (month - 1) + months
        let newYear = total / 12
        let newMonth = total % 12 + 1
        let newDay = min(day, Self.daysInMonth(year: newYear, month: newMonth))
        return CivilDate(year: newYear, month: newMonth, day: newDay)!
    }

    /// ISO weekday: 1 is Monday, 7 is Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        let index = (daysSinceEpoch % 7 + 7) % 7
        return (index + 3) % 7 + 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    public var description: String {
        let monthText = month < 10 ? "0\(month)" : "\(month)"
        let dayText = day < 10 ? "0\(day)" : "\(day)"
        // Four digits, as it was read and as RFC 3339's full-date has it (a year 504 is `0504`).
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText)-\(monthText)-\(dayText)"
    }

    /// As official documents write dates: `2026年11月26日`.
    public var chineseText: String { "\(year)年\(month)月\(day)日" }

    /// Chinese weekday name (`星期一` … `星期日`).
    public var chineseWeekday: String {
        ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"][isoWeekday - 1]
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        GregorianDays.daysIn(month: month, year: year)
    }

    public var codedText: String { description }
    public static let textForm = "YYYY-MM-DD"
}

extension CivilDate {
    /// A deadline as people read it: one that falls at the end of a day shows as that day's
    /// `24:00` (`2026-11-24 24:00`), not as 00:00 of the next day.
    public static func deadlineText(_ due: Date) -> String {
        let date = CivilDate(due)
        guard due == date.startInstant else { return shanghaiText(due) }
        return date.adding(days: -1).description + " 24:00"
    }

    /// The last day a deadline leaves: the day before when it falls at 24:00, else its own day.
    public static func lastDay(before due: Date) -> CivilDate {
        let date = CivilDate(due)
        return due == date.startInstant ? date.adding(days: -1) : date
    }

    /// An instant shown in Shanghai time as `YYYY-MM-DD HH:mm`, for people and printouts.
    public static func shanghaiText(_ instant: Date) -> String {
        let date = CivilDate(instant)
        let seconds = Int(instant.timeIntervalSince(date.startInstant))
        let hour = seconds / 3600
        let minute = seconds % 3600 / 60
        return date.description + " " + (hour < 10 ? "0\(hour)" : "\(hour)") + ":"
            + (minute < 10 ? "0\(minute)" : "\(minute)")
    }
}
