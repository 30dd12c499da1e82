import DemandDomain
import Foundation
import InputValidation
import Tenancy
import Testing

/// One valid example of each action, by an actor who may take it on the fixture demand.
enum Samples {
    typealias F = Fixtures

    static let escalationReceipt = EscalationReceipt(
        content: F.content, enterprise: F.party,
        origin: EscalationOrigin(tenant: "maojian", demandID: UUID(), registrationNumber: F.number(.registration, 1),
            escalationNumber: F.number(.escalation, 1)),
        suggestion: "需市级协调", registrationNumber: F.number(.registration, 1, office: "十堰"))

    static let byKind: [DemandAction.Kind: (DemandAction, Actor)] = [
        .submit: (F.submit, F.enterprise),
        .receiveEscalation: (.receiveEscalation(escalationReceipt), F.system),
        .edit: (.edit(ContentEdit(content: F.content, note: "补充说明")), F.cadre),
        .approve: (.approve(Approval()), F.cadre),
        .sendBack: (.sendBack(SendBack(reason: "请补充用电容量数据")), F.cadre),
        .resubmit: (.resubmit(ContentEdit(content: F.content)), F.enterprise),
        .dispatch: (F.dispatchToLead, F.dispatcher),
        .escalate: (.escalate(EscalationSlip(parent: "shiyan", number: F.number(.escalation, 1), suggestion: "超出区级权限")),
            F.dispatcher),
        .sign: (.sign(Signature()), F.unitAdmin),
        .addProgressNote: (.addProgressNote(ProgressNote(text: "已联系供电公司")), F.unitAdmin),
        .submitOpinion: (.submitOpinion(CooperationOpinion(text: "规划许可可并联办理")), F.otherUnitAdmin),
        .pauseClock: (.pauseClock(ClockPause(reason: "等待企业补充材料")), F.unitAdmin),
        .resumeClock: (.resumeClock(ClockResume()), F.unitAdmin),
        .requestExtension: (.requestExtension(ExtensionRequest(days: 5, reason: "需现场勘查")), F.unitAdmin),
        .decideExtension: (.decideExtension(ExtensionDecision(granted: true, days: 5)), F.office),
        .submitResult: (F.resultA, F.unitAdmin),
        .returnNotOurRemit: (.returnNotOurRemit(RemitReturn(reason: "不属于本单位职能", suggestion: "建议分办至区住建局")), F.unitAdmin),
        .rate: (.rate(Rating(satisfied: true)), F.enterprise),
        .refuse: (.refuse(Refusal(ground: .litigation, explanation: "该合同纠纷已进入诉讼程序")), F.office),
        .merge: (.merge(Merger(intoDemandID: UUID(), intoRegistrationNumber: F.number(.registration, 1), reason: "与该诉求反映同一事项")),
            F.dispatcher),
        .closeUnrated: (.closeUnrated(RatingTimeout(ratingDays: 5, countsAsSatisfied: false)), F.system),
        .decideClosure: (.decideClosure(ClosureDecision(agreed: true, leader: "李副区长", decidedOn: CivilDate("2024-03-04")!)), F.office),
        .urge: (.urge(UrgeLetter(note: "请加快办理")), F.office),
        .reportCompletion: (.reportCompletion(CompletionReport(text: "专线已送电")), F.unitAdmin),
        .flagSupervision: (.flagSupervision(SupervisionFlag(reason: "涉及重点项目投产")), F.office),
        .superviseAnswer: (.superviseAnswer(AnswerSupervision(reason: "答复未说明供电时间")), F.office),
        .recordFollowUp: (.recordFollowUp(FollowUp(way: .weekly, note: "供电方案已批复，线路施工中")), F.office),
        .recordMeeting: (.recordMeeting(SupervisionMeeting(kind: .jointMeeting, heldOn: CivilDate("2024-03-04")!,
            attendees: "市双千办、区供电公司", decision: "供电公司3月15日前完成接入", dueOn: CivilDate("2024-03-15")!)), F.office),
        .recordEscalationOutcome: (.recordEscalationOutcome(EscalationOutcome(parentTenant: "shiyan", parentDemandID: UUID(),
            parentRegistrationNumber: nil, parentState: .closed, resultClass: .a)), F.system),
    ]

    static let resultB = DemandAction.submitResult(ResultReport(resultClass: .b, answer: "已列入改造计划", plan: "12月完成线路改造",
        plannedCompletion: CivilDate("2024-12-31")))

    /// A demand brought to `state` along ``path(to:)``, in a tier whose pairing leader agrees to
    /// closure where that is the state asked for.
    static func demand(in state: DemandState?) throws -> Demand {
        try F.demand(closureNeedsPairingLeader: state == .awaitingClosureAgreement, path(to: state))
    }

    static func path(to state: DemandState?) -> [(DemandAction, Actor)] {
        let submit = byKind[.submit]!
        let approve = byKind[.approve]!
        let dispatch = byKind[.dispatch]!
        let sign = byKind[.sign]!
        let result = byKind[.submitResult]!
        switch state {
        case nil: return []
        case .awaitingReview: return [submit]
        case .returnedToEnterprise: return [submit, byKind[.sendBack]!]
        case .awaitingDispatch: return [submit, approve]
        case .escalated: return [submit, approve, byKind[.escalate]!]
        case .awaitingSignature: return [submit, approve, dispatch]
        case .inProgress: return [submit, approve, dispatch, sign]
        case .awaitingRating: return [submit, approve, dispatch, sign, result]
        case .underSupervision:
            return [submit, approve, dispatch, sign, result, (.rate(Rating(satisfied: false, comment: "未解决")), F.enterprise)]
        case .closed: return [submit, approve, dispatch, sign, result, byKind[.rate]!]
        case .awaitingClosureAgreement: return [submit, approve, dispatch, sign, result, byKind[.rate]!]
        case .refused: return [submit, byKind[.refuse]!]
        case .merged: return [submit, approve, byKind[.merge]!]
        }
    }
}

