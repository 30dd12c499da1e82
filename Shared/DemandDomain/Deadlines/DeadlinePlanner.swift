import Foundation
import Tenancy

/// Computes a demand's deadlines from its history, a procedure and a calendar.
///
/// Deadlines are never stored as the truth: a service stores what this computes, and recomputes it
/// whenever the calendar changes (a late holiday notice, a tier's closure), so nothing goes stale.
///
/// Pauses: while the unit waits for a clarification the clock stops. Deadlines stay whole working
/// days ending at 24:00, so a pause gives back whole days: the day it began and the day it ended
/// do not count, and the clock runs again from the day after the resume with the days that were
/// left (均从次日开始计算). A step that was already overdue when paused stays overdue: the pause
/// gives back only days that were still there.
public struct DeadlinePlanner: Sendable {
    public let procedure: ProcedureProfile
    public let calendar: WorkingCalendar

    public init(procedure: ProcedureProfile, calendar: WorkingCalendar) {
        self.procedure = procedure
        self.calendar = calendar
    }

    // MARK: Open steps

    /// The deadlines running now, usually one (Lincang runs the result clock from dispatch, so a
    /// demand waiting for signature has two).
    public func openDeadlines(for demand: Demand) throws(CalendarError) -> [StepDeadline] {
        var result: [StepDeadline] = []
        for (step, start) in openSteps(of: demand) {
            result.append(try deadline(step: step, startIndex: start, history: demand.history,
                consultation: demand.status.content?.isConsultation ?? false))
        }
        return result
    }

    private func openSteps(of demand: Demand) -> [(DemandStep, Int)] {
        let history = demand.history
        func lastIndex(_ predicate: (Transition) -> Bool) -> Int? { history.lastIndex(where: predicate) }
        switch demand.state {
        case .awaitingReview?:
            return lastIndex { $0.to == .awaitingReview && $0.from != .awaitingReview }.map { [(.review, $0)] } ?? []
        case .awaitingDispatch?:
            return lastIndex { $0.to == .awaitingDispatch && $0.from != .awaitingDispatch }.map { [(.dispatch, $0)] } ?? []
        case .awaitingSignature?:
            guard let dispatch = lastIndex({ $0.kind == .dispatch }) else { return [] }
            return procedure.resultClockStart == .dispatched ? [(.sign, dispatch), (.result, dispatch)] : [(.sign, dispatch)]
        case .inProgress?:
            let startKind: DemandAction.Kind = procedure.resultClockStart == .signed ? .sign : .dispatch
            return lastIndex { $0.kind == startKind }.map { [(.result, $0)] } ?? []
        case .underSupervision?:
            // From an unsatisfied rating, the office's supervision of the answer, or a pairing leader
            // who did not agree to close it.
            return lastIndex { $0.to == .underSupervision && $0.from != .underSupervision }.map { [(.result, $0)] } ?? []
        case .awaitingRating?:
            return lastIndex { $0.kind == .submitResult }.map { [(.rating, $0)] } ?? []
        // The seeds give the pairing leader's agreement no time limit.
        case .returnedToEnterprise?, .escalated?, .awaitingClosureAgreement?, .closed?, .refused?, .merged?, nil:
            return []
        }
    }

    private func deadline(step: DemandStep, startIndex: Int, history: [Transition], consultation: Bool) throws(CalendarError)
        -> StepDeadline
    {
        let start = history[startIndex].at
        let later = history[(startIndex + 1)...]
        var budget = procedure.standardDays(for: step, consultation: consultation)
        var pauses: [(pausedAt: Date, resumedAt: Date?)] = []
        if step == .result {
            for transition in later {
                switch transition.action {
                case .decideExtension(let decision) where decision.granted:
                    budget += decision.days
                case .pauseClock:
                    pauses.append((transition.at, nil))
                case .resumeClock:
                    if let last = pauses.indices.last, pauses[last].resumedAt == nil {
                        pauses[last].resumedAt = transition.at
                    }
                default:
                    break
                }
            }
        }
        return try schedule(step: step, start: start, budgetDays: budget, pauses: pauses)
    }

    /// The deadline of a step that started at `start` with `budgetDays`, given its clock pauses.
    public func schedule(
        step: DemandStep,
        start: Date,
        budgetDays: Int,
        pauses: [(pausedAt: Date, resumedAt: Date?)] = []
    ) throws(CalendarError) -> StepDeadline {
        let clockStart = CivilDate(start).adding(days: 1).startInstant
        var remaining = TimeInterval(budgetDays) * CivilDate.secondsPerDay
        var periodStart = clockStart
        var deadline = StepDeadline(step: step, startedAt: start, budgetDays: budgetDays)
        for pause in pauses {
            let pauseDayStart = CivilDate(pause.pausedAt).startInstant
            if pauseDayStart > periodStart {
                let used = try calendar.workingTime(from: periodStart, to: pauseDayStart)
                if used >= remaining {
                    // Due before the day of this pause: the pause gives nothing back.
                    deadline.dueAt = try calendar.instant(afterWorkingTime: remaining, from: periodStart)
                    deadline.warnAt = try warning(step: step, remaining: remaining, from: periodStart)
                    return deadline
                }
                remaining -= used
            }
            guard let resumedAt = pause.resumedAt else {
                deadline.pausedSince = pause.pausedAt
                deadline.remainingWhenPaused = remaining
                return deadline
            }
            periodStart = max(CivilDate(resumedAt).adding(days: 1).startInstant, clockStart)
        }
        deadline.dueAt = try calendar.instant(afterWorkingTime: remaining, from: periodStart)
        deadline.warnAt = try warning(step: step, remaining: remaining, from: periodStart)
        return deadline
    }

