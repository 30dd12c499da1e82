import Foundation
import InputValidation
import Tenancy

/// The rules of the lifecycle: which action leads where, and who may take it.
///
/// ```
/// (new) ─submit─▶ awaitingReview ─approve─▶ awaitingDispatch ─dispatch─▶ awaitingSignature ─sign─▶ inProgress
///   │               │   ▲                     ▲  │    ▲                      │                    │  ▲
///   │          sendBack resubmit              │  │    └─returnNotOurRemit────┴────────────────────┘  │
///   │               ▼   │                     │  └─escalate─▶ escalated ─outcome(closed)─▶ closed  │
///   │          returnedToEnterprise           │                                                   │
///   ├─submit (direct, cadre, office)──────────┘            inProgress ─submitResult─▶ awaitingRating
///   └─receiveEscalation (parent tier)─────────┘        awaitingRating ─rate(satisfied)─▶ closed
///                                              awaitingRating ─closeUnrated (no rating in time)─▶ closed
///   (where the pairing leader agrees to closure: rate(satisfied), closeUnrated ─▶ awaitingClosureAgreement
///    ─decideClosure(agreed)─▶ closed, ─decideClosure(not agreed)─▶ underSupervision)
/// awaitingReview, awaitingDispatch ─refuse (office, out of scope: 003 art. 2)─▶ refused
///                                            awaitingDispatch ─merge (into a duplicate)─▶ merged
///                                              awaitingRating ─rate(unsatisfied)─▶ underSupervision
///                                              awaitingRating ─superviseAnswer (office)─▶ underSupervision
///                                              underSupervision ─submitResult─▶ awaitingRating
/// ```
/// Notes, clock pauses, extension requests and decisions, urge letters, 挂牌督办, follow-ups,
/// meetings and a class-B answer's completion report keep the state.
public enum DemandRules {
    /// The states an action may lead to from `state`; empty when the action is not allowed there.
    public static func targets(of action: DemandAction, from state: DemandState?, status: DemandStatus) -> Set<DemandState> {
        switch (action, state) {
        case (.submit, nil): [.awaitingReview, .awaitingDispatch]
        case (.receiveEscalation, nil): [.awaitingDispatch]
        case (.edit, .awaitingReview?): [.awaitingReview]
        case (.approve, .awaitingReview?): [.awaitingDispatch]
        case (.sendBack, .awaitingReview?): [.returnedToEnterprise]
        case (.resubmit, .returnedToEnterprise?): [.awaitingReview, .awaitingDispatch]
        case (.dispatch, .awaitingDispatch?): [.awaitingSignature]
        case (.escalate, .awaitingDispatch?): [.escalated]
        case (.refuse, .awaitingReview?), (.refuse, .awaitingDispatch?): [.refused]
        case (.merge, .awaitingDispatch?): [.merged]
        case (.sign, .awaitingSignature?): [.inProgress]
        case (.returnNotOurRemit, .awaitingSignature?), (.returnNotOurRemit, .inProgress?): [.awaitingDispatch]
        case (.addProgressNote, .inProgress?), (.addProgressNote, .underSupervision?): [state!]
        case (.submitOpinion, .awaitingSignature?), (.submitOpinion, .inProgress?), (.submitOpinion, .underSupervision?): [state!]
        case (.pauseClock, .inProgress?), (.pauseClock, .underSupervision?): status.clockPausedSince == nil ? [state!] : []
        case (.resumeClock, .inProgress?), (.resumeClock, .underSupervision?): status.clockPausedSince != nil ? [state!] : []
        case (.requestExtension, .inProgress?), (.requestExtension, .underSupervision?):
            status.pendingExtension == nil ? [state!] : []
        case (.decideExtension, .inProgress?), (.decideExtension, .underSupervision?):
            status.pendingExtension != nil ? [state!] : []
        case (.submitResult, .inProgress?), (.submitResult, .underSupervision?): [.awaitingRating]
        case (.rate(let rating), .awaitingRating?): rating.satisfied ? closingStates : [.underSupervision]
        case (.closeUnrated, .awaitingRating?): closingStates
        case (.decideClosure(let decision), .awaitingClosureAgreement?): [decision.agreed ? .closed : .underSupervision]
        case (.urge, .awaitingSignature?), (.urge, .inProgress?), (.urge, .underSupervision?): [state!]
        case (.flagSupervision, .awaitingSignature?), (.flagSupervision, .inProgress?), (.flagSupervision, .awaitingRating?),
            (.flagSupervision, .underSupervision?):
            status.flag == nil ? [state!] : []
        case (.superviseAnswer, .awaitingRating?): [.underSupervision]
        case (.recordFollowUp, .awaitingSignature?), (.recordFollowUp, .inProgress?), (.recordFollowUp, .awaitingRating?),
            (.recordFollowUp, .underSupervision?), (.recordFollowUp, .awaitingClosureAgreement?), (.recordFollowUp, .closed?):
            [state!]
        case (.recordMeeting, .awaitingSignature?), (.recordMeeting, .inProgress?), (.recordMeeting, .underSupervision?): [state!]
        case (.reportCompletion, .awaitingRating?), (.reportCompletion, .awaitingClosureAgreement?), (.reportCompletion, .closed?):
            status.awaitsCompletion ? [state!] : []
        case (.recordEscalationOutcome(let outcome), .escalated?): [outcome.isClosed ? .closed : .escalated]
        default: []
        }
    }

