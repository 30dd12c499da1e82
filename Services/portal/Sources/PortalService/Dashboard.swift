import DemandDomain
import Foundation
import InputValidation
import OfficeDocuments
import PlatformAPI
import Tenancy

/// The office's dashboard of its subtree for a month: the month's counts and rates, each tier
/// below it, the last six months, demands by category, and the units ranked.
struct Dashboard {
    let client: PlatformClient
    let session: Session

    /// `2026-11` for the month `offset` months before `now`'s, in Shanghai.
    static func month(_ now: Date, offset: Int) -> String {
        CalendarMonth(CivilDate(now)).adding(months: -offset).description
    }

    func fields(month requested: String?, now: Date = Date()) async throws -> [String: Any] {
        let month = requested.flatMap { Self.isMonth($0) ? $0 : nil } ?? Self.month(now, offset: 0)
        async let ranking = client.unitRanking(session, query: "?month=\(month)")
        async let cadres = client.cadreFigures(session, query: "?month=\(month)")
        async let trend = client.figureMonths(session, query: "?from=\(Self.month(now, offset: 5))&to=\(Self.month(now, offset: 0))")
        let figures = try await client.figures(session, query: "?month=\(month)")
        let total = figures.overall
        let months = try await trend.months
        var fields: [String: Any] = [
            "month": month,
            "months": (0..<12).map { offset -> [String: Any] in
                let value = Self.month(now, offset: offset)
                return ["value": value, "label": "\(value.prefix(4))年\(Int(value.suffix(2))!)月", "selected": value == month]
            },
            "periodLabel": figures.period.label,
            "tiers": figures.tiers.map(Self.row),
            "units": try await ranking.rows.map(Self.rankingRow),
            "cadres": try await cadres.sorted { $0.received > $1.received }.map(Self.cadreRow),
            "trendChart": Self.json([
                "type": "bar",
                "labels": months.map(\.month),
                "series": [
                    ["label": "受理", "data": months.map(\.received)],
                    ["label": "销号", "data": months.map(\.closed)],
                ],
            ]),
        ]
        if let total {
            fields["total"] = Self.row(total)
            let categories = DemandCategory.allCases.map { ($0.chineseName, total.byCategory?[$0.rawValue] ?? 0) }
            fields["categoryChart"] = Self.json([
                "type": "doughnut", "labels": categories.map(\.0),
                "series": [["label": "诉求数", "data": categories.map(\.1)]],
            ])
        }
        return fields
    }

    static func isMonth(_ text: String) -> Bool {
        CalendarMonth(text) != nil
    }

    /// A unit's place, with the month before (its rank and the move since) and the same month a year before.
    static func rankingRow(_ row: PlatformClient.UnitRanking.Row) -> [String: Any] {
        let move: String = switch row.previous.rank {
        case nil: "—"
        case let before? where before > row.rank: "\(before)（↑\(before - row.rank)）"
        case let before? where before < row.rank: "\(before)（↓\(row.rank - before)）"
        case let before?: "\(before)（持平）"
        }
        return [
            "rank": row.rank, "name": row.name, "received": row.current.received,
            "completion": percent(row.current.completionRate), "onTimeReceipt": percent(row.current.onTimeReceiptRate),
            "satisfaction": percent(row.current.satisfactionRate), "previousRank": move,
            "lastYearCompletion": percent(row.lastYear.completionRate),
        ]
    }

    static func row(_ row: PlatformClient.FiguresSummary.Row) -> [String: Any] {
        [
            "name": row.name, "received": row.received, "escalated": row.escalated, "escalatedIn": row.escalatedIn,
            "closed": row.closed, "overdueNow": row.overdueNow, "hasOverdue": row.overdueNow > 0,
            "satisfaction": percent(row.satisfactionRate), "completion": percent(row.completionRate),
            "onTimeReceipt": percent(row.onTimeReceiptRate),
        ]
    }

    /// A cadre's month (002 §6, §16): their enterprises, what they raised, the review and the outcome.
    static func cadreRow(_ row: PlatformClient.FiguresSummary.Row) -> [String: Any] {
        Self.row(row).merging([
            "unit": row.unit ?? "", "enterprises": row.enterprises ?? 0,
            "reviewOnTime": row.steps?["review"].map { percent($0.onTimeRate) } ?? "—",
        ]) { $1 }
    }

    static func percent(_ rate: PlatformClient.FiguresSummary.Rate) -> String {
        rate.value.map(ReportTable.Cell.percentText) ?? "—"
    }

    /// Chart data for `static/charts.js`, carried in a data attribute (the page runs no inline script).
    static func json(_ value: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
