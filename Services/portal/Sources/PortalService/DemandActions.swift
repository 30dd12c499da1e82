import DemandDomain
import Foundation
import InputValidation
import PlatformAPI
import Tenancy

/// The steps a person takes from a demand's page, each sent to the service that owns it. Returns
/// the message the next page shows.
struct DemandActions: Sendable {
    let client: PlatformClient
    let session: Session

    init(client: PlatformClient, session: Session) {
        // The page shown next reads the demand again; a step's answer only has to say it succeeded.
        var client = client
        client.prefersMinimalDemands = true
        self.client = client
        self.session = session
    }

    /// What the person sees next: a message, and the page to show it on when not the demand's own
    /// (a unit that returned a demand may no longer read it).
    struct Outcome {
        var message: String
        var nextPage: String?

        init(_ message: String, nextPage: String? = nil) {
            self.message = message
            self.nextPage = nextPage
        }
    }

    /// A required field left empty: the page says which.
    struct MissingField: Error {
        var message: String
    }

    func perform(_ action: String, on id: UUID, form: FormData) async throws -> Outcome {
        switch action {
        case "approve":
            _ = try await client.approve(session, id, comment: form["comment"])
            return Outcome("已审核通过，诉求已转分办员分办")
        case "refuse":
            guard let ground = form["ground"].flatMap(RefusalGround.init(rawValue:)) else {
                throw MissingField(message: "请选择不予受理的依据")
            }
            let waitingFor = form["waitingFor"].flatMap(DemandState.init(rawValue:)) ?? .awaitingDispatch
            _ = try await client.refuse(session, id, waitingFor: waitingFor,
                Refusal(ground: ground, explanation: try required(form, "explanation", "请填写不予受理的说明")))
            return Outcome("已决定不予受理，企业将收到短信")
        case "merge":
            guard let target = form["intoDemandID"].flatMap(UUID.init(uuidString:)) else {
                throw MissingField(message: "请选择要并入的诉求")
            }
            _ = try await client.merge(session, id, into: target, reason: try required(form, "reason", "请填写并单理由"))
            return Outcome("已并单，企业将收到短信")
        case "send-back":
            _ = try await client.sendBack(session, id, reason: try required(form, "reason", "请填写退回原因"))
            return Outcome("已退回企业")
        case "dispatch":
            let lead = try required(form, "leadUnitID", "请选择牵头单位")
            let cooperating = form.all("cooperatingUnitIDs").filter { !$0.isEmpty && $0 != lead }
            _ = try await client.route(session, id, lead: lead, cooperating: cooperating, approval: try approval(form))
            return Outcome("已分办至承办单位")
        case "escalate":
            _ = try await client.escalate(session, id, suggestion: try required(form, "suggestion", "请填写转报意见"),
                approval: try approval(form))
            return Outcome("已转报上级")
        case "sign":
            _ = try await client.handle(session, id, .sign, SignBody(note: form["note"] ?? "已签收",
                responsibleLeader: form["responsibleLeader"], handler: form["handler"]))
            return Outcome("已签收，请在时限内办理")
        case "opinions":
            _ = try await client.handle(session, id, .opinions, ["text": try required(form, "text", "请填写配合意见")])
            return Outcome("配合意见已提交牵头单位")
        case "result":
            _ = try await client.handle(session, id, .result, try resultBody(form))
            return Outcome("办理结果已提交，等待企业评价")
        case "return":
            _ = try await client.handle(session, id, .return, [
                "reason": try required(form, "reason", "请填写退回理由"),
                "suggestion": try required(form, "suggestion", "请填写建议承办单位"),
            ])
            return Outcome("已退回分办员重新分办", nextPage: "/home")
        case "notes":
            _ = try await client.handle(session, id, .notes, ["text": try required(form, "text", "请填写办理进展")])
            return Outcome("已记录办理进展")
        case "pause":
            _ = try await client.handle(session, id, .pause, ["reason": try required(form, "reason", "请填写暂停计时的原因")])
            return Outcome("已暂停计时")
        case "resume":
            _ = try await client.handle(session, id, .resume, ["note": form["note"] ?? "恢复办理"])
            return Outcome("已恢复计时")
        case "extension":
            guard let days = form["days"].flatMap(Int.init), days > 0 else { throw MissingField(message: "请填写延期的工作日数") }
            _ = try await client.handle(session, id, .extension, ExtensionBody(days: days,
                reason: try required(form, "reason", "请填写延期原因"), majorMatter: form["majorMatter"] == "true"))
            return Outcome("延期申请已提交，等待双千办审批")
        case "extension-decision":
            let granted = form["granted"] == "true"
            _ = try await client.handle(session, id, .extensionDecision, DecisionBody(granted: granted,
                days: form["days"].flatMap(Int.init), comment: form["comment"]))
            return Outcome(granted ? "已批准延期" : "已驳回延期申请")
        case "urge":
            let demand = try await client.handle(session, id, .urge, ["note": try required(form, "note", "请填写催办事项")])
            return Outcome("催办函\(demand.lastUrge?.number?.description ?? "")已发出，承办单位将收到短信")
        case "completion":
            _ = try await client.handle(session, id, .completion, ["text": try required(form, "text", "请填写完成情况")])
            return Outcome("已报告完成情况，企业和包联干部将收到短信")
        case "flag":
            _ = try await client.handle(session, id, .flag, ["reason": try required(form, "reason", "请填写挂牌督办事由")])
            return Outcome("已挂牌督办，办结前列入挂牌督办清单")
        case "answer-supervision":
            _ = try await client.handle(session, id, .answerSupervision, ["reason": try required(form, "reason", "请填写督办意见")])
            return Outcome("已退回承办单位重新办理，承办单位将收到短信")
        case "closure-decision":
            guard let choice = form["agreed"], choice == "true" || choice == "false" else {
                throw MissingField(message: "请选择包联领导是否同意销号")
            }
            guard let text = form["decidedOn"], let decidedOn = CivilDate(text) else { throw MissingField(message: "请填写领导同意的日期") }
            let agreed = choice == "true"
            let comment = form["comment"]
            if !agreed, comment == nil { throw MissingField(message: "不同意销号时请填写包联领导的意见") }
            _ = try await client.handle(session, id, .closureDecision, ClosureDecision(agreed: agreed,
                leader: try required(form, "leader", "请填写包联领导"), decidedOn: decidedOn, comment: comment))
            return Outcome(agreed ? "已记录包联领导同意，诉求已办结销号，企业将收到短信" : "已记录包联领导意见，诉求退回承办单位继续办理")
        case "follow-ups":
            guard let way = form["way"].flatMap(FollowUpWay.init(rawValue:)) else { throw MissingField(message: "请选择跟踪方式") }
            _ = try await client.handle(session, id, .followUps,
                FollowUp(way: way, note: try required(form, "note", "请填写跟踪情况"), enterpriseFeedback: form["enterpriseFeedback"]))
            return Outcome("已记录\(way.chineseName)，企业可在平台查看")
        case "meetings":
            _ = try await client.handle(session, id, .meetings, try meeting(form))
            return Outcome("已记录会议决定，承办单位将收到短信")
        case "rating":
            guard let choice = form["satisfied"], choice == "true" || choice == "false" else {
                throw MissingField(message: "请选择满意或不满意")
            }
            let satisfied = choice == "true"
            let comment = form["comment"]
            if !satisfied, comment == nil { throw MissingField(message: "不满意时请填写评价意见") }
            let rated = try await client.handle(session, id, .rating, RatingBody(satisfied: satisfied, comment: comment))
            guard satisfied else { return Outcome("已提交不满意评价，诉求将进入专项督办") }
            return Outcome(rated.state == .awaitingClosureAgreement ? "感谢评价，诉求经包联领导同意后办结销号" : "感谢评价，诉求已办结销号")
        default:
            throw PortalError.notFound
        }
    }