    /// Where an accepted or unrated answer leads: closed, or first to the pairing leader's agreement
    /// where the tier asks for it.
    private static let closingStates: Set<DemandState> = [.closed, .awaitingClosureAgreement]

    /// Checks an action against the demand and returns the state it leads to.
    static func check(
        _ action: DemandAction,
        by actor: Actor,
        demand: Demand,
        context: TransitionContext
    ) throws(TransitionError) -> DemandState {
        let status = demand.status
        let kind = action.kind
        if status.state != nil, kind == .submit || kind == .receiveEscalation { throw .alreadyCreated }
        let targets = targets(of: action, from: status.state, status: status)
        guard !targets.isEmpty else { throw .notAllowedInState(kind, status.state) }
        guard allowedRoles(for: kind).contains(actor.role) else { throw .roleNotAllowed(kind, actor.role) }
        try checkParty(action, actor: actor, demand: demand, context: context)
        try checkPayload(action, status: status, context: context)
        switch action {
        case .submit(let submission):
            return submissionRoute(actor: actor, enterprise: submission.enterprise, context: context)
        case .resubmit:
            guard let enterprise = status.enterprise else { throw .notAllowedInState(kind, status.state) }
            return submissionRoute(actor: actor, enterprise: enterprise, context: context)
        case _ where targets == closingStates:
            return context.closureNeedsPairingLeader ? .awaitingClosureAgreement : .closed
        default:
            // Every other action has exactly one target.
            return targets.first!
        }
    }

    /// Enterprises in the pairing program go through their cadre's review where the procedure has
    /// one; small enterprises outside it (000 Q29), cadres and offices go straight to dispatch.
    static func submissionRoute(actor: Actor, enterprise: EnterpriseParty, context: TransitionContext) -> DemandState {
        let needsReview = context.procedure.requiresCadreReview && enterprise.isInPairingProgram
            && actor.role == .enterprise
        return needsReview ? .awaitingReview : .awaitingDispatch
    }