@Suite("Demand lifecycle")
struct LifecycleTests {
    typealias F = Fixtures

    /// The specification, written out independently of the rules: what each state allows.
    static let allowed: [DemandState?: Set<DemandAction.Kind>] = [
        nil: [.submit, .receiveEscalation],
        .awaitingReview: [.edit, .approve, .sendBack, .refuse],
        .returnedToEnterprise: [.resubmit],
        .awaitingDispatch: [.dispatch, .escalate, .refuse, .merge],
        .escalated: [.recordEscalationOutcome],
        .awaitingSignature: [.sign, .returnNotOurRemit, .submitOpinion, .flagSupervision, .recordFollowUp, .recordMeeting],
        .inProgress: [.addProgressNote, .submitOpinion, .pauseClock, .requestExtension, .submitResult, .returnNotOurRemit,
            .flagSupervision, .recordFollowUp, .recordMeeting],
        .awaitingRating: [.rate, .closeUnrated, .flagSupervision, .superviseAnswer, .recordFollowUp],
        .underSupervision: [.addProgressNote, .submitOpinion, .pauseClock, .requestExtension, .submitResult, .flagSupervision,
            .recordFollowUp, .recordMeeting],
        .awaitingClosureAgreement: [.decideClosure, .recordFollowUp],
        .closed: [.recordFollowUp],
        .refused: [],
        .merged: [],
    ]

    /// Actions whose permission depends on more than the state (tested on their own below).
    static let conditional: Set<DemandAction.Kind> = [.resumeClock, .decideExtension, .urge, .reportCompletion]

    static let states: [DemandState?] = [nil] + DemandState.allCases.map { $0 }

    @Test("Each state allows exactly the actions of the specification", arguments: states)
    func allowedActions(state: DemandState?) throws {
        let base = try Samples.demand(in: state)
        #expect(base.state == state)
        let time = F.shanghai("2024-03-05")
        for kind in DemandAction.Kind.allCases where !Self.conditional.contains(kind) {
            var demand = base
            let (action, actor) = Samples.byKind[kind]!
            let context = F.context(for: demand, at: time)
            let expected = Self.allowed[state]!.contains(kind)
            do {
                try demand.apply(action, by: actor, at: time, context: context)
                #expect(expected, "\(kind) should be refused in \(String(describing: state))")
            } catch {
                #expect(!expected, "\(kind) should be allowed in \(String(describing: state)): \(error)")
                let isStateError: Bool
                switch error {
                case .notAllowedInState, .alreadyCreated: isStateError = true
                default: isStateError = false
                }
                #expect(isStateError, "\(kind) in \(String(describing: state)) refused for the wrong reason: \(error)")
                #expect(demand == base, "a refused action leaves the demand unchanged")
            }
        }
    }

