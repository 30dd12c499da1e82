import DemandDomain
import Foundation
import InputValidation
import OfficeDocuments
import Tenancy

/// Reporting's downloads as tables, each served as CSV and as an Excel workbook
/// (`/exports/<name>.csv`, `/exports/<name>.xlsx`).
enum ReportTables {
    /// The downloads by name, in the order the API documents them.
    enum Name: String, CaseIterable {
        case figures, units, cadres, overdue, unsatisfied, rankings, evaluation, returns
    }

    static func figures(_ rows: [Figures], title: String) -> ReportTable {
        ReportTable(title: title, header: figuresHeader, rows: rows.map(figuresRow))
    }

    static let figuresHeader = [
        "范围", "名称", "受理诉求", "其中上级收转报", "其中咨询类", "不予受理", "转报上级", "审核完成", "审核及时率", "分办完成", "分办及时率", "签收完成", "接收问题及时率",
        "办结答复", "答复及时率", "A类", "B类", "C类", "退回", "延期", "催办", "挂牌督办", "约谈", "集中会办", "销号", "满意", "不满意", "未评价", "满意率", "办结率",
        "当前超期", "平均办理工作日", "办理工作日P90",
    ]

    static func figuresRow(_ figures: Figures) -> [ReportTable.Cell] {
        func step(_ name: DemandStep) -> StepFigures? { figures.steps[name.rawValue] }
        func completed(_ name: DemandStep) -> ReportTable.Cell { .integer(step(name)?.completed ?? 0) }
        func onTime(_ name: DemandStep) -> ReportTable.Cell { .percent(step(name)?.onTimeRate.value) }
        return [
            .text(figures.scope), .text(figures.name), .integer(figures.received), .integer(figures.escalatedIn),
            .integer(figures.consultations), .integer(figures.refused), .integer(figures.escalated), completed(.review), onTime(.review), completed(.dispatch),
            onTime(.dispatch), completed(.sign), .percent(figures.onTimeReceiptRate.value), completed(.result), onTime(.result),
        ] + resultClasses(figures) + [
            .integer(figures.returned), .integer(figures.extended), .integer(figures.urged),
            .integer(figures.supervision["flagged"] ?? 0), .integer(figures.supervision["interview"] ?? 0),
            .integer(figures.supervision["jointMeeting"] ?? 0), .integer(figures.closed),
            .integer(figures.satisfied), .integer(figures.unsatisfied), .integer(figures.unrated),
            .percent(figures.satisfactionRate.value), .percent(figures.completionRate.value), .integer(figures.overdueNow),
            .decimal(step(.result)?.averageWorkingDays), .decimal(step(.result)?.p90WorkingDays),
        ]
    }

    static func cadres(_ rows: [Figures]) -> ReportTable {
        ReportTable(title: "包联干部", header: cadreHeader, rows: rows.map(cadreRow))
    }

    static let cadreHeader = [
        "干部", "单位", "包联企业", "受理诉求", "转报上级", "审核完成", "审核及时率", "A类", "B类", "C类", "销号", "满意", "不满意", "未评价", "满意率",
        "办结率", "当前超期",
    ]

    static func cadreRow(_ figures: Figures) -> [ReportTable.Cell] {
        let review = figures.steps[DemandStep.review.rawValue]
        return [
            .text(figures.name), .text(figures.unit), .integer(figures.enterprises), .integer(figures.received),
            .integer(figures.escalated), .integer(review?.completed ?? 0), .percent(review?.onTimeRate.value),
        ] + resultClasses(figures) + [
            .integer(figures.closed), .integer(figures.satisfied), .integer(figures.unsatisfied), .integer(figures.unrated),
            .percent(figures.satisfactionRate.value), .percent(figures.completionRate.value), .integer(figures.overdueNow),
        ]
    }

    private static func resultClasses(_ figures: Figures) -> [ReportTable.Cell] {
        ["A", "B", "C"].map { .integer(figures.results[$0] ?? 0) }
    }

    static func rankings(_ ranking: UnitRanking) -> ReportTable {
        func rates(_ standing: UnitRanking.Standing) -> [ReportTable.Cell] {
            [.percent(standing.completionRate.value), .percent(standing.onTimeReceiptRate.value), .percent(standing.satisfactionRate.value)]
        }
        let previous = "上期（\(ranking.previousPeriod)）", lastYear = "去年同期（\(ranking.lastYearPeriod)）"
        return ReportTable(
            title: "承办单位排名",
            header: ["名次", "单位", "受理", "办结率", "接收问题及时率", "满意率"]
                + [previous, lastYear].flatMap { ["\($0)名次", "\($0)办结率", "\($0)接收问题及时率", "\($0)满意率"] },
            rows: ranking.rows.map { row in
                [.integer(row.rank), .text(row.name), .integer(row.current.received)] + rates(row.current)
                    + [.integer(row.previous.rank)] + rates(row.previous) + [.integer(row.lastYear.rank)] + rates(row.lastYear)
            })
    }

    static func evaluation(_ evaluation: AnnualEvaluation) -> ReportTable {
        ReportTable(
            title: "\(evaluation.year)年度承办单位测评",
            header: ["名次", "单位", "受理", "办结率", "接收问题及时率", "满意率", "量化得分", "民主评议得分", "测评总分"],
            rows: evaluation.rows.map { row in
                [.integer(row.rank), .text(row.name), .integer(row.received), .percent(row.completionRate.value),
                 .percent(row.onTimeReceiptRate.value), .percent(row.satisfactionRate.value), .decimal(row.quantifiedScore),
                 .decimal(row.appraisalScore), .decimal(row.totalScore)]
            })
    }

    static func overdue(_ items: [ReportingWorkflow.OverdueItem]) -> ReportTable {
        ReportTable(title: "超期诉求", header: ["登记编号", "企业", "牵头单位", "环节", "时限", "超期工作日"], rows: items.map { item in
            [.text(item.registrationNumber), .text(item.enterprise), .text(item.leadUnit), .text(item.step),
             .text(CivilDate.deadlineText(item.dueAt)), .integer(item.overdueWorkingDays)]
        })
    }

    static func unsatisfied(_ items: [ReportingWorkflow.UnsatisfiedItem]) -> ReportTable {
        ReportTable(title: "企业不满意诉求", header: ["登记编号", "企业", "牵头单位", "意见", "评价时间"], rows: items.map { item in
            [.text(item.registrationNumber), .text(item.enterprise), .text(item.leadUnit), .text(item.comment),
             .text(CivilDate.shanghaiText(item.ratedAt))]
        })
    }
}