    public static func allowedRoles(for kind: DemandAction.Kind) -> Set<Role> {
        switch kind {
        case .submit, .resubmit: [.enterprise, .cadre, .office]
        case .receiveEscalation, .recordEscalationOutcome, .closeUnrated: [.system]
        // The office reviews in place of a paired cadre who has left (the service checks they have).
        case .edit, .approve, .sendBack: [.cadre, .office]
        case .dispatch, .escalate, .merge: [.dispatcher, .office]
        case .sign, .addProgressNote, .submitOpinion, .pauseClock, .resumeClock, .requestExtension, .submitResult,
            .returnNotOurRemit, .reportCompletion:
            [.unitAdmin, .countyAdmin]
        case .decideExtension, .urge, .refuse, .flagSupervision, .superviseAnswer, .recordFollowUp, .recordMeeting,
            .decideClosure:
            [.office]
        case .rate: [.enterprise]
        }
    }

    private static func checkParty(
        _ action: DemandAction,
        actor: Actor,
        demand: Demand,
        context: TransitionContext
    ) throws(TransitionError) {
        let kind = action.kind
        let status = demand.status
        switch action {
        case .submit(let submission):
            try requireSubmitter(actor, enterprise: submission.enterprise, demandTenant: demand.tenant, kind: kind)
        case .resubmit:
            guard let enterprise = status.enterprise else { return }
            try requireSubmitter(actor, enterprise: enterprise, demandTenant: demand.tenant, kind: kind)
        case .edit, .approve, .sendBack:
            let officeOfTier = actor.role == .office && actor.tenant == demand.tenant
            guard actor.id == status.enterprise?.pairedCadreID || officeOfTier else {
                throw .notAParty(kind, "只有该企业的包联干部可以审核其诉求")
            }
        case .dispatch, .escalate, .merge:
            guard actor.tenant == demand.tenant else { throw .notAParty(kind, "只能分办本级的诉求") }
        case .sign, .pauseClock, .resumeClock, .requestExtension, .submitResult, .returnNotOurRemit, .reportCompletion:
            guard let lead = status.assignment?.leadUnit, actor.unitID == lead.id else {
                throw .notAParty(kind, "该诉求未分办给您的单位牵头办理")
            }
        case .addProgressNote:
            guard let assignment = status.assignment, let unit = actor.unitID,
                assignment.leadUnit.id == unit || assignment.cooperatingUnits.contains(where: { $0.id == unit })
            else { throw .notAParty(kind, "该诉求未分办给您的单位") }
        case .submitOpinion:
            guard let unit = actor.unitID, status.assignment?.cooperatingUnits.contains(where: { $0.id == unit }) == true else {
                throw .notAParty(kind, "只有配合单位可以提交配合意见")
            }
        case .decideExtension:
            guard actor.tenant == demand.tenant else { throw .notAParty(kind, "只有本级双千办可以审批延期") }
        case .refuse:
            guard actor.tenant == demand.tenant else { throw .notAParty(kind, "只有本级办公室可以决定不予受理") }
        case .decideClosure:
            guard actor.tenant == demand.tenant else { throw .notAParty(kind, "只有本级办公室可以记录包联领导的销号意见") }
        case .urge, .flagSupervision, .superviseAnswer, .recordFollowUp, .recordMeeting:
            guard context.supervisingTenants.contains(actor.tenant) else {
                throw .notAParty(kind, kind == .urge ? "只有本级或上级双千办可以催办" : "只有本级或上级双千办可以督办")
            }
        case .rate:
            guard actor.enterpriseID != nil, actor.enterpriseID == status.enterprise?.id else {
                throw .notAParty(kind, "只能评价本企业的诉求")
            }
        case .receiveEscalation, .recordEscalationOutcome, .closeUnrated:
            guard actor.tenant == demand.tenant else { throw .notAParty(kind, "平台只能代表本级接收") }
        }
    }

    private static func requireSubmitter(
        _ actor: Actor,
        enterprise: EnterpriseParty,
        demandTenant: TenantID,
        kind: DemandAction.Kind
    ) throws(TransitionError) {
        switch actor.role {
        case .enterprise:
            guard actor.enterpriseID == enterprise.id else { throw .notAParty(kind, "只能提交本企业的诉求") }
        case .cadre:
            guard actor.id == enterprise.pairedCadreID else { throw .notAParty(kind, "只能代包联企业提交诉求") }
        default:
            guard actor.tenant == demandTenant else { throw .notAParty(kind, "只能登记本级的诉求") }
        }
    }

