import DemandDomain
import Foundation
import InputValidation
import PlatformAPI
import Tenancy

/// What a demand's page shows: where it is now and who must act, its deadlines with their lights,
/// what the enterprise asked, the answer and rating, its timeline, and the forms the person may use.
struct DemandPresenter {
    let demand: DemandSnapshot
    let role: Role
    /// The person's unit, for the forms of a lead or cooperating unit.
    let unitID: String?
    /// The state of dispatch's own record, when the page was read from dispatch: a demand a unit
    /// returned shows as waiting for dispatch (handling's copy) a moment before its record reaches
    /// dispatch, which alone can route or refuse it then.
    let dispatchRecordState: DemandState?
    let rules: TierRules
    /// The person's tier: an office supervises demands of its own tier and the tiers below.
    let viewerTier: TenantID
    /// The page's own address, where a form on another copy of the demand comes back to.
    let pagePath: String

    /// 责任领导 and 经办人 as the lead unit named them when signing.
    var responsibleText: String {
        guard let signature = demand.signature else { return "" }
        return [signature.responsibleLeader.map { "责任领导：\($0)" }, signature.handler.map { "经办人：\($0)" }]
            .compactMap { $0 }.joined(separator: "，")
    }

    var fields: [String: Any] {
        let location = demand.location
        let state = demand.state ?? location.state
        let id = demand.id.uuidString.lowercased()
        var fields: [String: Any] = [
            "id": id,
            "number": demand.registrationNumber ?? "（未编号）",
            "stateName": location.stateName,
            "where": location.tenantName ?? location.tenant,
            "holder": location.holder ?? (location.state == .closed ? "已办结" : "—"),
            "deadlines": deadlines,
            "hasDeadlines": !demand.deadlines.isEmpty,
            "history": history,
        ]
        if let merger = demand.merger {
            // Merged: the demand it joined answers both, and this one shows where that one is.
            fields["stateName"] = DemandState.merged.chineseName
            fields["merger"] = [
                "number": merger.intoRegistrationNumber ?? "（未编号）", "reason": merger.reason,
                "link": "/demands/\(merger.intoDemandID.uuidString.lowercased())",
                "joinedState": location.stateName, "joinedHolder": location.holder ?? "—",
            ]
        } else if location.demandID != demand.id {
            // Escalated: the demand lives on as the parent tier's copy, with its own number.
            fields["elsewhere"] = ["tier": location.tenantName ?? location.tenant, "number": location.registrationNumber ?? ""]
        }
        if let content = demand.content {
            fields["content"] = [
                "enterprise": content.enterprise.name,
                "creditCode": content.enterprise.creditCode.rawValue,
                "contact": "\(content.contact.name)（\(content.contact.title)）",
                "phone": content.contact.phone.text,
                "category": content.category.chineseName,
                "industryGroup": content.industryGroup.chineseName,
                "difficulty": content.difficulty,
                "helpWanted": content.helpWanted,
                "suggestedUnit": content.suggestedUnit ?? "",
            ]
        }
        if let assignment = demand.assignment {
            fields["assignment"] = [
                "number": assignment.number, "lead": assignment.leadUnit.name,
                "cooperating": assignment.cooperatingUnits.map(\.name).joined(separator: "、"),
                "responsible": responsibleText,
            ]
        }
        fields["hasOpinions"] = !(demand.opinions ?? []).isEmpty
        fields["opinions"] = (demand.opinions ?? []).map { opinion in
            ["unit": opinion.unit?.name ?? "配合单位", "text": opinion.text, "at": CivilDate.shanghaiText(opinion.at), "by": opinion.by ?? ""]
        }
        if let result = demand.lastResult {
            fields["result"] = [
                "className": result.resultClass.chineseName, "answer": result.answer, "plan": result.plan ?? "",
                "plannedCompletion": result.plannedCompletion?.description ?? "", "explanation": result.explanation ?? "",
                "completion": demand.completion?.text ?? "", "awaitsCompletion": demand.awaitsCompletion == true,
            ]
        }
        let verdict = demand.history.last { $0.kind == DemandAction.Kind.rate.rawValue || $0.kind == DemandAction.Kind.closeUnrated.rawValue }
        if verdict?.kind == DemandAction.Kind.closeUnrated.rawValue {
            fields["rating"] = ["verdict": "未评价", "comment": "企业未在规定的工作日内评价，按未评价办结"] as [String: Any]
        } else if let rating = demand.lastRating {
            fields["rating"] = ["verdict": rating.satisfied ? "满意" : "不满意", "comment": rating.comment ?? ""] as [String: Any]
        }
        if let refusal = demand.refusal {
            fields["refusal"] = ["ground": refusal.ground.chineseName, "explanation": refusal.explanation]
        }
        let arriving = state == .awaitingDispatch && dispatchRecordState != .awaitingDispatch
            && (role == .dispatcher || role == .office)
        let routable = state == .awaitingDispatch && !arriving
        fields["arriving"] = arriving
        fields["canRefuse"] = role == .office && (state == .awaitingReview || routable) && demand.origin == nil
        fields["waitingFor"] = state.rawValue
        fields["refusalGrounds"] = RefusalGround.allCases.map { ["value": $0.rawValue, "label": $0.chineseName] }
        let tier = TenantID(validating: demand.tenant)
        fields["canReview"] = role == .cadre && state == .awaitingReview
        fields["canResubmit"] = role == .enterprise && state == .returnedToEnterprise
        if state == .returnedToEnterprise { fields["sendBackReason"] = demand.history.last { $0.kind == "sendBack" }?.words }
        fields["canDispatch"] = role == .dispatcher && routable
        fields["canMerge"] = (role == .dispatcher || role == .office) && routable
        fields["canEscalate"] = role == .dispatcher && routable && tier.flatMap { rules.tree[$0]?.parent } != nil
        let working = state == .inProgress || state == .underSupervision
        fields["canSign"] = role.actsForUnit && state == .awaitingSignature
        fields["canAnswer"] = role.actsForUnit && working && unitID == demand.assignment?.leadUnit.id
        let cooperating = demand.assignment?.cooperatingUnits.contains { $0.id == unitID } == true
        fields["canGiveOpinion"] = role.actsForUnit && cooperating && (working || state == .awaitingSignature)
        if let tier, rules.procedure(for: tier).leadersApproveRouting {
            // 003 art. 12–14: the office records the leader's approval from the 批示笺.
            func approval(_ prefix: String, _ rule: String, _ levels: [LeaderApproval.Level]) -> [String: Any] {
                ["prefix": prefix, "rule": rule, "levels": levels.map { ["value": $0.rawValue, "label": $0.chineseName] }]
            }
            fields["dispatchApproval"] = approval("dispatch", "单一部门由办公室主任及以上审批，多个部门或复杂事项由分管副组长、组长或专题会议审批",
                LeaderApproval.Level.allCases)
            fields["escalationApproval"] = approval("escalate", "转报须经组长或专题会议审批", [.head, .specialMeeting])
        }
        fields["resultReviewRequired"] = tier.map { rules.procedure(for: $0).resultReviewedByMainLeader } ?? false
        fields["signNamesRequired"] = tier.map { rules.procedure(for: $0).signatureNamesResponsible } ?? false
        fields["isPaused"] = demand.clockPausedSince != nil
        // A class-B plan carried out: the lead unit reports it (the demand may be closed by then).
        fields["canReportCompletion"] = role.actsForUnit && unitID == demand.assignment?.leadUnit.id && demand.awaitsCompletion == true
        fields["canRequestExtension"] = role.actsForUnit && working && demand.pendingExtension == nil
        fields["hasSlip"] = demand.assignment != nil
        // The tier office's forms: kept by its dispatcher and office (and the cadre who registered it).
        let keepsForms = role == .dispatcher || role == .office || role == .cadre
        fields["registrationForm"] = keepsForms && demand.registrationNumber != nil
            ? "/demands/\(demand.id.uuidString.lowercased())/forms/registration?tier=\(demand.tenant)" : ""
        fields["escalationSlip"] = keepsForms && role != .cadre && demand.escalation != nil
            ? "/demands/\(demand.id.uuidString.lowercased())/forms/escalation?tier=\(demand.tenant)" : ""
        fields["replyForm"] = (role.actsForUnit || role == .office) && demand.lastResult != nil
            ? "/demands/\(demand.id.uuidString.lowercased())/forms/reply" : ""
        if let request = demand.pendingExtension {
            fields["pendingExtension"] = ["days": request.days, "reason": request.reason] as [String: Any]
            fields["canDecideExtension"] = role == .office
        }
        fields.merge(supervisionFields(state: state, tier: tier)) { $1 }
        fields.merge(closureFields(state: state)) { $1 }
        fields["pagePath"] = pagePath
        if role == .enterprise, location.state == .awaitingRating {
            fields["rate"] = ["target": location.demandID.uuidString.lowercased(), "returnTo": pagePath]
        }
        return fields
    }