    @Test("Each action refuses every role that may not take it", arguments: DemandAction.Kind.allCases)
    func rolesRefused(kind: DemandAction.Kind) throws {
        let state: DemandState?
        switch kind {
        case .submit, .receiveEscalation: state = nil
        case .urge, .resumeClock, .decideExtension, .reportCompletion: state = .inProgress
        default: state = Self.allowed.first { $0.value.contains(kind) }!.key
        }
        let (action, actor) = Samples.byKind[kind]!
        var prefix = Samples.path(to: state)
        if kind == .resumeClock { prefix.append(Samples.byKind[.pauseClock]!) }
        if kind == .decideExtension { prefix.append(Samples.byKind[.requestExtension]!) }
        if kind == .reportCompletion { prefix.append((Samples.resultB, F.unitAdmin)) }
        let base = try F.demand(closureNeedsPairingLeader: state == .awaitingClosureAgreement, prefix)
        for role in Role.allCases where !DemandRules.allowedRoles(for: kind).contains(role) {
            var demand = base
            var impostor = actor
            impostor.role = role
            #expect(throws: TransitionError.roleNotAllowed(kind, role)) {
                try demand.apply(action, by: impostor, at: F.shanghai("2024-03-05"),
                    context: F.context(for: demand, at: F.shanghai("2024-03-05")))
            }
        }
    }

    @Test("Only the parties of a demand may act on it")
    func partiesOnly() throws {
        func refusal(_ state: DemandState, _ action: DemandAction, by actor: Actor) throws -> TransitionError? {
            var demand = try Samples.demand(in: state)
            do {
                try demand.apply(action, by: actor, at: F.shanghai("2024-03-05"), context: F.context(for: demand, at: F.shanghai("2024-03-05")))
                return nil
            } catch { return error }
        }
        #expect(try refusal(.awaitingReview, .approve(Approval()), by: F.otherCadre)?.code == "NOT_A_PARTY")
        #expect(try refusal(.awaitingSignature, .sign(Signature()), by: F.otherUnitAdmin)?.code == "NOT_A_PARTY")
        #expect(try refusal(.awaitingRating, .rate(Rating(satisfied: true)), by: F.otherEnterprise)?.code == "NOT_A_PARTY")
        #expect(try refusal(.awaitingDispatch, F.dispatchToLead, by: F.cityDispatcher)?.code == "NOT_A_PARTY")
        // A cooperating unit may add notes but not sign.
        var cooperating = F.otherUnitAdmin
        cooperating.unitID = F.coopUnit.id
        #expect(try refusal(.inProgress, .addProgressNote(ProgressNote(text: "配合意见")), by: cooperating) == nil)
        #expect(try refusal(.inProgress, F.resultA, by: cooperating)?.code == "NOT_A_PARTY")
        var stranger = Demand(id: UUID(), tenant: "maojian")
        #expect(throws: TransitionError.self) {
            try stranger.apply(F.submit, by: F.otherEnterprise, at: F.shanghai("2024-03-04"),
                context: F.context(for: stranger, at: F.shanghai("2024-03-04")))
        }
    }

    @Test("Submissions go to review only for paired enterprises under a procedure with review")
    func submissionRoutes() throws {
        #expect(try F.demand([(F.submit, F.enterprise)]).state == .awaitingReview)
        #expect(try F.demand([(F.submit, F.cadre)]).state == .awaitingDispatch)
        let small = DemandAction.submit(Submission(content: F.content, enterprise: F.smallEnterpriseParty,
            registrationNumber: F.number(.registration, 2)))
        #expect(try F.demand([(small, F.enterprise)]).state == .awaitingDispatch)
        #expect(try F.demand(procedure: .lincang, [(F.submit, F.enterprise)]).state == .awaitingDispatch)
        #expect(try F.demand([(F.submit, F.office)]).state == .awaitingDispatch)
    }

    @Test("The whole Shiyan journey, with a send-back, a return, supervision and closure")
    func fullJourney() throws {
        let demand = try F.demand([
            (F.submit, F.enterprise),
            Samples.byKind[.sendBack]!,
            Samples.byKind[.resubmit]!,
            Samples.byKind[.edit]!,
            (.approve(Approval(comment: "同意")), F.cadre),
            (F.dispatchToLead, F.dispatcher),
            Samples.byKind[.returnNotOurRemit]!,
            (F.dispatchToLead, F.dispatcher),
            (.sign(Signature()), F.unitAdmin),
            Samples.byKind[.addProgressNote]!,
            (F.resultA, F.unitAdmin),
            (.rate(Rating(satisfied: false, comment: "增容仍未落实")), F.enterprise),
            (.submitResult(ResultReport(resultClass: .b, answer: "已列入计划", plan: "3月底前完成线路改造",
                plannedCompletion: CivilDate("2024-03-29"))), F.unitAdmin),
            (.rate(Rating(satisfied: true)), F.enterprise),
        ])
        #expect(demand.state == .closed)
        #expect(demand.history.map(\.sequence) == Array(1...14))
        #expect(demand.status.returnCount == 1)
        #expect(demand.status.supervisionRounds == 1)
        #expect(demand.status.lastResult?.resultClass == .b)
        #expect(demand.status.lastDispatcherID == F.dispatcher.id)
        #expect(demand.status.everAssignedUnitIDs == [F.leadUnit.id, F.coopUnit.id])
        let replayed = try Demand(id: demand.id, tenant: demand.tenant, history: demand.history)
        #expect(replayed == demand)
    }

    @Test("Access follows the current assignment: a return leaves no unit, a new routing names only its units")
    func currentUnits() throws {
        var demand = try F.demand(Samples.path(to: .inProgress))
        #expect(demand.status.currentUnitIDs == [F.leadUnit.id, F.coopUnit.id])
        let time = F.shanghai("2024-03-06")
        let (returned, unit) = Samples.byKind[.returnNotOurRemit]!
        try demand.apply(returned, by: unit, at: time, context: F.context(for: demand, at: time))
        #expect(demand.status.currentUnitIDs.isEmpty)
        #expect(!DemandVisibility(demand).unitIDs.contains(F.leadUnit.id))
        let again = DemandAction.dispatch(Assignment(leadUnit: F.coopUnit, cooperatingUnits: [], number: F.number(.dispatch, 2)))
        try demand.apply(again, by: F.dispatcher, at: time, context: F.context(for: demand, at: time))
        #expect(demand.status.currentUnitIDs == [F.coopUnit.id])
        #expect(demand.status.everAssignedUnitIDs == [F.leadUnit.id, F.coopUnit.id])
    }

    @Test("Escalation: the county demand waits for its parent's outcome and closes with it")
    func escalationOutcome() throws {
        var demand = try F.demand(Samples.path(to: .escalated))
        #expect(demand.status.escalation?.number == F.number(.escalation, 1))
        let progress = EscalationOutcome(parentTenant: "shiyan", parentDemandID: UUID(), parentRegistrationNumber: nil,
            parentState: .awaitingRating, resultClass: .a, answer: "已解决")
        let time = F.shanghai("2024-03-06")
        try demand.apply(.recordEscalationOutcome(progress), by: F.system, at: time, context: F.context(for: demand, at: time))
        #expect(demand.state == .escalated)
        #expect(demand.status.outcome?.resultClass == .a)
        var closed = progress
        closed.parentState = .closed
        try demand.apply(.recordEscalationOutcome(closed), by: F.system, at: time, context: F.context(for: demand, at: time))
        #expect(demand.state == .closed)
    }

    @Test("A top tier cannot escalate, and a county escalates only to its parent")
    func escalationTargets() throws {
        var city = Demand(id: UUID(), tenant: "shiyan")
        let time = F.shanghai("2024-03-04")
        try city.apply(.receiveEscalation(Samples.escalationReceipt), by: .system("shiyan", component: "test"), at: time,
            context: F.context(for: city, at: time))
        let slip = EscalationSlip(parent: "shiyan", number: F.number(.escalation, 1, office: "十堰"), suggestion: "x")
        #expect(throws: TransitionError.invalid(FieldIssue(code: "NO_PARENT_TIER", field: "parent", message: "本级没有上级，不能转报"))) {
            try city.apply(.escalate(slip), by: F.cityDispatcher, at: time, context: F.context(for: city, at: time))
        }
        var county = try F.demand(Samples.path(to: .awaitingDispatch))
        let wrong = EscalationSlip(parent: "zhangwan", number: F.number(.escalation, 1), suggestion: "x")
        #expect(throws: TransitionError.self) {
            try county.apply(.escalate(wrong), by: F.dispatcher, at: time, context: F.context(for: county, at: time))
        }
    }

    @Test("Results, ratings and routings must carry what the rules require")
    func payloadRules() throws {
        func code(_ state: DemandState, _ action: DemandAction, by actor: Actor) throws -> String? {
            var demand = try Samples.demand(in: state)
            let time = F.shanghai("2024-03-05")
            do {
                try demand.apply(action, by: actor, at: time, context: F.context(for: demand, at: time))
                return nil
            } catch { return error.code }
        }
        #expect(try code(.inProgress, .submitResult(ResultReport(resultClass: .b, answer: "办理中")), by: F.unitAdmin) == "MISSING_PLAN")
        #expect(try code(.inProgress, .submitResult(ResultReport(resultClass: .c, answer: "暂无法解决")), by: F.unitAdmin)
            == "MISSING_EXPLANATION")
        #expect(try code(.inProgress, .submitResult(ResultReport(resultClass: .a, answer: "  ")), by: F.unitAdmin) == "MISSING_FIELD")
        #expect(try code(.awaitingRating, .rate(Rating(satisfied: false)), by: F.enterprise) == "MISSING_FIELD")
        let doubled = Assignment(leadUnit: F.leadUnit, cooperatingUnits: [F.leadUnit], number: F.number(.dispatch, 1))
        #expect(try code(.awaitingDispatch, .dispatch(doubled), by: F.dispatcher) == "INVALID_ASSIGNMENT")
        #expect(try code(.inProgress, .requestExtension(ExtensionRequest(days: 16, reason: "x")), by: F.unitAdmin)
            == "EXTENSION_TOO_LONG")
        #expect(try code(.inProgress, .requestExtension(ExtensionRequest(days: 15, reason: "x")), by: F.unitAdmin) == nil)
        #expect(try code(.inProgress, .requestExtension(ExtensionRequest(days: 0, reason: "x")), by: F.unitAdmin)
            == "INVALID_EXTENSION_DAYS")
        #expect(try code(.inProgress, .requestExtension(ExtensionRequest(days: -3, reason: "x")), by: F.unitAdmin)
            == "INVALID_EXTENSION_DAYS")
        let overdueB = ResultReport(resultClass: .b, answer: "已列入计划", plan: "改造线路", plannedCompletion: CivilDate("2024-03-04"))
        #expect(try code(.inProgress, .submitResult(overdueB), by: F.unitAdmin) == "PLANNED_DATE_PASSED")
        let todayB = ResultReport(resultClass: .b, answer: "已列入计划", plan: "改造线路", plannedCompletion: CivilDate("2024-03-05"))
        #expect(try code(.inProgress, .submitResult(todayB), by: F.unitAdmin) == nil)
        #expect(try code(.inProgress, .submitResult(ResultReport(resultClass: .a, answer: "\u{200B}\u{FEFF}")), by: F.unitAdmin)
            == "MISSING_FIELD")
        #expect(try code(.awaitingReview, .sendBack(SendBack(reason: "")), by: F.cadre) == "MISSING_FIELD")
        let zeroWidthPlan = ResultReport(resultClass: .b, answer: "已列入计划", plan: "\u{200B}", plannedCompletion: CivilDate("2024-03-09"))
        #expect(try code(.inProgress, .submitResult(zeroWidthPlan), by: F.unitAdmin) == "MISSING_PLAN")
        // Optional texts are bounded too, not only the required ones.
        let long = String(repeating: "很", count: 2001)
        #expect(try code(.awaitingReview, .approve(Approval(comment: long)), by: F.cadre) == "TEXT_TOO_LONG")
        #expect(try code(.awaitingSignature, .sign(Signature(note: long)), by: F.unitAdmin) == "TEXT_TOO_LONG")
        let longPlan = ResultReport(resultClass: .b, answer: "已列入计划", plan: long, plannedCompletion: CivilDate("2024-03-09"))
        #expect(try code(.inProgress, .submitResult(longPlan), by: F.unitAdmin) == "TEXT_TOO_LONG")
        #expect(try code(.awaitingReview, .approve(Approval(comment: String(repeating: "很", count: 2000))), by: F.cadre) == nil)
    }

    @Test("Clock resume and extension decisions need a pause and a request first")
    func conditionalActions() throws {
        var demand = try F.demand(Samples.path(to: .inProgress))
        let time = F.shanghai("2024-03-05")
        #expect(throws: TransitionError.notAllowedInState(.resumeClock, .inProgress)) {
            try demand.apply(Samples.byKind[.resumeClock]!.0, by: F.unitAdmin, at: time, context: F.context(for: demand, at: time))
        }
        #expect(throws: TransitionError.notAllowedInState(.decideExtension, .inProgress)) {
            try demand.apply(Samples.byKind[.decideExtension]!.0, by: F.office, at: time, context: F.context(for: demand, at: time))
        }
        try demand.apply(Samples.byKind[.pauseClock]!.0, by: F.unitAdmin, at: time, context: F.context(for: demand, at: time))
        #expect(throws: TransitionError.notAllowedInState(.pauseClock, .inProgress)) {
            try demand.apply(Samples.byKind[.pauseClock]!.0, by: F.unitAdmin, at: time, context: F.context(for: demand, at: time))
        }
        try demand.apply(Samples.byKind[.resumeClock]!.0, by: F.unitAdmin, at: time, context: F.context(for: demand, at: time))
        try demand.apply(Samples.byKind[.requestExtension]!.0, by: F.unitAdmin, at: time, context: F.context(for: demand, at: time))
        #expect(throws: TransitionError.notAllowedInState(.requestExtension, .inProgress)) {
            try demand.apply(Samples.byKind[.requestExtension]!.0, by: F.unitAdmin, at: time, context: F.context(for: demand, at: time))
        }
        #expect(throws: TransitionError.notAParty(.decideExtension, "只有本级双千办可以审批延期")) {
            try demand.apply(Samples.byKind[.decideExtension]!.0, by: F.cityOffice, at: time, context: F.context(for: demand, at: time))
        }
        try demand.apply(Samples.byKind[.decideExtension]!.0, by: F.office, at: time, context: F.context(for: demand, at: time))
        #expect(demand.status.pendingExtension == nil)
    }

    @Test("Urge letters only for overdue steps, by the tier's office or an ancestor's")
    func urging() throws {
        var demand = try F.demand(Samples.path(to: .awaitingSignature))
        let early = F.shanghai("2024-03-04", 11)
        #expect(throws: TransitionError.self) {
            try demand.apply(Samples.byKind[.urge]!.0, by: F.office, at: early, context: F.context(for: demand, at: early))
        }
        // Dispatched on Monday 4 March; signing is due by the end of Tuesday 5 March.
        let late = F.shanghai("2024-03-07", 9)
        let otherCounty = Actor(role: .office, tenant: "zhangwan", id: "office-zw")
        #expect(throws: TransitionError.notAParty(.urge, "只有本级或上级双千办可以催办")) {
            try demand.apply(Samples.byKind[.urge]!.0, by: otherCounty, at: late, context: F.context(for: demand, at: late))
        }
        try demand.apply(Samples.byKind[.urge]!.0, by: F.cityOffice, at: late, context: F.context(for: demand, at: late))
        #expect(demand.status.urgeCount == 1)
        #expect(demand.state == .awaitingSignature)
    }

    @Test("A history replays only if every transition follows the rules")
    func historyReplay() throws {
        let demand = try F.demand(Fixtures.throughResult)
        let encoded = try JSONEncoder().encode(demand.history)
        let decoded = try JSONDecoder().decode([Transition].self, from: encoded)
        #expect(decoded == demand.history)
        #expect(try Demand(id: demand.id, tenant: demand.tenant, history: decoded) == demand)

        var tampered = demand.history
        tampered[2].to = .inProgress
        #expect(throws: HistoryError.self) { try Demand(id: demand.id, tenant: demand.tenant, history: tampered) }
        var skipped = demand.history
        skipped.remove(at: 1)
        #expect(throws: HistoryError.self) { try Demand(id: demand.id, tenant: demand.tenant, history: skipped) }
    }

    @Test("Actions encode as kind and payload")
    func actionJSON() throws {
        let data = try JSONEncoder().encode(DemandAction.sign(Signature(note: "已签收")))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["kind"] as? String == "sign")
        #expect((object["payload"] as? [String: Any])?["note"] as? String == "已签收")
    }
}

