import DemandDomain
import Foundation
import InputValidation
import Tenancy
import Testing

@Suite("Deadlines, pauses, extensions")
struct DeadlineTests {
    typealias F = Fixtures

    func day(_ text: String) -> Date { CivilDate(text)!.startInstant }

    /// Shiyan demand signed on Monday 4 March 2024 around 10:03; the result is due after 15 working
    /// days counted from Tuesday 5 March: the end of Monday 25 March.
    func signed(extra: [(DemandAction, Actor)] = []) throws -> Demand {
        try F.demand(Samples.path(to: .inProgress) + extra)
    }

    func resultDeadline(_ demand: Demand, planner: DeadlinePlanner = F.planner) throws -> StepDeadline {
        try #require(try planner.openDeadlines(for: demand).first { $0.step == .result })
    }

    @Test("Each Shiyan step is due one working day after the day it starts, the result after 15")
    func shiyanSteps() throws {
        let submitted = try F.demand([(F.submit, F.enterprise)])
        #expect(try F.planner.openDeadlines(for: submitted).map(\.step) == [.review])
        #expect(try F.planner.openDeadlines(for: submitted).first?.dueAt == day("2024-03-06"))
        let result = try resultDeadline(try signed())
        #expect(result.dueAt == day("2024-03-26"))
        #expect(result.warnAt == day("2024-03-25"))
        let rating = try F.demand(Fixtures.throughResult)
        #expect(try F.planner.openDeadlines(for: rating).first?.step == .rating)
        #expect(try F.planner.openDeadlines(for: rating).first?.dueAt == day("2024-03-12"))
        // The enterprise is reminded on the third of its five working days (Thursday 7 March).
        #expect(try F.planner.openDeadlines(for: rating).first?.warnAt == day("2024-03-07"))
    }

    @Test("Status at an instant: on track, due soon, overdue by whole working days")
    func statuses() throws {
        let deadline = try resultDeadline(try signed())
        guard case .onTrack = try F.planner.status(of: deadline, at: F.shanghai("2024-03-20")) else {
            Issue.record("expected on track"); return
        }
        #expect(try F.planner.status(of: deadline, at: F.shanghai("2024-03-25", 12)) == .dueSoon(remainingDays: 0.5))
        #expect(try F.planner.status(of: deadline, at: F.shanghai("2024-03-27", 10)) == .overdue(workingDays: 2))
        // Saturday after a Friday deadline: no working time has passed yet beyond the due instant.
        let friday = try F.planner.schedule(step: .sign, start: F.shanghai("2024-03-07"), budgetDays: 1)
        #expect(friday.dueAt == day("2024-03-09"))
        #expect(try F.planner.status(of: friday, at: F.shanghai("2024-03-10", 20)) == .overdue(workingDays: 1))
    }