    /// The office's supervision ladder (003 art. 18; 001 §4.4, §4.6): urge letters, 挂牌督办, the
    /// answer sent back for another, follow-ups, 约谈 and 集中会办; the letter and the meetings'
    /// decisions for everyone who reads the demand.
    func supervisionFields(state: DemandState, tier: TenantID?) -> [String: Any] {
        let id = demand.id.uuidString.lowercased()
        let supervises = role == .office && tier.map { rules.policy.supervisingTenants(of: $0).contains(viewerTier) } == true
        let open = [DemandState.awaitingSignature, .inProgress, .underSupervision].contains(state)
        var fields: [String: Any] = [
            // An urge letter is for a demand that is overdue (handling refuses it otherwise).
            "canUrge": supervises && open && demand.deadlines.contains { $0.status == "overdue" },
            "urgeCount": demand.urgeCount ?? 0,
            "canFlag": supervises && (open || state == .awaitingRating) && demand.flag == nil,
            "canSuperviseAnswer": supervises && state == .awaitingRating,
            "canFollowUp": supervises && (open || state == .awaitingRating || state == .awaitingClosureAgreement || state == .closed),
            "canRecordMeeting": supervises && open,
            "followUpWays": FollowUpWay.allCases.map { ["value": $0.rawValue, "label": $0.chineseName] },
            "meetingKinds": SupervisionMeetingKind.allCases.map { ["value": $0.rawValue, "label": $0.chineseName] },
            "lastFollowUp": demand.lastFollowUpAt.map(CivilDate.shanghaiText) ?? "",
            "hasMeetings": !(demand.meetings ?? []).isEmpty,
            "meetings": (demand.meetings ?? []).map { meeting in
                [
                    "kind": meeting.kind.chineseName, "heldOn": meeting.heldOn.chineseText, "attendees": meeting.attendees,
                    "decision": meeting.decision, "dueOn": meeting.dueOn?.chineseText ?? "",
                ]
            },
        ]
        if let flag = demand.flag { fields["flag"] = ["reason": flag.reason, "closed": state == .closed] as [String: Any] }
        let readsLetter = role == .office || role == .inspector || role.actsForUnit
        fields["urgeLetter"] = readsLetter && demand.lastUrge != nil ? "/demands/\(id)/forms/urge-letter" : ""
        fields["urgeLetterNumber"] = demand.lastUrge?.number?.description ?? ""
        return fields
    }

