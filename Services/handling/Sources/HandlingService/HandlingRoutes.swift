import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import OfficeDocuments
import PlatformEvents
import ServiceRuntime
import Tenancy

/// Handling's HTTP API (see `openapi.yaml` beside this file).
struct HandlingRoutes {
    let handling: HandlingWorkflow

    struct Note: Decodable { var note: String? }
    struct SignBody: Decodable {
        var note: String?
        var responsibleLeader: String?
        var handler: String?
    }
    struct Text: Decodable { var text: String }
    struct Reason: Decodable { var reason: String }
    struct ExtensionBody: Decodable {
        var days: Int
        var reason: String
        var majorMatter: Bool?
    }
    struct DecisionBody: Decodable {
        var granted: Bool
        var days: Int?
        var comment: String?
    }
    struct ResultBody: Decodable {
        var resultClass: ResultClass
        var answer: String
        var plan: String?
        var plannedCompletion: CivilDate?
        var explanation: String?
        var reviewedBy: String?
    }
    struct ReturnBody: Decodable {
        var reason: String
        var suggestion: String
    }
    struct RatingBody: Decodable {
        var satisfied: Bool
        var comment: String?
    }
    struct UrgeBody: Decodable { var note: String }

    func register(on router: Router<AppRequestContext>) {
        router.get("ledger", use: ledger)
        let demands = router.group("demands")
            .get(":id", use: show)
            .get(":id/dispatch-slip", use: dispatchSlipFields)
            .document(":id/reply", pdf: handling.runtime.pdf, replyForm)
            .document(":id/urge-letter", pdf: handling.runtime.pdf, urgeLetter)
            .document(":id/dispatch-slip", pdf: handling.runtime.pdf, dispatchSlip)
            .post(":id/extension/decision", use: decideExtension)
            .post(":id/urge", use: urge)
        action("sign", SignBody.self, on: demands) {
            .sign(Signature(note: $0.note, responsibleLeader: $0.responsibleLeader, handler: $0.handler))
        }
        action("notes", Text.self, on: demands) { .addProgressNote(ProgressNote(text: $0.text)) }
        action("opinions", Text.self, on: demands) { .submitOpinion(CooperationOpinion(text: $0.text)) }
        action("pause", Reason.self, on: demands) { .pauseClock(ClockPause(reason: $0.reason)) }
        action("resume", Note.self, on: demands) { .resumeClock(ClockResume(note: $0.note)) }
        action("extension", ExtensionBody.self, on: demands) {
            .requestExtension(ExtensionRequest(days: $0.days, reason: $0.reason, majorMatter: $0.majorMatter ?? false))
        }
        action("result", ResultBody.self, on: demands) {
            .submitResult(ResultReport(resultClass: $0.resultClass, answer: $0.answer, plan: $0.plan,
                plannedCompletion: $0.plannedCompletion, explanation: $0.explanation, reviewedBy: $0.reviewedBy))
        }
        action("return", ReturnBody.self, on: demands) { .returnNotOurRemit(RemitReturn(reason: $0.reason, suggestion: $0.suggestion)) }
        action("rating", RatingBody.self, on: demands) { .rate(Rating(satisfied: $0.satisfied, comment: $0.comment)) }
        action("completion", CompletionReport.self, on: demands) { .reportCompletion($0) }
        action("flag", SupervisionFlag.self, on: demands) { .flagSupervision($0) }
        action("answer-supervision", AnswerSupervision.self, on: demands) { .superviseAnswer($0) }
        action("closure-decision", ClosureDecision.self, on: demands) { .decideClosure($0) }
        action("follow-ups", FollowUp.self, on: demands) { .recordFollowUp($0) }
        action("meetings", SupervisionMeeting.self, on: demands) { .recordMeeting($0) }
    }

    /// 台账: every demand the person may read in the tiers the filter names.
    @Sendable func ledger(_ request: Request, context: AppRequestContext) async throws -> [DemandListItem] {
        try await handling.ledger(for: try context.requirePrincipal(), filter: try DemandFilter(query: request.uri.queryParameters))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await handling.reader.answer(try context.demandID(), for: try context.requirePrincipal(), to: request)
    }

    /// 交办单 as fields, for the portal's page.
    @Sendable func dispatchSlipFields(_ request: Request, context: AppRequestContext) async throws -> DispatchSlip {
        try await handling.dispatchSlip(try context.demandID(), for: try context.requirePrincipal())
    }

    /// 交办单 as Word and PDF, in the layout of 003's form.
    @Sendable func dispatchSlip(_ request: Request, context: AppRequestContext) async throws -> (document: WordDocument, name: String) {
        let slip = try await handling.dispatchSlip(try context.demandID(), for: try context.requirePrincipal())
        return (slip.wordDocument(), "dispatch-slip-\(slip.number.filter(\.isASCII).filter(\.isNumber))")
    }

    /// The unit's reply (办理结果) as Word and PDF.
    @Sendable func replyForm(_ request: Request, context: AppRequestContext) async throws -> (document: WordDocument, name: String) {
        let view = try await handling.reader.view(try context.demandID(), for: try context.requirePrincipal())
        guard let reply = DemandForms.replyForm(view) else { throw APIError.notFound("办理结果") }
        return (reply, "reply")
    }

    /// The latest 催办函 as Word and PDF.
    @Sendable func urgeLetter(_ request: Request, context: AppRequestContext) async throws -> (document: WordDocument, name: String) {
        let view = try await handling.reader.view(try context.demandID(), for: try context.requirePrincipal())
        let issuer = view.history.last { $0.kind == .urge }.flatMap { handling.rules.tree[$0.actor.tenant]?.name } ?? ""
        guard let letter = DemandForms.urgeLetter(view, issuer: issuer) else { throw APIError.notFound("催办函") }
        return (letter, "urge-letter-\(view.lastUrge?.number.map { "\($0.year)-\($0.sequence)" } ?? "")")
    }

    /// The office decides an extension; granted without days, the days the unit asked for.
    @Sendable func decideExtension(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(DecisionBody.self, context: context)
        let demand = try await handling.perform(on: try context.demandID(), by: principal) { demand in
            .decideExtension(ExtensionDecision(granted: body.granted,
                days: body.days ?? demand.status.pendingExtension?.days ?? 0, comment: body.comment))
        }
        return DemandView(demand, rules: handling.rules)
    }

    @Sendable func urge(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let body = try await request.decodeJSON(UrgeBody.self, context: context)
        let demand = try await handling.urge(try context.demandID(), note: body.note, by: try context.requirePrincipal())
        return DemandView(demand, rules: handling.rules)
    }

    /// `POST /demands/{id}/<path>`: decode the body, take the action, answer with the demand.
    private func action<Body: Decodable & Sendable>(
        _ path: String,
        _ body: Body.Type,
        on group: RouterGroup<AppRequestContext>,
        _ makeAction: @escaping @Sendable (Body) -> DemandAction
    ) {
        group.post(":id/\(path)") { request, context in
            let principal = try context.requirePrincipal()
            let decoded = try await request.decodeJSON(Body.self, context: context)
            let demand = try await handling.perform(makeAction(decoded), on: try context.demandID(), by: principal)
            return DemandView(demand, rules: handling.rules)
        }
    }
}

extension DispatchSlip: ResponseEncodable {}
