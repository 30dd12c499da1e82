import DemandDomain
import Foundation
import InputValidation
import OfficeDocuments
import Tenancy

/// 企业诉求办理情况通报: the monthly briefing a tier office circulates (003 art. 19): headline
/// figures, the tiers side by side, a table by unit, the overdue and unsatisfied lists, and the
/// month's demands by category. As a web page (with an inline SVG bar chart) and as a Word
/// document (`Briefing+Word.swift`).
struct Briefing {
    var tierName: String
    var report: FiguresReport
    var units: [Figures]
    var overdue: [ReportingWorkflow.OverdueItem]
    var unsatisfied: [ReportingWorkflow.UnsatisfiedItem]
    var generatedAt: Date
    /// The tier's leaders it goes to (the office's list), printed at its foot.
    var recipients: [BriefingRecipient] = []

    var title: String { "\(tierName)企业诉求办理情况通报" }

    /// `报送：张三（区长）、李四（副区长）。`, or nil without a list.
    var recipientsLine: String? {
        recipients.isEmpty ? nil : "报送：" + recipients.map(\.printedName).joined(separator: "、") + "。"
    }

    /// The briefing's tables, each a header and rows of text, shared by the page and the document.
    struct TextTable {
        var header: [String]
        var rows: [[String]]
        /// Leading columns that hold names (left-aligned); the rest are figures.
        var nameColumns: Int
    }

    /// The headline paragraph of 一、总体情况.
    func summary(_ figures: Figures) -> String {
        "本期共受理企业诉求\(figures.received)件（其中收到下级转报\(figures.escalatedIn)件、咨询类\(figures.consultations)件），不予受理\(figures.refused)件，向上级转报\(figures.escalated)件；"
            + "承办单位签收\(figures.steps["sign"]?.completed ?? 0)件，接收问题及时率\(percent(figures.onTimeReceiptRate))；"
            + "提交办理结果\(figures.steps["result"]?.completed ?? 0)件（A类\(figures.results["A"] ?? 0)件、B类\(figures.results["B"] ?? 0)件、"
            + "C类\(figures.results["C"] ?? 0)件），答复及时率\(percent(figures.steps["result"]?.onTimeRate))；办结率\(percent(figures.completionRate))；"
            + "企业评价满意\(figures.satisfied)件、不满意\(figures.unsatisfied)件，逾期未评价\(figures.unrated)件，满意率\(percent(figures.satisfactionRate))；"
            + "目前超期\(figures.overdueNow)件。"
    }

    /// How the subtree's total counts a demand a county escalated to the city (003 art. 19 asks for
    /// one figure per demand).
    var countingNote: String? {
        report.total == nil ? nil
            : "说明：合计按诉求件数统计，县（市、区）转报上级的诉求只在首次受理地计一次，上级收到的转报不重复计入合计；各地区行仍分别统计本级受理情况。"
    }

    var periodLine: String { "统计期间：\(report.period.from)至\(report.period.to)。生成时间：\(CivilDate.shanghaiText(generatedAt))。" }

    private var headline: Figures? { report.total ?? report.tiers.first }

    /// The numbered sections after 一、总体情况, in order.
    var sections: [(heading: String, table: TextTable)] {
        [
            ("二、各地区情况", figuresTable(report.tiers + (report.total.map { [$0] } ?? []))),
            ("三、各承办单位情况（按办结率、接收问题及时率、满意率排名）", figuresTable(units)),
            ("四、超期诉求", overdueTable),
            ("五、企业不满意诉求", unsatisfiedTable),
        ]
    }

    func figuresTable(_ rows: [Figures]) -> TextTable {
        TextTable(
            header: ["名称", "受理", "签收", "接收及时率", "办结答复", "答复及时率", "A/B/C", "满意率", "办结率", "超期"],
            rows: rows.map { row in
                [row.name, "\(row.received)", "\(row.steps["sign"]?.completed ?? 0)", percent(row.onTimeReceiptRate),
                 "\(row.steps["result"]?.completed ?? 0)", percent(row.steps["result"]?.onTimeRate),
                 "\(row.results["A"] ?? 0)/\(row.results["B"] ?? 0)/\(row.results["C"] ?? 0)", percent(row.satisfactionRate),
                 percent(row.completionRate), "\(row.overdueNow)"]
            }, nameColumns: 1)
    }

    var overdueTable: TextTable {
        TextTable(header: ["登记编号", "企业", "牵头单位", "环节", "时限", "超期工作日"], rows: overdue.map { item in
            [item.registrationNumber ?? "", item.enterprise ?? "", item.leadUnit ?? "", item.step ?? "",
             CivilDate.deadlineText(item.dueAt), item.overdueWorkingDays.map(String.init) ?? ""]
        }, nameColumns: 3)
    }

    var unsatisfiedTable: TextTable {
        TextTable(header: ["登记编号", "企业", "牵头单位", "意见", "评价时间"], rows: unsatisfied.map { item in
            [item.registrationNumber ?? "", item.enterprise ?? "", item.leadUnit ?? "", item.comment ?? "",
             CivilDate.shanghaiText(item.ratedAt)]
        }, nameColumns: 4)
    }

    var categoryCounts: [(name: String, count: Int)] {
        let counts = headline?.byCategory ?? [:]
        return DemandCategory.allCases.map { ($0.chineseName, counts[$0.rawValue] ?? 0) }
    }

    // MARK: As a web page

    func html() -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>\(escape(title))（\(escape(report.period.label))）</title>
            <style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:4px 8px;text-align:right}
            th{background:#eee}td.name{text-align:left}h1{font-size:1.5em}</style></head><body>
            <h1>\(escape(title))（\(escape(report.period.label))）</h1>
            <p>\(escape(periodLine))</p>
            """
        if let figures = headline { page += "<h2>一、总体情况</h2><p>\(escape(summary(figures)))</p>" }
        for (index, section) in sections.enumerated() {
            page += "<h2>\(section.heading)</h2>" + html(section.table)
            if index == 0, let note = countingNote { page += "<p>\(escape(note))</p>" }
        }
        page += "<h2>六、诉求类别分布</h2>" + chart(categoryCounts)
        if let line = recipientsLine { page += "<p>\(escape(line))</p>" }
        return page + "</body></html>\n"
    }

    private func html(_ table: TextTable) -> String {
        guard !table.rows.isEmpty else { return "<p>无。</p>" }
        var html = "<table><tr>" + table.header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
        for row in table.rows {
            html += "<tr>" + row.enumerated().map { column, text in
                column < table.nameColumns ? "<td class=\"name\">\(escape(text))</td>" : "<td>\(escape(text))</td>"
            }.joined() + "</tr>"
        }
        return html + "</table>"
    }

    /// Horizontal bars, one per category (all ten, in the form's order).
    func chart(_ rows: [(name: String, count: Int)]) -> String {
        let maximum = max(rows.map(\.1).max() ?? 0, 1)
        let barHeight = 22, labelWidth = 110, width = 560
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(rows.count * barHeight + 10)\" role=\"img\" aria-label=\"诉求类别分布\">"
        for (index, (name, count)) in rows.enumerated() {
            let y = index * barHeight + 5
            let length = count * (width - labelWidth - 50) / maximum
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 15)\" text-anchor=\"end\" font-size=\"13\">\(escape(name))</text>"
                + "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(length)\" height=\"\(barHeight - 6)\" fill=\"#4a7fb5\"/>"
                + "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 15)\" font-size=\"13\">\(count)</text>"
        }
        return svg + "</svg>"
    }

    private func percent(_ rate: Rate?) -> String { rate?.printed ?? "—" }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