@Suite("Closure without a rating")
struct UnratedClosureTests {
    typealias F = Fixtures

    @Test("A rating step that runs out closes the demand as 未评价, by the platform only")
    func ratingTimeout() throws {
        var demand = try F.demand(Samples.path(to: .awaitingRating))
        let action = try #require(ProcedureProfile.shiyan.expiry(of: .rating))
        #expect(ProcedureProfile.shiyan.expiry(of: .result) == nil)
        let time = F.shanghai("2024-03-20", 0)
        #expect(throws: TransitionError.roleNotAllowed(.closeUnrated, .enterprise)) {
            var copy = demand
            try copy.apply(action, by: F.enterprise, at: time, context: F.context(for: copy, at: time))
        }
        try demand.apply(action, by: F.system, at: time, context: F.context(for: demand, at: time))
        #expect(demand.state == .closed)
        #expect(demand.history.last?.kind == .closeUnrated)
        #expect(demand.status.lastRating == nil)
        guard case .closeUnrated(let timeout) = action else { Issue.record("expected closeUnrated"); return }
        #expect(timeout.ratingDays == 5 && !timeout.countsAsSatisfied)
    }
}

@Suite("The pairing leader's agreement before 销号 (Fuyuan)")
struct ClosureAgreementTests {
    typealias F = Fixtures

