import DemandDomain
import Foundation

/// The columns of reporting's CSV exports (written by `CSVDocument`).
enum CSV {
    static func percent(_ rate: Rate) -> String {
        rate.value.map { String(format: "%.1f%%", $0 * 100) } ?? ""
    }

    static let figuresHeader = [
        "范围", "名称", "受理诉求", "其中上级收转报", "转报上级", "审核完成", "审核及时率", "分办完成", "分办及时率", "签收完成", "接收问题及时率",
        "办结答复", "答复及时率", "A类", "B类", "C类", "退回", "延期", "催办", "销号", "满意", "不满意", "满意率", "办结率", "当前超期",
        "平均办理工作日", "办理工作日P90",
    ]

    static func figuresRow(_ figures: Figures) -> [String] {
        func step(_ name: DemandStep) -> StepFigures? { figures.steps[name.rawValue] }
        return [
            figures.scope, figures.name, "\(figures.received)", "\(figures.escalatedIn)", "\(figures.escalated)",
            "\(step(.review)?.completed ?? 0)", step(.review).map { percent($0.onTimeRate) } ?? "",
            "\(step(.dispatch)?.completed ?? 0)", step(.dispatch).map { percent($0.onTimeRate) } ?? "",
            "\(step(.sign)?.completed ?? 0)", percent(figures.onTimeReceiptRate),
            "\(step(.result)?.completed ?? 0)", step(.result).map { percent($0.onTimeRate) } ?? "",
            "\(figures.results["A"] ?? 0)", "\(figures.results["B"] ?? 0)", "\(figures.results["C"] ?? 0)",
            "\(figures.returned)", "\(figures.extended)", "\(figures.urged)", "\(figures.closed)", "\(figures.satisfied)",
            "\(figures.unsatisfied)", percent(figures.satisfactionRate), percent(figures.completionRate), "\(figures.overdueNow)",
            step(.result)?.averageWorkingDays.map { String($0) } ?? "", step(.result)?.p90WorkingDays.map { String($0) } ?? "",
        ]
    }

    static let cadreHeader = [
        "干部", "单位", "包联企业", "受理诉求", "转报上级", "审核完成", "审核及时率", "A类", "B类", "C类", "销号", "满意", "不满意", "满意率", "办结率",
        "当前超期",
    ]

    static func cadreRow(_ figures: Figures) -> [String] {
        let review = figures.steps[DemandStep.review.rawValue]
        return [
            figures.name, figures.unit ?? "", figures.enterprises.map(String.init) ?? "", "\(figures.received)", "\(figures.escalated)",
            "\(review?.completed ?? 0)", review.map { percent($0.onTimeRate) } ?? "", "\(figures.results["A"] ?? 0)",
            "\(figures.results["B"] ?? 0)", "\(figures.results["C"] ?? 0)", "\(figures.closed)", "\(figures.satisfied)",
            "\(figures.unsatisfied)", percent(figures.satisfactionRate), percent(figures.completionRate), "\(figures.overdueNow)",
        ]
    }
}