    @Test("A pause gives back whole working days: the clock runs again the day after the resume")
    func pauseAndResume() throws {
        let paused = try F.demand(Samples.path(to: .inProgress)
            + [(.pauseClock(ClockPause(reason: "等待企业补充材料")), F.unitAdmin)])
        // Pause at Tuesday 12 March 12:00: of the 15 days from Tuesday 5 March, the five before
        // the 12th are used; the 12th itself is given back whole.
        var demand = try F.demand(Samples.path(to: .inProgress))
        let pauseAt = F.shanghai("2024-03-12", 12)
        try demand.apply(.pauseClock(ClockPause(reason: "等待企业补充材料")), by: F.unitAdmin, at: pauseAt,
            context: F.context(for: demand, at: pauseAt))
        let whilePaused = try resultDeadline(demand)
        #expect(whilePaused.isPaused)
        #expect(whilePaused.remainingWhenPaused == 10.0 * 86_400)
        // Long after the original due date the paused step is still not overdue.
        #expect(try F.planner.status(of: whilePaused, at: F.shanghai("2024-03-27")) == .paused(remainingDays: 10))
        #expect(paused.status.clockPausedSince != nil)

        // Resumed Wednesday 20 March 12:00: ten days from Thursday 21 March end with Wednesday
        // 3 April at 24:00, not at noon.
        let resumeAt = F.shanghai("2024-03-20", 12)
        try demand.apply(.resumeClock(ClockResume()), by: F.unitAdmin, at: resumeAt, context: F.context(for: demand, at: resumeAt))
        let resumed = try resultDeadline(demand)
        #expect(resumed.dueAt == day("2024-04-04"))
        #expect(!(try F.planner.transitionContext(for: demand, parentTier: "shiyan", supervisingTenants: ["maojian"],
            at: resumeAt.addingTimeInterval(60)).currentStepOverdue))
    }

    @Test("A pause begun and ended on one day gives that whole day back")
    func pauseWithinOneDay() throws {
        var demand = try F.demand(Samples.path(to: .inProgress))
        for (action, hour) in [(DemandAction.pauseClock(ClockPause(reason: "电话核实诉求")), 10), (.resumeClock(ClockResume()), 15)] {
            let time = F.shanghai("2024-03-12", hour)
            try demand.apply(action, by: F.unitAdmin, at: time, context: F.context(for: demand, at: time))
        }
        // One day later than the unpaused due date (the end of Monday 25 March).
        #expect(try resultDeadline(demand).dueAt == day("2024-03-27"))
    }

    @Test("A consultation is answered on its own short clock: 3 working days from signing instead of 15")
    func consultation() throws {
        var form = F.form
        form.isConsultation = true
        let content = try form.validated()
        let submit = DemandAction.submit(Submission(content: content, enterprise: F.party, registrationNumber: F.number(.registration, 1)))
        let demand = try F.demand([(submit, F.enterprise)] + Array(Samples.path(to: .inProgress).dropFirst()))
        // Signed on Monday 4 March: Tuesday to Thursday.
        #expect(try resultDeadline(demand).dueAt == day("2024-03-08"))
        #expect(try resultDeadline(demand).budgetDays == 3)
    }

    @Test("A step already overdue when paused stays overdue")
    func pauseAfterDue() throws {
        var demand = try F.demand(Samples.path(to: .inProgress))
        let pauseAt = F.shanghai("2024-03-27", 9)
        try demand.apply(.pauseClock(ClockPause(reason: "等待澄清")), by: F.unitAdmin, at: pauseAt,
            context: F.context(for: demand, at: pauseAt))
        let deadline = try resultDeadline(demand)
        #expect(deadline.dueAt == day("2024-03-26"))
        #expect(try F.planner.status(of: deadline, at: F.shanghai("2024-03-28")).isOverdue)
    }

    @Test("A granted extension moves the due date; a refused one does not")
    func extensions() throws {
        let granted = try signed(extra: [
            (.requestExtension(ExtensionRequest(days: 5, reason: "需现场勘查")), F.unitAdmin),
            (.decideExtension(ExtensionDecision(granted: true, days: 5)), F.office),
        ])
        #expect(try resultDeadline(granted).dueAt == day("2024-04-02"))
        #expect(try resultDeadline(granted).budgetDays == 20)
        let refused = try signed(extra: [
            (.requestExtension(ExtensionRequest(days: 5, reason: "需现场勘查")), F.unitAdmin),
            (.decideExtension(ExtensionDecision(granted: false, days: 0, comment: "不予延期")), F.office),
        ])
        #expect(try resultDeadline(refused).dueAt == day("2024-03-26"))
    }

    @Test("When the calendar changes, open deadlines are recomputed from the history")
    func calendarChange() throws {
        let demand = try signed()
        let closed = try WorkingCalendar.official(adjustments: [
            TierDayAdjustment(date: CivilDate("2024-03-14")!, kind: .closure, reason: "停电停止办公")
        ])
        let replanned = DeadlinePlanner(procedure: .shiyan, calendar: closed)
        #expect(try resultDeadline(demand).dueAt == day("2024-03-26"))
        #expect(try resultDeadline(demand, planner: replanned).dueAt == day("2024-03-27"))
    }

    @Test("Lincang runs the result clock from dispatch: 5 working days, both clocks open before signing")
    func lincangResultClock() throws {
        let demand = try F.demand(procedure: .lincang, [(F.submit, F.enterprise), (F.dispatchToLead, F.dispatcher)])
        let planner = DeadlinePlanner(procedure: .lincang, calendar: F.calendar)
        let open = try planner.openDeadlines(for: demand)
        #expect(open.map(\.step) == [.sign, .result])
        #expect(open.last?.dueAt == day("2024-03-12"))
    }

    @Test("Lincang judges a multi-department dispatch against 3 working days, a single one against 2")
    func lincangDispatchLimits() throws {
        let planner = DeadlinePlanner(procedure: .lincang, calendar: F.calendar)
        let waiting = try F.demand(procedure: .lincang, [(F.submit, F.enterprise)])
        let late = F.shanghai("2024-03-07", 10)
        func completion(_ complexity: DispatchComplexity) throws -> StepCompletion {
            var after = waiting
            let assignment = Assignment(leadUnit: F.leadUnit, cooperatingUnits: [F.coopUnit], number: F.number(.dispatch, 1),
                complexity: complexity, approval: F.deputyHeadApproval)
            let transition = try after.apply(.dispatch(assignment), by: F.dispatcher, at: late,
                context: F.context(for: after, at: late, procedure: .lincang))
            return try #require(try planner.completions(of: transition, before: waiting, after: after).first)
        }
        #expect(try completion(.singleDepartment).onTime == false)
        #expect(try completion(.multipleDepartments).onTime == true)
        #expect(try completion(.singleDepartment).dueAt == day("2024-03-07"))
    }

    @Test("Completions record the step, its due time and the working days taken")
    func completions() throws {
        let before = try F.demand([(F.submit, F.enterprise)])
        var after = before
        let time = F.shanghai("2024-03-05", 16)
        let transition = try after.apply(.approve(Approval()), by: F.cadre, at: time, context: F.context(for: after, at: time))
        let done = try F.planner.completions(of: transition, before: before, after: after)
        #expect(done.count == 1)
        #expect(done.first?.step == .review)
        #expect(done.first?.onTime == true)
        #expect(done.first?.workingDaysTaken == 30.0 / 24.0)
    }

    @Test("Lincang's one-month cap for major matters becomes a working-day budget")
    func majorMatterCap() throws {
        let demand = try F.demand(procedure: .lincang, [(F.submit, F.enterprise), (F.dispatchToLead, F.dispatcher)])
        let planner = DeadlinePlanner(procedure: .lincang, calendar: F.calendar)
        let context = try planner.transitionContext(for: demand, parentTier: "shiyan", supervisingTenants: ["maojian"],
            at: F.shanghai("2024-03-05"))
        #expect(context.resultCapDays == 15)
        // 5 March through 4 April 2024: 23 weekdays, Qingming (4 April) off.
        #expect(context.majorMatterCapDays == 22)
    }
}

@Suite("Step completions")
struct CompletionTests {
    typealias F = Fixtures

    @Test("A return ends the signing clock without counting as a signing")
    func returnIsNoSigning() throws {
        let before = try F.demand(Samples.path(to: .awaitingSignature))
        var after = before
        let time = F.shanghai("2024-03-05", 9)
        let transition = try after.apply(Samples.byKind[.returnNotOurRemit]!.0, by: F.unitAdmin, at: time,
            context: F.context(for: after, at: time))
        #expect(try F.planner.completions(of: transition, before: before, after: after).isEmpty)
        let signed = try F.demand(Samples.path(to: .awaitingSignature))
        var signedAfter = signed
        let signing = try signedAfter.apply(.sign(Signature()), by: F.unitAdmin, at: time, context: F.context(for: signed, at: time))
        #expect(try F.planner.completions(of: signing, before: signed, after: signedAfter).map(\.step) == [.sign])
    }
}