    /// The pairing leader's agreement before 销号 (Fuyuan, 001 §4.2(2)): the office of the demand's
    /// tier records it; everyone who reads the demand sees the leader's word.
    func closureFields(state: DemandState) -> [String: Any] {
        var fields: [String: Any] = [
            "canDecideClosure": role == .office && viewerTier.rawValue == demand.tenant && state == .awaitingClosureAgreement,
            "today": CivilDate(Date()).description,
        ]
        if let decision = demand.closureDecision {
            fields["closureDecision"] = [
                "leader": decision.leader, "decidedOn": decision.decidedOn.chineseText,
                "verdict": decision.agreed ? "同意销号" : "不同意销号", "agreed": decision.agreed, "comment": decision.comment ?? "",
            ] as [String: Any]
        }
        return fields
    }

    var deadlines: [[String: Any]] {
        demand.deadlines.map { deadline in
            let statusName: String
            switch deadline.status {
            case "overdue": statusName = "已超期\(deadline.overdueWorkingDays.map { "\($0)个工作日" } ?? "")"
            case "dueSoon": statusName = "即将到期"
            case "paused": statusName = "暂停计时"
            default: statusName = "正常"
            }
            return [
                "step": deadline.stepName, "due": deadline.dueAt.map(CivilDate.deadlineText) ?? "暂停计时",
                "statusName": statusName, "light": deadline.status,
            ]
        }
    }

    /// The actor's role as their own tier names it.
    func roleName(_ actor: DemandSnapshot.ActorInfo) -> String {
        let tier = TenantID(validating: actor.tenant)
        return tier.map { actor.role.chineseName(in: rules.procedure(for: $0)) } ?? actor.role.chineseName
    }

    var history: [[String: Any]] {
        demand.history.reversed().map { entry in
            [
                "time": CivilDate.shanghaiText(entry.at), "kindName": entry.kindName,
                "actor": "\(entry.actor.name ?? entry.actor.id)（\(roleName(entry.actor))）",
                "stateName": entry.to.chineseName, "words": entry.words ?? "",
            ]
        }
    }
}