    private static func checkPayload(
        _ action: DemandAction,
        status: DemandStatus,
        context: TransitionContext
    ) throws(TransitionError) {
        for (field, text) in freeTexts(of: action) where text.count > DemandForm.Limits.longText {
            throw .invalid(FieldIssue(code: "TEXT_TOO_LONG", field: field, message: "不能超过\(DemandForm.Limits.longText)个字"))
        }
        switch action {
        case .sendBack(let sendBack):
            try requireText(sendBack.reason, field: "reason", label: "退回理由")
        case .dispatch(let assignment):
            let cooperating = assignment.cooperatingUnits.map(\.id)
            if cooperating.contains(assignment.leadUnit.id) || Set(cooperating).count != cooperating.count {
                throw .invalid(FieldIssue(code: "INVALID_ASSIGNMENT", field: "cooperatingUnits",
                    message: "牵头单位只能有一个，配合单位不能与牵头单位重复"))
            }
            if context.procedure.leadersApproveRouting {
                let simple = cooperating.isEmpty && assignment.complexity == .singleDepartment
                try checkApproval(assignment.approval, allowed: simple ? Set(LeaderApproval.Level.allCases) : [.deputyHead, .head, .specialMeeting],
                    what: simple ? "交办" : "涉及多个部门或复杂事项的交办", context: context)
            }
        case .escalate(let slip):
            guard let parent = context.parentTier else {
                throw .invalid(FieldIssue(code: "NO_PARENT_TIER", field: "parent", message: "本级没有上级，不能转报"))
            }
            guard slip.parent == parent else {
                throw .invalid(FieldIssue(code: "INVALID_PARENT_TIER", field: "parent", message: "只能转报直接上级"))
            }
            try requireText(slip.suggestion, field: "suggestion", label: "办理建议")
            if context.procedure.leadersApproveRouting {
                try checkApproval(slip.approval, allowed: [.head, .specialMeeting], what: "转报", context: context)
            }
        case .addProgressNote(let note):
            try requireText(note.text, field: "text", label: "办理进展")
        case .submitOpinion(let opinion):
            try requireText(opinion.text, field: "text", label: "配合意见")
        case .refuse(let refusal):
            // Acceptance is decided where the enterprise raised the demand; a tier above answers
            // what a lower tier escalated.
            guard status.origin == nil else {
                throw .invalid(FieldIssue(code: "ESCALATED_DEMAND", field: "ground", message: "下级转报的诉求已经受理，不能不予受理"))
            }
            try requireText(refusal.explanation, field: "explanation", label: "不予受理的说明")
        case .merge(let merger):
            try requireText(merger.reason, field: "reason", label: "并单理由")
        case .sign(let signature) where context.procedure.signatureNamesResponsible:
            try requireText(signature.responsibleLeader ?? "", field: "responsibleLeader", label: "责任领导")
            try requireText(signature.handler ?? "", field: "handler", label: "具体经办人")
        case .pauseClock(let pause):
            try requireText(pause.reason, field: "reason", label: "暂停计时原因")
        case .requestExtension(let request):
            try requireText(request.reason, field: "reason", label: "延期理由")
            try checkExtension(days: request.days, majorMatter: request.majorMatter, context: context)
        case .decideExtension(let decision):
            if decision.granted {
                try checkExtension(days: decision.days, majorMatter: status.pendingExtension?.majorMatter == true, context: context)
            }
        case .submitResult(let result):
            try requireText(result.answer, field: "answer", label: "办理结果答复")
            if context.procedure.resultReviewedByMainLeader {
                try requireText(result.reviewedBy ?? "", field: "reviewedBy", label: "审核结果的单位主要领导")
            }
            switch result.resultClass {
            case .a:
                break
            case .b:
                guard let plan = result.plan, plan.trimmingWhitespace.hasVisibleCharacters, let planned = result.plannedCompletion
                else {
                    throw .invalid(FieldIssue(code: "MISSING_PLAN", field: "plan",
                        message: "B类结果须填写解决措施和计划完成时间"))
                }
                if let today = context.today, planned < today {
                    throw .invalid(FieldIssue(code: "PLANNED_DATE_PASSED", field: "plannedCompletion",
                        message: "计划完成时间不能早于今天"))
                }
            case .c:
                guard let explanation = result.explanation, explanation.trimmingWhitespace.hasVisibleCharacters else {
                    throw .invalid(FieldIssue(code: "MISSING_EXPLANATION", field: "explanation",
                        message: "C类结果须向企业说明原因"))
                }
            }
        case .returnNotOurRemit(let remitReturn):
            try requireText(remitReturn.reason, field: "reason", label: "退回理由")
            try requireText(remitReturn.suggestion, field: "suggestion", label: "建议承办单位")
        case .rate(let rating):
            if !rating.satisfied {
                try requireText(rating.comment ?? "", field: "comment", label: "不满意的原因")
            }
        case .decideClosure(let decision):
            try requireText(decision.leader, field: "leader", label: "包联领导")
            if !decision.agreed {
                try requireText(decision.comment ?? "", field: "comment", label: "不同意销号的意见")
            }
            if let today = context.today, decision.decidedOn > today {
                throw .invalid(FieldIssue(code: "INVALID_DATE", field: "decidedOn", message: "同意日期不能晚于今天"))
            }
        case .urge:
            guard context.currentStepOverdue else {
                throw .invalid(FieldIssue(code: "NOT_OVERDUE", field: "note", message: "该诉求尚未超期，无需催办"))
            }
        case .reportCompletion(let report):
            try requireText(report.text, field: "text", label: "完成情况")
        case .flagSupervision(let flag):
            try requireText(flag.reason, field: "reason", label: "挂牌督办事由")
        case .superviseAnswer(let supervision):
            try requireText(supervision.reason, field: "reason", label: "督办意见")
        case .recordFollowUp(let followUp):
            try requireText(followUp.note, field: "note", label: "跟踪情况")
        case .recordMeeting(let meeting):
            try requireText(meeting.attendees, field: "attendees", label: "参加人员")
            try requireText(meeting.decision, field: "decision", label: meeting.kind == .interview ? "约谈情况" : "会办决定")
            if let today = context.today {
                if meeting.heldOn > today {
                    throw .invalid(FieldIssue(code: "INVALID_DATE", field: "heldOn", message: "召开日期不能晚于今天"))
                }
                if let due = meeting.dueOn, due < today {
                    throw .invalid(FieldIssue(code: "INVALID_DATE", field: "dueOn", message: "办结期限不能早于今天"))
                }
            }
        case .submit, .receiveEscalation, .edit, .approve, .resubmit, .sign, .resumeClock, .closeUnrated,
            .recordEscalationOutcome:
            break
        }
    }