    static let time = F.shanghai("2024-03-05")

    func apply(_ action: DemandAction, by actor: Actor, to demand: inout Demand) throws(TransitionError) {
        try demand.apply(action, by: actor, at: Self.time, context: F.context(for: demand, at: Self.time,
            closureNeedsPairingLeader: true))
    }

    func code(_ action: DemandAction, by actor: Actor = F.office) throws -> String? {
        var demand = try Samples.demand(in: .awaitingClosureAgreement)
        do {
            try apply(action, by: actor, to: &demand)
            return nil
        } catch { return error.code }
    }

    static func decision(agreed: Bool, leader: String = "李副区长", on day: String = "2024-03-05", comment: String? = nil)
        -> DemandAction
    {
        .decideClosure(ClosureDecision(agreed: agreed, leader: leader, decidedOn: CivilDate(day)!, comment: comment))
    }

    @Test("An accepted answer waits for the pairing leader, with no clock; the office records the agreement and it closes")
    func agreementCloses() throws {
        var demand = try F.demand(Samples.path(to: .awaitingRating))
        var elsewhere = demand
        try apply(.rate(Rating(satisfied: true)), by: F.enterprise, to: &demand)
        #expect(demand.state == .awaitingClosureAgreement)
        #expect(try F.planner.openDeadlines(for: demand).isEmpty)
        #expect(demand.status.currentUnitIDs.contains(F.leadUnit.id))
        try apply(Self.decision(agreed: true), by: F.office, to: &demand)
        #expect(demand.state == .closed)
        #expect(demand.status.closureDecision?.leader == "李副区长")
        // A tier without the rule closes at the rating.
        try elsewhere.apply(.rate(Rating(satisfied: true)), by: F.enterprise, at: Self.time,
            context: F.context(for: elsewhere, at: Self.time))
        #expect(elsewhere.state == .closed)
    }

