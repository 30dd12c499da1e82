import DemandDomain
import Foundation
import InputValidation
import PropertyBased
import Tenancy
import Testing

@Suite("Lifecycle properties")
struct LifecyclePropertyTests {
    typealias F = Fixtures

    /// Every sample action with every actor who might try it, right or wrong.
    static let attempts: [(DemandAction, Actor)] = {
        let actors = [F.enterprise, F.otherEnterprise, F.cadre, F.otherCadre, F.dispatcher, F.cityDispatcher, F.unitAdmin,
            F.otherUnitAdmin, F.office, F.cityOffice, F.inspector, F.system]
        var result: [(DemandAction, Actor)] = []
        // Deterministic, so that a fixed seed reproduces a failure: each right attempt three
        // times, and two wrong actors per action.
        for (index, kind) in DemandAction.Kind.allCases.enumerated() {
            let sample = Samples.byKind[kind]!
            result += [sample, sample, sample]
            result.append((sample.0, actors[index % actors.count]))
            result.append((sample.0, actors[(index + 5) % actors.count]))
        }
        result.append((.rate(Rating(satisfied: false, comment: "不满意")), F.enterprise))
        result.append((.decideClosure(ClosureDecision(agreed: false, leader: "李副区长", decidedOn: CivilDate("2024-03-04")!,
            comment: "企业厂房供电尚未恢复")), F.office))
        return result
    }()

    @Test("Random actions leave a demand in a reachable state whose history replays to it")
    func randomActions() async {
        let attempts = Self.attempts
        await propertyCheck(count: 300, input: Gen.int(in: 0...(attempts.count - 1)).array(of: 1...60),
            Gen.int(in: 1...600)) { choices, stepMinutes in
            var demand = Demand(id: UUID(), tenant: "maojian")
            var time = F.shanghai("2024-03-04", 9)
            var applied = 0
            // Half the runs in a tier whose pairing leader agrees to each closure (Fuyuan).
            let closureNeedsPairingLeader = stepMinutes.isMultiple(of: 2)
            for index in choices {
                let (action, actor) = attempts[index]
                let before = demand
                do {
                    try demand.apply(action, by: actor, at: time,
                        context: F.context(for: demand, at: time, closureNeedsPairingLeader: closureNeedsPairingLeader))
                    applied += 1
                } catch {
                    #expect(demand == before, "refused \(action.kind) changed the demand")
                }
                time = time.addingTimeInterval(TimeInterval(stepMinutes * 60))
            }
            #expect(demand.history.count == applied)
            // The history replays to the very same demand, through its JSON form as well.
            let replayed = try? Demand(id: demand.id, tenant: demand.tenant, history: demand.history)
            #expect(replayed == demand)
            let data = try! JSONEncoder().encode(demand.history)
            let decoded = try! JSONDecoder().decode([Transition].self, from: data)
            #expect((try? Demand(id: demand.id, tenant: demand.tenant, history: decoded)) == demand)
            Self.checkInvariants(demand)
        }
    }

    /// What must hold in each state, whatever path led there.
    static func checkInvariants(_ demand: Demand) {
        let status = demand.status
        switch demand.state {
        case nil:
            #expect(demand.history.isEmpty)
        case .awaitingSignature?, .inProgress?, .underSupervision?:
            #expect(status.assignment != nil)
        case .awaitingRating?:
            #expect(status.lastResult != nil)
        case .escalated?:
            #expect(status.escalation != nil)
        case .closed?:
            // A call-back or a class-B completion report may follow the closing (they leave the
            // demand closed), so what closed it is the last transition into 已办结.
            let closing = demand.history.last { $0.to == .closed && $0.from != .closed }
            #expect(status.lastRating?.satisfied == true || closing?.kind == .closeUnrated
                || closing?.kind == .decideClosure || status.outcome?.isClosed == true)
        case .awaitingClosureAgreement?:
            let accepted = demand.history.last { $0.to == .awaitingClosureAgreement }
            #expect(accepted?.kind == .closeUnrated || status.lastRating?.satisfied == true)
        case .returnedToEnterprise?:
            #expect(status.lastSendBack != nil)
        case .refused?:
            #expect(status.refusal != nil)
        case .merged?:
            #expect(status.merger != nil && status.currentUnitIDs.isEmpty)
        case .awaitingReview?, .awaitingDispatch?:
            break
        }
        if demand.state != nil {
            #expect(status.content != nil && status.registrationNumber != nil)
        }
        for (index, transition) in demand.history.enumerated() {
            #expect(transition.sequence == index + 1)
            #expect(index == 0 || transition.from == demand.history[index - 1].to)
        }
    }
}