    /// When only the threshold's working time is left: the latest such instant, so that a warning
    /// falls at the start of a working day rather than at midnight before a weekend.
    private func warning(step: DemandStep, remaining: TimeInterval, from periodStart: Date) throws(CalendarError) -> Date {
        let threshold = procedure.warningThreshold(for: step) * CivilDate.secondsPerDay
        let earliest = try calendar.instant(afterWorkingTime: max(0, remaining - threshold), from: periodStart)
        return try calendar.nextWorkingInstant(from: earliest)
    }

    // MARK: Status at an instant

    public func status(of deadline: StepDeadline, at now: Date) throws(CalendarError) -> DeadlineStatus {
        guard let due = deadline.dueAt else {
            return .paused(remainingDays: (deadline.remainingWhenPaused ?? 0) / CivilDate.secondsPerDay)
        }
        if now >= due {
            let late = try calendar.workingTime(from: due, to: now)
            return .overdue(workingDays: max(1, Int((late / CivilDate.secondsPerDay).rounded(.up))))
        }
        let remaining = try calendar.workingDays(from: now, to: due)
        if let warn = deadline.warnAt, now >= warn { return .dueSoon(remainingDays: remaining) }
        return .onTrack(remainingDays: remaining)
    }

    // MARK: Completions

    /// The steps that `transition` finished, judged against their deadlines just before it.
    ///
    /// Only a step's own action finishes it (a review by approval or send-back, routing by dispatch
    /// or escalation, signing by signing, the result by a result, the rating by a rating): a
    /// "not our remit" return or a send-back by a higher tier ends a clock without finishing its step.
    ///
    /// Lincang gives a dispatch to several departments, a major matter or an escalation 3 working
    /// days instead of 2; such a dispatch is judged against the longer limit.
    public func completions(of transition: Transition, before: Demand, after: Demand) throws(CalendarError)
        -> [StepCompletion]
    {
        let open = try openDeadlines(for: before)
        let stillOpen = try openDeadlines(for: after)
        var result: [StepCompletion] = []
        for deadline in open {
            let continues = stillOpen.contains { $0.step == deadline.step && $0.startedAt == deadline.startedAt }
            guard !continues, Self.finishes(transition.kind, deadline.step) else { continue }
            var due = deadline.dueAt
            if deadline.step == .dispatch, usesComplexDispatchLimit(transition.action) {
                due = try schedule(step: .dispatch, start: deadline.startedAt,
                    budgetDays: procedure.complexDispatchDays).dueAt
            }
            result.append(
                StepCompletion(
                    step: deadline.step,
                    startedAt: deadline.startedAt,
                    dueAt: due,
                    completedAt: transition.at,
                    onTime: due.map { transition.at <= $0 } ?? true,
                    workingDaysTaken: try calendar.workingDays(from: deadline.startedAt, to: transition.at)
                ))
        }
        return result
    }

    static func finishes(_ kind: DemandAction.Kind, _ step: DemandStep) -> Bool {
        switch step {
        case .review: kind == .approve || kind == .sendBack
        case .dispatch: kind == .dispatch || kind == .escalate
        case .sign: kind == .sign
        case .result: kind == .submitResult
        case .rating: kind == .rate
        }
    }

    private func usesComplexDispatchLimit(_ action: DemandAction) -> Bool {
        switch action {
        case .escalate: true
        case .dispatch(let assignment): assignment.complexity != .singleDepartment
        default: false
        }
    }

    // MARK: Context for the state machine

    /// The facts the state machine needs about time: whether the unit's step is overdue, and how far
    /// the result step may be extended.
    public func transitionContext(
        for demand: Demand,
        parentTier: TenantID?,
        supervisingTenants: Set<TenantID>,
        at now: Date
    ) throws(CalendarError) -> TransitionContext {
        let open = try openDeadlines(for: demand)
        var overdue = false
        for deadline in open where deadline.step == .sign || deadline.step == .result {
            if try status(of: deadline, at: now).isOverdue { overdue = true }
        }
        let result = open.first { $0.step == .result }
        let resultStart = result?.startedAt ?? now
        return TransitionContext(
            procedure: procedure,
            parentTier: parentTier,
            supervisingTenants: supervisingTenants,
            currentStepOverdue: overdue,
            resultCapDays: try capDays(procedure.extensionCap, after: resultStart),
            majorMatterCapDays: try capDays(procedure.majorMatterCap, after: resultStart),
            currentResultBudgetDays: result?.budgetDays ?? procedure.resultDays,
            today: CivilDate(now)
        )
    }

    private func capDays(_ cap: ProcedureProfile.ResultCap, after start: Date) throws(CalendarError) -> Int {
        switch cap {
        case .workingDays(let days): days
        case .calendarMonths(let months): try calendar.workingDays(inCalendarMonths: months, after: start)
        }
    }
}