    /// Every free text an action carries, by field, optional ones included (the demand's own content
    /// is checked by its form).
    static func freeTexts(of action: DemandAction) -> [(field: String, text: String)] {
        let texts: [(String, String?)] =
            switch action {
            case .sendBack(let value): [("reason", value.reason)]
            case .approve(let value): [("comment", value.comment)]
            case .edit(let value), .resubmit(let value): [("note", value.note)]
            case .dispatch(let value): [("instructions", value.instructions), ("approval.leader", value.approval?.leader)]
            case .escalate(let value): [("suggestion", value.suggestion), ("approval.leader", value.approval?.leader)]
            case .sign(let value): [("note", value.note), ("responsibleLeader", value.responsibleLeader), ("handler", value.handler)]
            case .submitOpinion(let value): [("text", value.text)]
            case .refuse(let value): [("explanation", value.explanation)]
            case .merge(let value): [("reason", value.reason)]
            case .addProgressNote(let value): [("text", value.text)]
            case .pauseClock(let value): [("reason", value.reason)]
            case .resumeClock(let value): [("note", value.note)]
            case .requestExtension(let value): [("reason", value.reason)]
            case .decideExtension(let value): [("comment", value.comment)]
            case .submitResult(let value):
                [("answer", value.answer), ("plan", value.plan), ("explanation", value.explanation), ("reviewedBy", value.reviewedBy)]
            case .returnNotOurRemit(let value): [("reason", value.reason), ("suggestion", value.suggestion)]
            case .rate(let value): [("comment", value.comment)]
            case .decideClosure(let value): [("leader", value.leader), ("comment", value.comment)]
            case .urge(let value): [("note", value.note)]
            case .flagSupervision(let value): [("reason", value.reason)]
            case .superviseAnswer(let value): [("reason", value.reason)]
            case .recordFollowUp(let value): [("note", value.note), ("enterpriseFeedback", value.enterpriseFeedback)]
            case .recordMeeting(let value): [("attendees", value.attendees), ("decision", value.decision)]
            case .reportCompletion(let value): [("text", value.text)]
            case .submit, .receiveEscalation, .recordEscalationOutcome, .closeUnrated: []
            }
        return texts.compactMap { field, text in text.map { (field, $0) } }
    }

