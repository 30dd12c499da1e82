import DemandDomain
import Foundation

/// 企业诉求办理情况通报: the monthly briefing a tier office circulates (003 art. 19), as one HTML
/// page: headline figures, the tiers side by side, a table by unit, the overdue and unsatisfied
/// lists, and a bar chart of the month's demands by category (inline SVG).
struct Briefing {
    var tierName: String
    var report: FiguresReport
    var units: [Figures]
    var overdue: [ReportingWorkflow.OverdueItem]
    var unsatisfied: [ReportingWorkflow.UnsatisfiedItem]
    var generatedAt: Date

    func html() -> String {
        let headline = report.total ?? report.tiers.first
        var page = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;padding:4px 8px;text-align:right}
            th{background:#eee}td.name{text-align:left}h1{font-size:1.5em}</style></head><body>
            <h1>\(escape(title))</h1>
            <p>统计期间：\(report.period.from)至\(report.period.to)。生成时间：\(CivilDate.shanghaiText(generatedAt))。</p>
            """
        if let figures = headline {
            page += """
                <h2>一、总体情况</h2>
                <p>本期共受理企业诉求\(figures.received)件（其中收到下级转报\(figures.escalatedIn)件），向上级转报\(figures.escalated)件；
                承办单位签收\(figures.steps["sign"]?.completed ?? 0)件，接收问题及时率\(percent(figures.onTimeReceiptRate))；
                提交办理结果\(figures.steps["result"]?.completed ?? 0)件（A类\(figures.results["A"] ?? 0)件、B类\(figures.results["B"] ?? 0)件、C类\(figures.results["C"] ?? 0)件），
                答复及时率\(percent(figures.steps["result"]?.onTimeRate))；办结率\(percent(figures.completionRate))；
                企业评价满意\(figures.satisfied)件、不满意\(figures.unsatisfied)件，满意率\(percent(figures.satisfactionRate))；
                目前超期\(figures.overdueNow)件。</p>
                """
        }
        page += "<h2>二、各地区情况</h2>" + table(report.tiers + (report.total.map { [$0] } ?? []))
        page += "<h2>三、各承办单位情况</h2>" + table(units)
        page += "<h2>四、超期诉求</h2>" + overdueTable()
        page += "<h2>五、企业不满意诉求</h2>" + unsatisfiedTable()
        page += "<h2>六、诉求类别分布</h2>" + chart(headline?.byCategory ?? [:])
        return page + "</body></html>\n"
    }

    var title: String { "\(tierName)企业诉求办理情况通报（\(report.period.label)）" }

    private func table(_ rows: [Figures]) -> String {
        var html = "<table><tr><th>名称</th><th>受理</th><th>签收</th><th>接收及时率</th><th>办结答复</th><th>答复及时率</th>"
            + "<th>A/B/C</th><th>满意率</th><th>办结率</th><th>超期</th></tr>"
        for row in rows {
            html += "<tr><td class=\"name\">\(escape(row.name))</td><td>\(row.received)</td>"
                + "<td>\(row.steps["sign"]?.completed ?? 0)</td><td>\(percent(row.onTimeReceiptRate))</td>"
                + "<td>\(row.steps["result"]?.completed ?? 0)</td><td>\(percent(row.steps["result"]?.onTimeRate))</td>"
                + "<td>\(row.results["A"] ?? 0)/\(row.results["B"] ?? 0)/\(row.results["C"] ?? 0)</td>"
                + "<td>\(percent(row.satisfactionRate))</td><td>\(percent(row.completionRate))</td><td>\(row.overdueNow)</td></tr>"
        }
        return html + "</table>"
    }

    private func overdueTable() -> String {
        guard !overdue.isEmpty else { return "<p>无。</p>" }
        var html = "<table><tr><th>登记编号</th><th>企业</th><th>牵头单位</th><th>环节</th><th>时限</th><th>超期工作日</th></tr>"
        for item in overdue {
            html += "<tr><td class=\"name\">\(escape(item.registrationNumber ?? ""))</td><td class=\"name\">\(escape(item.enterprise ?? ""))</td>"
                + "<td class=\"name\">\(escape(item.leadUnit ?? ""))</td><td>\(escape(item.step ?? ""))</td>"
                + "<td>\(CivilDate.deadlineText(item.dueAt))</td><td>\(item.overdueWorkingDays.map(String.init) ?? "")</td></tr>"
        }
        return html + "</table>"
    }

    private func unsatisfiedTable() -> String {
        guard !unsatisfied.isEmpty else { return "<p>无。</p>" }
        var html = "<table><tr><th>登记编号</th><th>企业</th><th>牵头单位</th><th>意见</th><th>评价时间</th></tr>"
        for item in unsatisfied {
            html += "<tr><td class=\"name\">\(escape(item.registrationNumber ?? ""))</td><td class=\"name\">\(escape(item.enterprise ?? ""))</td>"
                + "<td class=\"name\">\(escape(item.leadUnit ?? ""))</td><td class=\"name\">\(escape(item.comment ?? ""))</td>"
                + "<td>\(CivilDate.shanghaiText(item.ratedAt))</td></tr>"
        }
        return html + "</table>"
    }

    /// Horizontal bars, one per category (all ten, in the form's order).
    func chart(_ counts: [String: Int]) -> String {
        let rows = DemandCategory.allCases.map { ($0.chineseName, counts[$0.rawValue] ?? 0) }
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

    private func percent(_ rate: Rate?) -> String {
        rate?.value.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