    @Test("A rating that runs out also waits for the pairing leader")
    func unratedWaits() throws {
        var demand = try F.demand(Samples.path(to: .awaitingRating))
        try apply(try #require(ProcedureProfile.shiyan.expiry(of: .rating)), by: F.system, to: &demand)
        #expect(demand.state == .awaitingClosureAgreement)
        #expect(demand.history.last?.kind == .closeUnrated)
    }

    @Test("Without agreement the lead unit works on it again under supervision, on a new result clock")
    func refusalReopens() throws {
        var demand = try Samples.demand(in: .awaitingClosureAgreement)
        try apply(Self.decision(agreed: false, comment: "企业厂房供电尚未恢复"), by: F.office, to: &demand)
        #expect(demand.state == .underSupervision)
        #expect(demand.status.supervisionRounds == 1)
        let clock = try #require(try F.planner.openDeadlines(for: demand).first)
        #expect(clock.step == .result && clock.startedAt == Self.time && clock.budgetDays == 15)
        try apply(F.resultA, by: F.unitAdmin, to: &demand)
        #expect(demand.state == .awaitingRating)
    }

    @Test("The leader is named, a refusal says why, the day is not in the future, and only the tier's office records it")
    func decisionRules() throws {
        #expect(try code(Self.decision(agreed: true, leader: "  ")) == "MISSING_FIELD")
        #expect(try code(Self.decision(agreed: false)) == "MISSING_FIELD")
        #expect(try code(Self.decision(agreed: true, on: "2024-03-06")) == "INVALID_DATE")
        #expect(try code(Self.decision(agreed: true), by: F.cityOffice) == "NOT_A_PARTY")
        #expect(try code(Self.decision(agreed: true), by: F.enterprise) == "ROLE_NOT_ALLOWED")
        #expect(try code(Self.decision(agreed: true)) == nil)
    }
}

@Suite("Cooperating units and the lead unit's signature")
struct CooperationTests {
    typealias F = Fixtures

    func apply(_ action: DemandAction, by actor: Actor, to demand: inout Demand, procedure: ProcedureProfile = .shiyan) throws {
        let time = F.shanghai("2024-03-05")
        try demand.apply(action, by: actor, at: time, context: F.context(for: demand, at: time, procedure: procedure))
    }

    @Test("Only a cooperating unit submits opinions; the lead unit reads them with the unit's name; a new routing starts afresh")
    func opinions() throws {
        var demand = try F.demand(Samples.path(to: .inProgress))
        #expect(throws: TransitionError.notAParty(.submitOpinion, "只有配合单位可以提交配合意见")) {
            var copy = demand
            try apply(.submitOpinion(CooperationOpinion(text: "意见")), by: F.unitAdmin, to: &copy)
        }
        #expect(throws: TransitionError.self) {
            var copy = demand
            try apply(.submitOpinion(CooperationOpinion(text: "  ")), by: F.otherUnitAdmin, to: &copy)
        }
        try apply(.submitOpinion(CooperationOpinion(text: "规划许可可并联办理")), by: F.otherUnitAdmin, to: &demand)
        #expect(demand.state == .inProgress)
        #expect(demand.status.opinions.map(\.text) == ["规划许可可并联办理"])
        #expect(demand.status.opinions.first?.unit == F.coopUnit)
        try apply(.returnNotOurRemit(RemitReturn(reason: "非本单位职能", suggestion: "建议住建局")), by: F.unitAdmin, to: &demand)
        try apply(F.dispatchToLead, by: F.dispatcher, to: &demand)
        #expect(demand.status.opinions.isEmpty && demand.status.signature == nil)
    }

    @Test("Lincang routes only with a leader's approval of the right level, recorded on the assignment and the slip")
    func lincangApprovals() throws {
        let waiting = try F.demand(procedure: .lincang, [(F.submit, F.enterprise)])
        func code(_ action: DemandAction) -> String? {
            var copy = waiting
            do {
                try apply(action, by: F.dispatcher, to: &copy, procedure: .lincang)
                return nil
            } catch let error as TransitionError {
                guard case .invalid(let issue) = error else { return "\(error)" }
                return issue.code
            } catch {
                return "\(error)"
            }
        }
        let day = CivilDate("2024-03-05")!
        func dispatch(_ cooperating: [UnitRef], _ approval: LeaderApproval?) -> DemandAction {
            .dispatch(Assignment(leadUnit: F.leadUnit, cooperatingUnits: cooperating, number: F.number(.dispatch, 1), approval: approval))
        }
        let director = LeaderApproval(level: .officeDirector, leader: "张主任", approvedOn: day)
        #expect(code(dispatch([], nil)) == "APPROVAL_REQUIRED")
        #expect(code(dispatch([], director)) == nil, "the office director approves a dispatch to one department")
        #expect(code(dispatch([F.coopUnit], director)) == "APPROVAL_LEVEL_TOO_LOW")
        #expect(code(dispatch([F.coopUnit], LeaderApproval(level: .deputyHead, leader: " ", approvedOn: day))) == "MISSING_FIELD")
        #expect(code(dispatch([F.coopUnit], LeaderApproval(level: .head, leader: "李组长", approvedOn: day.adding(days: 1))))
            == "INVALID_DATE")
        #expect(code(dispatch([F.coopUnit], LeaderApproval(level: .specialMeeting, leader: "第3次专题会议", approvedOn: day))) == nil)
        func escalate(_ approval: LeaderApproval?) -> DemandAction {
            .escalate(EscalationSlip(parent: "shiyan", number: F.number(.escalation, 1), suggestion: "需市级协调", approval: approval))
        }
        #expect(code(escalate(nil)) == "APPROVAL_REQUIRED")
        #expect(code(escalate(LeaderApproval(level: .deputyHead, leader: "王副组长", approvedOn: day))) == "APPROVAL_LEVEL_TOO_LOW")
        #expect(code(escalate(LeaderApproval(level: .head, leader: "李组长", approvedOn: day))) == nil)
        // Shiyan's procedure has no such step.
        var shiyan = try F.demand([(F.submit, F.enterprise), (.approve(Approval()), F.cadre)])
        try apply(dispatch([], nil), by: F.dispatcher, to: &shiyan)
        #expect(shiyan.state == .awaitingSignature)
        #expect(LeaderApproval(level: .deputyHead, leader: "王副组长", approvedOn: day).slipText == "王副组长（分管副组长）2024年3月5日批准")
    }

    @Test("Lincang's lead unit names its responsible leader and handler when signing, and the main leader who reviewed its result; Shiyan's may")
    func signatureNames() throws {
        var lincang = try F.demand(Samples.path(to: .awaitingSignature))
        #expect(throws: TransitionError.self) {
            var copy = lincang
            try apply(.sign(Signature(note: "已签收")), by: F.unitAdmin, to: &copy, procedure: .lincang)
        }
        let named = Signature(note: "已签收", responsibleLeader: "王副局长", handler: "李科长")
        try apply(.sign(named), by: F.unitAdmin, to: &lincang, procedure: .lincang)
        #expect(lincang.status.signature == named)
        var shiyan = try F.demand(Samples.path(to: .awaitingSignature))
        try apply(.sign(Signature()), by: F.unitAdmin, to: &shiyan)
        #expect(shiyan.state == .inProgress)
        // 003 art. 17: the main leader reviews the result before it goes out.
        #expect(throws: TransitionError.invalid(FieldIssue(code: "MISSING_FIELD", field: "reviewedBy", message: "请填写审核结果的单位主要领导"))) {
            var copy = lincang
            try apply(F.resultA, by: F.unitAdmin, to: &copy, procedure: .lincang)
        }
        try apply(.submitResult(ResultReport(resultClass: .a, answer: "已办结", reviewedBy: "赵局长")), by: F.unitAdmin, to: &lincang,
            procedure: .lincang)
        #expect(lincang.status.lastResult?.reviewedBy == "赵局长")
        try apply(F.resultA, by: F.unitAdmin, to: &shiyan)
        #expect(shiyan.state == .awaitingRating, "Shiyan's procedure names no reviewer")
    }
}

