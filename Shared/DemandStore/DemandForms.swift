import DemandDomain
import InputValidation
import OfficeDocuments
import Tenancy

/// The seeds' forms filled from a demand (003, 附件 and art. 17): 企业反映困难问题登记表, kept by the
/// tier that registered the demand; 企业反映困难问题转报单, the county's escalation to the city; and
/// the lead unit's reply with its class A/B/C. As Word documents in the forms' layout, with the
/// leader's signature and the stamp left to be added by hand. (The dispatch slip is handling's:
/// `DispatchSlip`.)
public enum DemandForms {
    /// 登记表, once the demand is registered (approved by its cadre, or received from below).
    public static func registrationForm(_ view: DemandView) -> WordDocument? {
        guard let content = view.content, let number = view.registrationNumber,
            let registered = view.history.first(where: { $0.kind == .approve || $0.kind == .receiveEscalation })
        else { return nil }
        let raised = content.raisedOn ?? CivilDate(view.history.first?.at ?? registered.at)
        let rows: [[Cell]] = [
            [.label("企业基本情况", rowSpan: .starts), .label("企业名称"), Cell(content.enterprise.name, columns: 3)],
            [.continued, .label("详细地址"), Cell(content.enterprise.address, columns: 3)],
            [.continued, .label("反映时间"), Cell(raised.chineseText), .label("反映形式"), Cell(content.channel.chineseName)],
            [.continued, .label("联系人"), Cell(content.contact.name), .label("职 务"), Cell(content.contact.title)],
            [.continued, .label("联系电话"), Cell(content.contact.phone.text), .label("电子邮箱"), Cell(content.contact.email ?? "")],
            [.label("企业反映问题", rowSpan: .starts), .label("主要困难和问题"), Cell(content.difficulty, columns: 3)],
            [.continued, .label("希望协调解决的具体事项"), Cell(content.helpWanted, columns: 3)],
            [.label("受理情况"), .label("受理时间"), Cell(CivilDate(registered.at).chineseText), .label("受理人员"),
             Cell(registered.actor.name ?? "")],
            [.label("备注"), Cell(remarks(view, content), columns: 4)],
        ]
        return WordDocument([
            .title("企业反映困难问题登记表"),
            .line("问题类别：\(content.category.chineseName)"),
            .line("登记编号：\(number)"),
            .table(table(rows, tall: [5: 2000, 6: 1700, 8: 900])),
            .note("注：1. 问题类别按政策执行、合同履行、用地审批、用电保障、融资服务、人才服务、招工用工、项目推动、软环境建设、其它进行分类；\n"
                + "2. 登记编号统一用：XX服企办收（20XX）第XX号；\n3. 反映形式为来电反映、电子邮件、来人来函等。"),
        ])
    }

    /// 转报单, once the demand has been escalated to the parent tier.
    public static func escalationSlip(_ view: DemandView, tree: TenantTree) -> WordDocument? {
        guard let content = view.content, let escalation = view.escalation,
            let escalated = view.history.last(where: { $0.kind == .escalate })
        else { return nil }
        let rows: [[Cell]] = [
            [.label("转报事项", rowSpan: .starts), .label("需要帮助协调解决事项"), Cell(content.helpWanted, columns: 3)],
            [.continued, .label("反映企业"), Cell(content.enterprise.name, columns: 3)],
            [.continued, .label("企业地址"), Cell(content.enterprise.address, columns: 3)],
            [.continued, .label("联系人"), Cell(content.contact.name), .label("联系电话"), Cell(content.contact.phone.text)],
            [.label("办理建议"), Cell(escalation.suggestion, columns: 4)],
            [.label("签报情况"), .label("签批领导"), Cell(escalation.approval?.slipText ?? ""), .label("转报日期"), Cell(CivilDate(escalated.at).chineseText)],
            [.label("备注"), Cell(remarks(view, content), columns: 4)],
        ]
        return WordDocument([
            .title("企业反映困难问题转报单"),
            .line("转报单位（盖章）：\(tree[view.tenant]?.name ?? view.tenant.rawValue)"),
            .line("转报编号：\(escalation.number)"),
            .table(table(rows, tall: [0: 1700, 4: 1700, 5: 900, 6: 1200])),
            .note("注：1. 转报编号统一用：XX服企办报（20XX）第XX号；\n"
                + "2. 向市级转报《企业反映困难问题转报单》时，必须附县（区）服务企业发展领导小组领导的批示笺和《企业反映困难问题登记表》。"),
        ])
    }

