import DemandDomain
import Foundation
import InputValidation
import Tenancy

/// Shared test data: one city with two districts, people in each role, and a valid demand form.
enum Fixtures {
    static let shiyan = Tenant(
        id: "shiyan", name: "十堰市", shortName: "十堰", level: .city, parent: nil, procedure: "shiyan",
        smsSignature: "【十堰市双千办】", platformName: "十堰亲清企业服务信息平台")
    static let maojian = Tenant(
        id: "maojian", name: "茅箭区", shortName: "茅箭", level: .county, parent: "shiyan", procedure: "shiyan",
        smsSignature: "【茅箭区双千办】", platformName: "十堰亲清企业服务信息平台")
    static let zhangwan = Tenant(
        id: "zhangwan", name: "张湾区", shortName: "张湾", level: .county, parent: "shiyan", procedure: "shiyan",
        smsSignature: "【张湾区双千办】", platformName: "十堰亲清企业服务信息平台")

    static let tree = try! TenantTree([shiyan, maojian, zhangwan])
    static let calendar = try! WorkingCalendar.official()

    static let enterprise = Actor(role: .enterprise, tenant: "maojian", id: "p-ent-1", enterpriseID: "ent-1")
    static let otherEnterprise = Actor(role: .enterprise, tenant: "maojian", id: "p-ent-2", enterpriseID: "ent-2")
    static let cadre = Actor(role: .cadre, tenant: "maojian", id: "cadre-1")
    static let otherCadre = Actor(role: .cadre, tenant: "maojian", id: "cadre-2")
    static let dispatcher = Actor(role: .dispatcher, tenant: "maojian", id: "disp-mj")
    static let cityDispatcher = Actor(role: .dispatcher, tenant: "shiyan", id: "disp-sy")
    static let unitAdmin = Actor(role: .unitAdmin, tenant: "maojian", id: "ua-1", unitID: "unit-mj-jxj")
    static let otherUnitAdmin = Actor(role: .unitAdmin, tenant: "maojian", id: "ua-2", unitID: "unit-mj-zjj")
    static let office = Actor(role: .office, tenant: "maojian", id: "office-mj")
    static let cityOffice = Actor(role: .office, tenant: "shiyan", id: "office-sy")
    static let inspector = Actor(role: .inspector, tenant: "shiyan", id: "insp-1")
    static let system = Actor.system("maojian", component: "test")

    static let party = EnterpriseParty(id: "ent-1", tenant: "maojian", pairedCadreID: "cadre-1")
    static let smallEnterpriseParty = EnterpriseParty(id: "ent-1", tenant: "maojian", pairedCadreID: nil)

    static let leadUnit = UnitRef(id: "unit-mj-jxj", name: "茅箭区经信局", tenant: "maojian")
    static let coopUnit = UnitRef(id: "unit-mj-zjj", name: "茅箭区住建局", tenant: "maojian")

    /// A valid unified social credit code (check character computed by the GB 32100 rule).
    static let creditCode = "91420300MA49XXXX0" + String(UnifiedSocialCreditCode.checkCharacter(forPrefix: "91420300MA49XXXX0")!)

    static let form = DemandForm(
        enterprise: .init(name: "十堰示例汽车零部件有限公司", creditCode: "91350100M000100Y43", address: "十堰市茅箭区示例路1号"),
        contact: .init(name: "王示例", title: "办公室主任", phone: "19900001001", email: "wang@example.com"),
        channel: .platform,
        category: .powerSupply,
        industryGroup: .economyAndIT,
        difficulty: "新厂区用电容量不足，影响二期生产线投产。",
        helpWanted: "协调供电公司加快专线增容审批。"
    )

    static var content: DemandContent { try! form.validated() }

    static func number(_ kind: DocumentNumber.Kind, _ sequence: Int, office: String = "茅箭") -> DocumentNumber {
        DocumentNumber(office: office, kind: kind, year: 2024, sequence: sequence)
    }

    static let procedure = ProcedureProfile.shiyan
    static let planner = DeadlinePlanner(procedure: .shiyan, calendar: calendar)

    static func context(
        for demand: Demand, at time: Date, procedure: ProcedureProfile = .shiyan, closureNeedsPairingLeader: Bool = false
    ) -> TransitionContext {
        let policy = AccessPolicy(tree: tree)
        var context = try! DeadlinePlanner(procedure: procedure, calendar: calendar).transitionContext(
            for: demand, parentTier: tree[demand.tenant]?.parent,
            supervisingTenants: policy.supervisingTenants(of: demand.tenant), at: time)
        context.closureNeedsPairingLeader = closureNeedsPairingLeader
        return context
    }

    /// An instant in Shanghai time.
    static func shanghai(_ date: String, _ hour: Int = 10, _ minute: Int = 0) -> Date {
        CivilDate(date)!.startInstant.addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
    }

    /// Applies a list of actions at successive minutes, failing the test on the first refusal.
    static func demand(
        tenant: TenantID = "maojian",
        start: Date = shanghai("2024-03-04"),
        procedure: ProcedureProfile = .shiyan,
        closureNeedsPairingLeader: Bool = false,
        _ steps: [(DemandAction, Actor)]
    ) throws -> Demand {
        var demand = Demand(id: UUID(), tenant: tenant)
        var time = start
        for (action, actor) in steps {
            let context = context(for: demand, at: time, procedure: procedure, closureNeedsPairingLeader: closureNeedsPairingLeader)
            try demand.apply(action, by: actor, at: time, context: context)
            time = time.addingTimeInterval(60)
        }
        return demand
    }

    static var submit: DemandAction {
        .submit(Submission(content: content, enterprise: party, registrationNumber: number(.registration, 1)))
    }
    /// Approved by the deputy head, as Lincang asks of a dispatch to several departments (Shiyan
    /// records no approval and ignores it).
    static var dispatchToLead: DemandAction {
        .dispatch(Assignment(leadUnit: leadUnit, cooperatingUnits: [coopUnit], number: number(.dispatch, 1),
            approval: deputyHeadApproval))
    }
    static let deputyHeadApproval = LeaderApproval(level: .deputyHead, leader: "王副组长", approvedOn: CivilDate("2024-03-04")!)
    static var resultA: DemandAction { .submitResult(ResultReport(resultClass: .a, answer: "已协调供电公司完成增容。")) }

    /// The Shiyan journey up to a submitted result.
    static var throughResult: [(DemandAction, Actor)] {
        [
            (submit, enterprise),
            (.approve(Approval()), cadre),
            (dispatchToLead, dispatcher),
            (.sign(Signature()), unitAdmin),
            (resultA, unitAdmin),
        ]
    }
}
