import DemandDomain
import Foundation
import PlatformAPI

/// The steps a person takes from a demand's page, each sent to the service that owns it. Returns
/// the message the next page shows.
struct DemandActions: Sendable {
    let client: PlatformClient
    let session: Session

    /// A required field left empty: the page says which.
    struct MissingField: Error {
        var message: String
    }

    func perform(_ action: String, on id: UUID, form: FormData) async throws -> String {
        switch action {
        case "approve":
            _ = try await client.approve(session, id, comment: form["comment"])
            return "已审核通过，诉求已转分办员分办"
        case "send-back":
            _ = try await client.sendBack(session, id, reason: try required(form, "reason", "请填写退回原因"))
            return "已退回企业"
        case "dispatch":
            let lead = try required(form, "leadUnitID", "请选择牵头单位")
            let cooperating = form.all("cooperatingUnitIDs").filter { !$0.isEmpty && $0 != lead }
            _ = try await client.route(session, id, lead: lead, cooperating: cooperating)
            return "已分办至承办单位"
        case "escalate":
            _ = try await client.escalate(session, id, suggestion: try required(form, "suggestion", "请填写转报意见"))
            return "已转报上级"
        case "sign":
            _ = try await client.handle(session, id, .sign, ["note": form["note"] ?? "已签收"])
            return "已签收，请在时限内办理"
        case "result":
            _ = try await client.handle(session, id, .result, try resultBody(form))
            return "办理结果已提交，等待企业评价"
        case "return":
            _ = try await client.handle(session, id, .return, [
                "reason": try required(form, "reason", "请填写退回理由"),
                "suggestion": try required(form, "suggestion", "请填写建议承办单位"),
            ])
            return "已退回分办员重新分办"
        case "rating":
            guard let choice = form["satisfied"], choice == "true" || choice == "false" else {
                throw MissingField(message: "请选择满意或不满意")
            }
            let satisfied = choice == "true"
            let comment = form["comment"]
            if !satisfied, comment == nil { throw MissingField(message: "不满意时请填写评价意见") }
            _ = try await client.handle(session, id, .rating, RatingBody(satisfied: satisfied, comment: comment))
            return satisfied ? "感谢评价，诉求已办结销号" : "已提交不满意评价，诉求将进入专项督办"
        default:
            throw PortalError.notFound
        }
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
    }

    func resultBody(_ form: FormData) throws -> ResultBody {
        guard let resultClass = form["resultClass"].flatMap(ResultClass.init(rawValue:)) else {
            throw MissingField(message: "请选择办理结果类别")
        }
        let body = ResultBody(resultClass: resultClass.rawValue, answer: try required(form, "answer", "请填写答复内容"),
            plan: form["plan"], plannedCompletion: form["plannedCompletion"], explanation: form["explanation"])
        if resultClass == .b, body.plan == nil || body.plannedCompletion == nil {
            throw MissingField(message: "B类结果须填写解决计划和计划完成日期")
        }
        if resultClass == .c, body.explanation == nil { throw MissingField(message: "C类结果须说明暂不能解决的原因") }
        return body
    }

    func required(_ form: FormData, _ field: String, _ message: String) throws -> String {
        guard let value = form[field] else { throw MissingField(message: message) }
        return value
    }
}