    /// A leader's approval of a dispatch or escalation (003 art. 12–14): given, by a leader of a
    /// level that may approve it, named, and not dated after today.
    private static func checkApproval(
        _ approval: LeaderApproval?,
        allowed: Set<LeaderApproval.Level>,
        what: String,
        context: TransitionContext
    ) throws(TransitionError) {
        guard let approval else {
            throw .invalid(FieldIssue(code: "APPROVAL_REQUIRED", field: "approval", message: "\(what)须经领导审批，请填写审批领导和日期"))
        }
        guard allowed.contains(approval.level) else {
            let levels = LeaderApproval.Level.allCases.filter(allowed.contains).map(\.chineseName).joined(separator: "、")
            throw .invalid(FieldIssue(code: "APPROVAL_LEVEL_TOO_LOW", field: "approval.level", message: "\(what)须由\(levels)审批"))
        }
        try requireText(approval.leader, field: "approval.leader", label: "审批领导")
        if let today = context.today, approval.approvedOn > today {
            throw .invalid(FieldIssue(code: "INVALID_DATE", field: "approval.approvedOn", message: "审批日期不能晚于今天"))
        }
    }

    /// Extension days: a positive number of working days, within the procedure's cap.
    private static func checkExtension(days: Int, majorMatter: Bool, context: TransitionContext) throws(TransitionError) {
        guard days > 0 else {
            throw .invalid(FieldIssue(code: "INVALID_EXTENSION_DAYS", field: "days", message: "延期天数须为正整数（工作日）"))
        }
        let cap = majorMatter ? context.majorMatterCapDays : context.resultCapDays
        guard context.currentResultBudgetDays + days <= cap else {
            throw .invalid(FieldIssue(code: "EXTENSION_TOO_LONG", field: "days", message: "办理时限延长后不能超过\(cap)个工作日"))
        }
    }

    private static func requireText(_ text: String, field: String, label: String) throws(TransitionError) {
        let trimmed = text.trimmingWhitespace
        if !trimmed.hasVisibleCharacters {
            throw .invalid(FieldIssue(code: "MISSING_FIELD", field: field, message: "请填写\(label)"))
        }
        if trimmed.count > DemandForm.Limits.longText {
            throw .invalid(FieldIssue(code: "TEXT_TOO_LONG", field: field,
                message: "\(label)不能超过\(DemandForm.Limits.longText)个字"))
        }
    }
}