    struct SignBody: Encodable, Sendable {
        var note: String
        var responsibleLeader: String?
        var handler: String?
    }

    struct ExtensionBody: Encodable, Sendable {
        var days: Int
        var reason: String
        var majorMatter: Bool
    }

    struct DecisionBody: Encodable, Sendable {
        var granted: Bool
        var days: Int?
        var comment: String?
    }

    struct RatingBody: Encodable, Sendable {
        var satisfied: Bool
        var comment: String?
    }

    struct ResultBody: Encodable, Sendable {
        var resultClass: String
        var answer: String
        var plan: String?
        var plannedCompletion: String?
        var explanation: String?
        var reviewedBy: String?
    }

    func resultBody(_ form: FormData) throws -> ResultBody {
        guard let resultClass = form["resultClass"].flatMap(ResultClass.init(rawValue:)) else {
            throw MissingField(message: "请选择办理结果类别")
        }
        let body = ResultBody(resultClass: resultClass.rawValue, answer: try required(form, "answer", "请填写答复内容"),
            plan: form["plan"], plannedCompletion: form["plannedCompletion"], explanation: form["explanation"],
            reviewedBy: form["reviewedBy"])
        if resultClass == .b, body.plan == nil || body.plannedCompletion == nil {
            throw MissingField(message: "B类结果须填写解决计划和计划完成日期")
        }
        if resultClass == .c, body.explanation == nil { throw MissingField(message: "C类结果须说明暂不能解决的原因") }
        return body
    }

    /// The leader's approval of a routing, where the form has one (the tier's procedure asks for it).
    func approval(_ form: FormData) throws -> LeaderApproval? {
        guard let level = form["approvalLevel"] else { return nil }
        guard let parsed = LeaderApproval.Level(rawValue: level) else { throw MissingField(message: "请选择审批层级") }
        guard let text = form["approvalDate"], let date = CivilDate(text) else { throw MissingField(message: "请填写审批日期") }
        return LeaderApproval(level: parsed, leader: try required(form, "approvalLeader", "请填写审批领导"), approvedOn: date)
    }

    func meeting(_ form: FormData) throws -> SupervisionMeeting {
        guard let kind = form["kind"].flatMap(SupervisionMeetingKind.init(rawValue:)) else {
            throw MissingField(message: "请选择约谈或会办的方式")
        }
        guard let text = form["heldOn"], let heldOn = CivilDate(text) else { throw MissingField(message: "请填写召开日期") }
        var dueOn: CivilDate?
        if let text = form["dueOn"] {
            guard let date = CivilDate(text) else { throw MissingField(message: "落实期限的日期格式不正确") }
            dueOn = date
        }
        return SupervisionMeeting(kind: kind, heldOn: heldOn, attendees: try required(form, "attendees", "请填写参加人员"),
            decision: try required(form, "decision", "请填写约谈情况或会办决定"), dueOn: dueOn)
    }

    func required(_ form: FormData, _ field: String, _ message: String) throws -> String {
        guard let value = form[field] else { throw MissingField(message: message) }
        return value
    }
}