@Suite("Supervision and class-B promises")
struct SupervisionRuleTests {
    typealias F = Fixtures

    @Test("A class-B answer awaits the unit's completion report, after closing too; a new answer asks again")
    func classBCompletion() throws {
        let time = F.shanghai("2024-03-06")
        var demand = try F.demand(Samples.path(to: .inProgress) + [(Samples.resultB, F.unitAdmin)])
        #expect(demand.status.awaitsCompletion)
        let report = Samples.byKind[.reportCompletion]!.0
        #expect(throws: TransitionError.notAParty(.reportCompletion, "该诉求未分办给您的单位牵头办理")) {
            var copy = demand
            try copy.apply(report, by: F.otherUnitAdmin, at: time, context: F.context(for: copy, at: time))
        }
        try demand.apply(.rate(Rating(satisfied: true)), by: F.enterprise, at: time, context: F.context(for: demand, at: time))
        #expect(demand.state == .closed && demand.status.awaitsCompletion, "closed, and still on the ledger of promises")
        let later = F.shanghai("2024-12-20")
        try demand.apply(report, by: F.unitAdmin, at: later, context: F.context(for: demand, at: later))
        #expect(demand.state == .closed && !demand.status.awaitsCompletion)
        #expect(demand.status.completion?.text == "专线已送电")
        #expect(throws: TransitionError.notAllowedInState(.reportCompletion, .closed), "reported once") {
            var copy = demand
            try copy.apply(report, by: F.unitAdmin, at: later, context: F.context(for: copy, at: later))
        }
        let classA = try F.demand(Samples.path(to: .closed))
        #expect(!classA.status.awaitsCompletion, "a class-A answer promises nothing")
    }

    @Test("The supervision ladder: 挂牌督办 once, an answer sent back restarts the result clock, follow-ups after closing, meetings dated")
    func supervisionLadder() throws {
        let time = F.shanghai("2024-03-06")
        var demand = try F.demand(Samples.path(to: .inProgress))
        let flag = Samples.byKind[.flagSupervision]!.0
        let otherCounty = Actor(role: .office, tenant: "zhangwan", id: "office-zw")
        #expect(throws: TransitionError.notAParty(.flagSupervision, "只有本级或上级双千办可以督办")) {
            var copy = demand
            try copy.apply(flag, by: otherCounty, at: time, context: F.context(for: copy, at: time))
        }
        try demand.apply(flag, by: F.cityOffice, at: time, context: F.context(for: demand, at: time))
        #expect(demand.status.flag?.reason == "涉及重点项目投产")
        #expect(throws: TransitionError.notAllowedInState(.flagSupervision, .inProgress)) {
            var copy = demand
            try copy.apply(flag, by: F.office, at: time, context: F.context(for: copy, at: time))
        }
        #expect(throws: TransitionError.invalid(FieldIssue(code: "INVALID_DATE", field: "heldOn", message: "召开日期不能晚于今天"))) {
            var copy = demand
            let future = SupervisionMeeting(kind: .interview, heldOn: CivilDate("2024-03-08")!, attendees: "区住建局局长",
                decision: "限期办结")
            try copy.apply(.recordMeeting(future), by: F.office, at: time, context: F.context(for: copy, at: time))
        }
        try demand.apply(Samples.byKind[.recordMeeting]!.0, by: F.office, at: time, context: F.context(for: demand, at: time))
        #expect(demand.status.meetings.map(\.kind) == [.jointMeeting])

        try demand.apply(F.resultA, by: F.unitAdmin, at: time.addingTimeInterval(60),
            context: F.context(for: demand, at: time.addingTimeInterval(60)))
        let sentBack = F.shanghai("2024-03-07", 15)
        try demand.apply(Samples.byKind[.superviseAnswer]!.0, by: F.office, at: sentBack, context: F.context(for: demand, at: sentBack))
        #expect(demand.state == .underSupervision)
        #expect(demand.status.supervisionRounds == 1)
        let clock = try #require(try F.planner.openDeadlines(for: demand).first)
        #expect(clock.step == .result)
        #expect(clock.startedAt == sentBack)

        try demand.apply(F.resultA, by: F.unitAdmin, at: sentBack.addingTimeInterval(60),
            context: F.context(for: demand, at: sentBack.addingTimeInterval(60)))
        try demand.apply(.rate(Rating(satisfied: true)), by: F.enterprise, at: sentBack.addingTimeInterval(120),
            context: F.context(for: demand, at: sentBack.addingTimeInterval(120)))
        let callBack = FollowUp(way: .callBack, note: "回访企业，已正常用电", enterpriseFeedback: "满意")
        let later = F.shanghai("2024-03-11")
        try demand.apply(.recordFollowUp(callBack), by: F.office, at: later, context: F.context(for: demand, at: later))
        #expect(demand.state == .closed)
        #expect(demand.status.lastFollowUpAt == later)
        #expect(demand.status.flag != nil, "the flag stays on the record after closing")
    }

}

