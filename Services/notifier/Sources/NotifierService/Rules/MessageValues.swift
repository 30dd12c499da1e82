import DemandDomain
import Foundation
import InputValidation
import PlatformEvents
import Tenancy

/// The values an SMS template's placeholders are filled with, for one event.
///
/// Besides the demand's names and numbers, some say what an action did, in the words the
/// enterprise and the cadre need: how an answer stands (办结, or class B with its planned date, or
/// re-answered after supervision), what became of an extension request, why a demand closed.
struct MessageValues {
    let tierRules: TierRules

    func values(
        demand: DemandSummary,
        transition: Transition?,
        openDeadlines: [StepDeadline],
        alert: DeadlineAlertEvent?
    ) -> [String: String] {
        var values = tierValues(demand.tenant)
        values.merge([
            "enterprise": demand.enterpriseName ?? "", "number": demand.registrationNumber?.description ?? "",
            "unit": demand.leadUnit?.name ?? "",
            "ratingDays": String(tierRules.procedure(for: demand.tenant).ratingDays),
            "originTier": demand.origin.flatMap { tierRules.tree[$0.tenant]?.name } ?? "",
        ]) { $1 }
        if let transition {
            values.merge(Self.actionValues(transition, openDeadlines: openDeadlines)) { $1 }
            values["actorUnit"] = demand.cooperatingUnits.first { $0.id == transition.actor.unitID }?.name ?? ""
        }
        if let alert {
            values["step"] = alert.step.chineseName
            values["due"] = CivilDate.deadlineText(alert.dueAt)
            values["dueDay"] = CivilDate.lastDay(before: alert.dueAt).chineseText
            values["overdueDays"] = alert.overdueWorkingDays.map(String.init) ?? ""
        }
        return values
    }

    /// The tier's signature, platform name and name, which every text may use.
    func tierValues(_ tenant: TenantID) -> [String: String] {
        let tier = tierRules.tree[tenant]
        return ["signature": tier?.smsSignature ?? "", "platform": tier?.platformName ?? "", "tier": tier?.name ?? ""]
    }

    /// 「2家企业尚未登记走访、1家企业尚未填报经营状况」, leaving out what is done.
    /// The forms a returns reminder names: `《A》`, `《A》《B》`, or `《A》等3张表单`.
    static func formList(_ titles: [String]) -> String {
        titles.count <= 2 ? titles.map { "《\($0)》" }.joined() : "《\(titles[0])》等\(titles.count)张表单"
    }

    static func pendingDuties(withoutContact: Int, withoutStatus: Int) -> String {
        var parts: [String] = []
        if withoutContact > 0 { parts.append("\(withoutContact)家企业尚未登记走访") }
        if withoutStatus > 0 { parts.append("\(withoutStatus)家企业尚未填报经营状况") }
        return parts.isEmpty ? "本月工作已完成" : parts.joined(separator: "、")
    }

    static func actionValues(_ transition: Transition, openDeadlines: [StepDeadline]) -> [String: String] {
        switch transition.action {
        case .sendBack(let sendBack): ["reason": sendBack.reason]
        case .returnNotOurRemit(let remit): ["reason": remit.reason]
        case .pauseClock(let pause): ["reason": pause.reason]
        case .refuse(let refusal): ["reason": "\(refusal.ground.chineseName)。\(refusal.explanation)"]
        case .merge(let merger): ["mergedInto": merger.intoRegistrationNumber?.description ?? ""]
        case .submitResult(let result): ["answer": answer(result, afterSupervision: transition.from == .underSupervision)]
        case .decideExtension(let decision):
            ["decision": self.decision(decision, resultDue: openDeadlines.first { $0.step == .result }?.dueAt)]
        case .closeUnrated: ["closure": "（企业逾期未评价）"]
        case .decideClosure(let decision): ["closure": "（经包联领导\(decision.leader)同意）", "reason": decision.comment ?? ""]
        case .urge(let letter): ["letter": letter.number?.description ?? ""]
        case .flagSupervision(let flag): ["reason": flag.reason]
        case .superviseAnswer(let supervision): ["reason": supervision.reason]
        case .recordFollowUp(let followUp): ["note": followUp.note]
        case .reportCompletion(let report): ["note": report.text]
        case .recordMeeting(let meeting):
            ["meeting": meeting.kind.chineseName, "note": meeting.decision,
             "meetingDue": meeting.dueOn.map { "，请于\($0.chineseText)前落实" } ?? ""]
        default: [:]
        }
    }

    /// How an answer stands, after "您提交的诉求".
    static func answer(_ result: ResultReport, afterSupervision: Bool) -> String {
        let done = afterSupervision ? "经专项督办已重新" : "已"
        switch result.resultClass {
        case .a: return done + "办结"
        case .b: return done + "答复，正在解决中" + (result.plannedCompletion.map { "，计划于\($0.chineseText)前解决" } ?? "")
        case .c: return done + "答复，暂不具备解决条件，原因见答复"
        }
    }

    /// What became of an extension request, after "延期申请".
    static func decision(_ decision: ExtensionDecision, resultDue: Date?) -> String {
        guard decision.granted else { return "未获同意，请按原时限办结" }
        let due = resultDue.map { "，办理时限延至\(CivilDate.lastDay(before: $0).chineseText)" } ?? ""
        return "已同意，延期\(decision.days)个工作日" + due
    }
}
