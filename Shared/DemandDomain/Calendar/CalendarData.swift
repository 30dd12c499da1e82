import Foundation
import InputValidation
import Tenancy

/// The official working-day data as stored in `Resources/china-working-calendar.json`.
public struct CalendarData: Codable, Sendable, Hashable {
    public struct Notice: Codable, Sendable, Hashable {
        public var title: String
        public var documentNumber: String?
        public var published: CivilDate?
        public var url: String?
    }

    public struct Holiday: Codable, Sendable, Hashable {
        public var name: String
        public var from: CivilDate
        public var to: CivilDate
        public var note: String?
    }

    public struct MakeupWorkday: Codable, Sendable, Hashable {
        public var date: CivilDate
        /// The holiday this working day makes up for.
        public var holiday: String
    }

    public enum Status: String, Codable, Sendable, Hashable {
        /// Taken from the State Council's published notice.
        case official
        /// The notice is not published yet: only the statutory days off are known, no adjusted
        /// working days. Replace the year with the notice as soon as it appears; open deadlines
        /// are then recomputed.
        case provisional
    }

    public struct Year: Codable, Sendable, Hashable {
        public var year: Int
        public var status: Status
        public var notices: [Notice]
        public var holidays: [Holiday]
        public var makeupWorkdays: [MakeupWorkday]
    }

    public var description: String?
    public var years: [Year]

    /// The data shipped with the platform.
    public static func bundled() throws -> CalendarData {
        guard let url = Bundle.module.url(forResource: "china-working-calendar", withExtension: "json") else {
            throw CalendarError.dataMissing("china-working-calendar.json is not in the DemandDomain bundle")
        }
        return try JSONDecoder().decode(CalendarData.self, from: Data(contentsOf: url))
    }
}

/// A tier's own change to the national calendar: an extra closure, or an extra working day.
public struct TierDayAdjustment: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        /// The tier's offices are closed on a day that is otherwise a working day.
        case closure
        /// The tier works on a day that is otherwise a day off.
        case workingDay
    }

    public var date: CivilDate
    public var kind: Kind
    public var reason: String

    public init(date: CivilDate, kind: Kind, reason: String) {
        self.date = date
        self.kind = kind
        self.reason = reason
    }
}

public enum CalendarError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The calendar has no data for the year; guessing would put deadlines on holidays.
    case yearNotCovered(Int)
    case dataMissing(String)
    case inconsistent(String)

    public var description: String {
        switch self {
        case .yearNotCovered(let year):
            "the working-day calendar has no data for \(year); add the State Council's notice for \(year)"
        case .dataMissing(let detail): "calendar data missing: \(detail)"
        case .inconsistent(let detail): "calendar data inconsistent: \(detail)"
        }
    }
}