@Suite("Refusal as out of scope")
struct RefusalTests {
    typealias F = Fixtures

    @Test("The tier office refuses with a ground and an explanation; never a demand a lower tier escalated")
    func refusal() throws {
        let time = F.shanghai("2024-03-05")
        var demand = try F.demand(Samples.path(to: .awaitingDispatch))
        #expect(throws: TransitionError.self) {
            var copy = demand
            try copy.apply(.refuse(Refusal(ground: .arbitration, explanation: " ")), by: F.office, at: time,
                context: F.context(for: copy, at: time))
        }
        #expect(throws: TransitionError.notAParty(.refuse, "只有本级办公室可以决定不予受理")) {
            var copy = demand
            let cityOffice = F.cityOffice
            try copy.apply(.refuse(Refusal(ground: .arbitration, explanation: "已申请仲裁")), by: cityOffice, at: time,
                context: F.context(for: copy, at: time))
        }
        try demand.apply(.refuse(Refusal(ground: .arbitration, explanation: "已申请劳动仲裁")), by: F.office, at: time,
            context: F.context(for: demand, at: time))
        #expect(demand.state == .refused)
        #expect(demand.status.refusal?.ground == .arbitration)
        #expect(try F.planner.openDeadlines(for: demand).isEmpty)

        let receipt = EscalationReceipt(content: F.content, enterprise: F.party,
            origin: EscalationOrigin(tenant: "maojian", demandID: UUID(), registrationNumber: nil, escalationNumber: F.number(.escalation, 1)),
            suggestion: "需市级协调", registrationNumber: F.number(.registration, 9, office: "十堰"))
        var escalated = Demand(id: UUID(), tenant: "shiyan")
        try escalated.apply(.receiveEscalation(receipt), by: .system("shiyan", component: "test"), at: time,
            context: F.context(for: escalated, at: time))
        #expect(throws: TransitionError.self) {
            try escalated.apply(.refuse(Refusal(ground: .litigation, explanation: "已起诉")), by: F.cityOffice, at: time,
                context: F.context(for: escalated, at: time))
        }
    }
}

@Suite("Merging duplicates")
struct MergerTests {
    typealias F = Fixtures

    @Test("A demand waiting for dispatch is merged by the tier's dispatcher with a reason; it ends there, with no deadline")
    func merger() throws {
        let time = F.shanghai("2024-03-05")
        var demand = try F.demand(Samples.path(to: .awaitingDispatch))
        let joined = UUID()
        func merger(_ reason: String) -> DemandAction {
            .merge(Merger(intoDemandID: joined, intoRegistrationNumber: F.number(.registration, 7), reason: reason))
        }
        #expect(throws: TransitionError.invalid(FieldIssue(code: "MISSING_FIELD", field: "reason", message: "请填写并单理由"))) {
            var copy = demand
            try copy.apply(merger(" \n"), by: F.dispatcher, at: time, context: F.context(for: copy, at: time))
        }
        #expect(throws: TransitionError.notAParty(.merge, "只能分办本级的诉求")) {
            var copy = demand
            try copy.apply(merger("重复"), by: F.cityDispatcher, at: time, context: F.context(for: copy, at: time))
        }
        #expect(throws: TransitionError.roleNotAllowed(.merge, .unitAdmin)) {
            var copy = demand
            try copy.apply(merger("重复"), by: F.unitAdmin, at: time, context: F.context(for: copy, at: time))
        }
        try demand.apply(merger("与该诉求反映同一事项"), by: F.dispatcher, at: time, context: F.context(for: demand, at: time))
        #expect(demand.state == .merged && demand.status.merger?.intoDemandID == joined)
        #expect(demand.status.currentUnitIDs.isEmpty)
        #expect(try F.planner.openDeadlines(for: demand).isEmpty)
        #expect(throws: TransitionError.notAllowedInState(.dispatch, .merged)) {
            try demand.apply(F.dispatchToLead, by: F.dispatcher, at: time, context: F.context(for: demand, at: time))
        }
    }

    @Test("Only a demand still open at its tier takes a duplicate")
    func joinableStates() {
        #expect(DemandState.allCases.filter(\.acceptsMergedDuplicates)
            == [.awaitingDispatch, .escalated, .awaitingSignature, .inProgress, .awaitingRating, .underSupervision,
                .awaitingClosureAgreement])
    }
}