    /// 办理情况回复单: the lead unit's answer with its class A/B/C (003 art. 17), to be reviewed and
    /// signed by the unit's main leader before it goes to the office; once a result is submitted.
    public static func replyForm(_ view: DemandView) -> WordDocument? {
        guard let content = view.content, let assignment = view.assignment, let result = view.lastResult,
            let answered = view.history.last(where: { $0.kind == .submitResult })
        else { return nil }
        var outcome: [[Cell]] = [
            [.label("结果类别"), Cell(result.resultClass.chineseName, columns: 3)],
            [.label("答复内容"), Cell(result.answer, columns: 3)],
        ]
        if let plan = result.plan {
            let by = result.plannedCompletion.map { "（计划\($0.chineseText)前解决）" } ?? ""
            outcome.append([.label("解决措施及时限"), Cell(plan + by, columns: 3)])
        }
        if let explanation = result.explanation { outcome.append([.label("原因说明"), Cell(explanation, columns: 3)]) }
        let rows: [[Cell]] = [
            [.label("办理事项", rowSpan: .starts), .label("登记编号"), Cell(view.registrationNumber ?? ""), .label("交办编号"),
             Cell(assignment.number.description)],
            [.continued, .label("反映企业"), Cell(content.enterprise.name, columns: 3)],
            [.continued, .label("需要办理或协调解决事项"), Cell(content.helpWanted, columns: 3)],
        ] + outcome.enumerated().map { index, row in [.label(index == 0 ? "办理结果" : "", rowSpan: index == 0 ? .starts : .continues)] + row }
            + [
                [.label("承办情况", rowSpan: .starts), .label("牵头办理部门"), Cell(assignment.leadUnit.name), .label("答复日期"),
                 Cell(CivilDate(answered.at).chineseText)],
                [.continued, .label("主要领导审核"), Cell(result.reviewedBy ?? ""), .label("承办人"), Cell(view.signature?.handler ?? answered.actor.name ?? "")],
            ]
        let answerRow = 4
        return WordDocument([
            .title("企业反映困难问题办理情况回复单"),
            .line("承办单位（盖章）：\(assignment.leadUnit.name)"),
            .table(table(rows, tall: [2: 900, answerRow: 2400, rows.count - 1: 900])),
            .note("注：办理结果用A、B、C三类标注：A类为已经解决或基本解决，B类为正在解决或列入规划逐步解决，"
                + "C类为目前条件限制或其他原因需以后解决。办理结果经主要领导审核后报送服务企业发展领导小组办公室。"),
        ])
    }

    /// 催办函: the office's numbered letter to the lead unit of an overdue demand (003 art. 18), once
    /// one was sent. `issuer` is the urging tier's name.
    public static func urgeLetter(_ view: DemandView, issuer: String) -> WordDocument? {
        guard let content = view.content, let assignment = view.assignment, let letter = view.lastUrge,
            let urged = view.history.last(where: { $0.kind == .urge })
        else { return nil }
        let overdue = view.deadlines.first { $0.status == "overdue" }
        let lateness = overdue.flatMap { deadline in
            deadline.dueAt.map { "\(deadline.stepName)时限已于\(CivilDate.lastDay(before: $0).chineseText)届满" + (deadline.overdueWorkingDays.map { "，已超期\($0)个工作日" } ?? "") }
        } ?? "已超过规定的办理时限"
        let numbers = [view.registrationNumber.map { "登记编号\($0)" }, "交办编号\(assignment.number)"].compactMap { $0 }
        return WordDocument([
            .title("催办函"),
            .subtitle(letter.number?.description ?? ""),
            .line("\(assignment.leadUnit.name)："),
            .paragraph("贵单位牵头办理的\(content.enterprise.name)反映的“\(content.helpWanted)”"
                + "（\(numbers.joined(separator: "，"))），\(lateness)。请贵单位高度重视，主要领导亲自过问，"
                + "加快办理，尽快将办理结果答复企业，并登录平台报送办理情况。"),
            .paragraph("催办事项：\(letter.note)"),
            .paragraph("这是本诉求的第\(view.urgeCount)次催办。"),
            .closing("\(issuer)服务企业发展领导小组办公室\n\(CivilDate(urged.at).chineseText)"),
        ])
    }

    public typealias Cell = WordDocument.Cell

    /// The five columns of the seeds' forms: group, label, value, label, value.
    public static func table(_ rows: [[Cell]], tall: [Int: Int]) -> WordDocument.Table {
        let columns = [1000, 2100, 2400, 1250]
        return WordDocument.Table(
            columnWidths: columns + [WordDocument([]).textWidth - columns.reduce(0, +)], rows: rows, minimumHeights: tall)
    }

    private static func remarks(_ view: DemandView, _ content: DemandContent) -> String {
        var lines = ["统一社会信用代码：\(content.enterprise.creditCode.rawValue)", "所属行业组：\(content.industryGroup.chineseName)"]
        if let number = view.registrationNumber, view.escalation != nil { lines.insert("登记编号：\(number)", at: 0) }
        if let unit = content.suggestedUnit { lines.append("建议承办单位：\(unit)") }
        if let remarks = content.remarks { lines.append(remarks) }
        return lines.joined(separator: "\n")
    }
}

extension WordDocument.Cell {
    /// The lower part of a group label that spans rows.
    public static let continued = WordDocument.Cell.label("", rowSpan: .continues)
}
