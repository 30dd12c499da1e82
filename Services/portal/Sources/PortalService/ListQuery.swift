import DemandDomain
import Foundation
import Hummingbird
import InputValidation
import PlatformAPI
import Tenancy

/// The filters of a list page (`?state=inProgress&overdue=1&q=第3号&unit=maojian-jxj&industryGroup=commerce&from=2026-11-01&to=2026-11-30&page=2`): what the person asked
/// for, the same question put to the service's API, and the links that keep it while paging or
/// downloading it as CSV.
struct ListQuery: Sendable {
    static let pageSize = 20

    var state: DemandState?
    var overdueOnly = false
    var search: String?
    /// The lead unit, and the days of registration (inclusive).
    var unit: String?
    var category: DemandCategory?
    var industryGroup: IndustryGroup?
    var from: CivilDate?
    var to: CivilDate?
    var page = 1

    init(_ parameters: Parameters) {
        state = parameters.get("state").flatMap { DemandState(rawValue: String($0)) }
        overdueOnly = parameters.get("overdue") == "1"
        search = parameters.get("q").map { PortalRoutes.searchText(String($0)) }.flatMap { $0.isEmpty ? nil : $0 }
        unit = parameters.get("unit").map { String($0) }.flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
        category = parameters.get("category").flatMap { DemandCategory(rawValue: String($0)) }
        industryGroup = parameters.get("industryGroup").flatMap { IndustryGroup(rawValue: String($0)) }
        from = parameters.get("from").flatMap { CivilDate(String($0)) }
        to = parameters.get("to").flatMap { CivilDate(String($0)) }
        if let start = from, let end = to, end < start { (from, to) = (end, start) }
        page = parameters.get("page").flatMap { Int(String($0)) }.map { max(1, min($0, 10_000)) } ?? 1
    }

    /// The API's query for one page; one row more than a page, to know whether another follows.
    var apiQuery: String { Self.query(api: true, page: page, limit: Self.pageSize + 1, self) }

    /// Every matching row the API gives at once, for the CSV download.
    var exportQuery: String { Self.query(api: true, page: 1, limit: 500, self) }

    func link(_ path: String, page: Int) -> String { path + Self.query(api: false, page: page, limit: nil, self) }

    var isFiltered: Bool {
        state != nil || overdueOnly || search != nil || unit != nil || category != nil || industryGroup != nil || from != nil || to != nil
    }

    static func query(api: Bool, page: Int, limit: Int?, _ list: ListQuery) -> String {
        let paging: [(name: String, value: String?)] = if api, let limit {
            [("limit", String(limit)), ("offset", String((page - 1) * pageSize))]
        } else {
            [("page", page > 1 ? String(page) : nil)]
        }
        return PlatformClient.queryString([
            ("state", list.state?.rawValue), ("overdue", list.overdueOnly ? (api ? "true" : "1") : nil), ("q", list.search),
            ("unit", list.unit), ("category", list.category?.rawValue), ("industryGroup", list.industryGroup?.rawValue),
            ("from", list.from?.description), ("to", list.to?.description),
        ] + paging)
    }

    /// The category choices of the filter, with the chosen one selected.
    var categoryOptions: [[String: Any]] {
        DemandCategory.allCases.map { ["value": $0.rawValue, "label": $0.chineseName, "selected": $0 == category] }
    }

    /// The industry group (行业组) choices of the filter, with the chosen one selected.
    var industryGroupOptions: [[String: Any]] {
        IndustryGroup.allCases.map { ["value": $0.rawValue, "label": "\($0.chineseName)组", "selected": $0 == industryGroup] }
    }

    /// The state choices of the filter, with the chosen one selected.
    var stateOptions: [[String: Any]] {
        DemandState.allCases.map { ["value": $0.rawValue, "label": $0.chineseName, "selected": $0 == state] }
    }
}
