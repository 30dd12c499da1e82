import DemandDesk
import DemandDomain
import DemandStore
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import OfficeDocuments
import PlatformEvents
import ServiceRuntime
import Tenancy

/// Intake's HTTP API (see `openapi.yaml` beside this file).
struct IntakeRoutes {
    let intake: IntakeWorkflow

    /// A tier's whole directory, or a sheet of thousands of enterprises, is larger than a form.
    static let directoryFileLimit = 8 * 1024 * 1024

    struct LoginRequest: Decodable {
        var tier: String
        /// The unit the person logs in under; "" is the tier's own organs and its enterprises. Absent:
        /// any unit, when the name alone is unique in the tier.
        var unit: String?
        var login: String
        var password: String
    }

    /// The caller's mobile number (`null` when the roster has none).
    struct Phone: Codable, ResponseEncodable {
        var phone: String?
    }

    struct PasswordChange: Decodable {
        var currentPassword: String
        var newPassword: String
    }

    struct SubmitRequest: Codable {
        var form: DemandForm
        /// For a cadre or the office submitting on an enterprise's behalf.
        var enterpriseID: String?
        /// The office registers an enterprise not in the roster, from the form's particulars.
        var provisionalEnterprise: Bool?
    }

    struct EditRequest: Decodable {
        var form: DemandForm
        var note: String?
    }

    struct CommentRequest: Decodable {
        var comment: String?
    }

    struct ReasonRequest: Decodable {
        var reason: String
    }

    func register(on router: Router<AppRequestContext>) {
        router.post("auth/login", use: login)
        router.get("auth/units", use: loginUnits)
        router.get("me", use: me)
        router.get("me/phone", use: phone)
        router.put("me/phone", use: changePhone)
        router.post("me/password", use: changePassword)
        router.post("account-applications", use: applyForAccount)
        router.get("account-applications", use: accountApplications)
        router.post("account-applications/:id/decision", use: decideAccountApplication)
        router.get("notices", use: notices)
        router.postCreating("notices", NoticeInput.self, make: intake.publishNotice(_:by:))
        router.post("notices/:id/withdrawal", use: withdrawNotice)
        router.get("supervision/interviews", use: interviews)
        router.postCreating("supervision/interviews", UnitInterviewInput.self, make: intake.recordInterview(_:by:))
        router.get("briefs", use: briefs)
        router.postCreating("briefs", BriefInput.self, make: intake.submitBrief(_:by:))
        router.post("briefs/:id/decision", use: decideBrief)
        router.get("accounts", use: accounts)
        router.post("accounts/:subject/password-reset", use: resetPassword)
        router.put("admin/directory", use: importDirectory)
        router.post("admin/directory/sheets/:kind", use: importSheet)
        router.get("directory/enterprises", use: enterprises)
        let attachments = AttachmentRoutes(attachments: DemandAttachments(intake: intake))
        router.group("demands")
            .post(use: submit)
            .get(use: list)
            .get(":id", use: show)
            .get(":id/attachments", use: attachments.list)
            .post(":id/attachments", use: attachments.add)
            .get(":id/attachments/:attachmentID", use: attachments.download)
            .document(":id/registration-form", pdf: intake.runtime.pdf, registrationForm)
            .put(":id", use: edit)
            .post(":id/approve", use: approve)
            .post(":id/send-back", use: sendBack)
            .post(":id/refusal", use: refuse)
            .post(":id/resubmit", use: resubmit)
    }

    // MARK: Sign-in and one's own account

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> IntakeWorkflow.LoginResult {
        let body = try await request.decodeJSON(LoginRequest.self, context: context)
        return try await intake.login(tier: body.tier, unit: body.unit, login: body.login, password: body.password,
            from: clientAddress(request, context))
    }

    @Sendable func loginUnits(_ request: Request, context: AppRequestContext) async throws -> [IntakeWorkflow.LoginUnit] {
        try await intake.loginUnits()
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> Principal {
        try context.requirePrincipal()
    }

    @Sendable func phone(_ request: Request, context: AppRequestContext) async throws -> Phone {
        Phone(phone: try await intake.phone(of: try context.requirePrincipal())?.digits)
    }

    @Sendable func changePhone(_ request: Request, context: AppRequestContext) async throws -> Phone {
        let body = try await request.decodeJSON(Phone.self, context: context)
        return Phone(phone: try await intake.changePhone(of: try context.requirePrincipal(), to: body.phone ?? "").digits)
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(PasswordChange.self, context: context)
        try await intake.changePassword(for: try context.requirePrincipal(), current: body.currentPassword, new: body.newPassword,
            from: clientAddress(request, context))
        return Response(status: .noContent)
    }

    private func clientAddress(_ request: Request, _ context: AppRequestContext) -> String {
        context.clientAddress(of: request, trustedProxies: intake.runtime.settings.trustedProxies)
    }

    // MARK: Accounts

    @Sendable func applyForAccount(_ request: Request, context: AppRequestContext) async throws -> IntakeWorkflow.AccountApplication {
        let body = try await request.decodeJSON(AccountApplicationInput.self, context: context)
        return try await intake.apply(body, from: clientAddress(request, context))
    }

    @Sendable func accountApplications(_ request: Request, context: AppRequestContext) async throws
        -> [IntakeWorkflow.AccountApplication] {
        try await intake.applications(for: try context.requirePrincipal(), pendingOnly: request.uri.queryParameters.get("state") != "all")
    }

    @Sendable func decideAccountApplication(_ request: Request, context: AppRequestContext) async throws
        -> IntakeWorkflow.AccountApplication {
        let body = try await request.decodeJSON(IntakeWorkflow.ApplicationDecision.self, context: context)
        let id = try context.uuid(of: "账号申请")
        return try await intake.decide(id, body, by: try context.requirePrincipal())
    }

    @Sendable func accounts(_ request: Request, context: AppRequestContext) async throws -> [IntakeWorkflow.Account] {
        let query = request.uri.queryParameters
        return try await intake.accounts(for: try context.requirePrincipal(), unit: try query.unitID(),
            search: try query.searchText(describing: "姓名或企业名称"), limit: try query.pageLimit())
    }

    @Sendable func resetPassword(_ request: Request, context: AppRequestContext) async throws -> IntakeWorkflow.PasswordReset {
        try await intake.resetPassword(of: context.parameters.get("subject") ?? "", by: try context.requirePrincipal())
    }

    // MARK: Notices, interviews, briefs

    @Sendable func notices(_ request: Request, context: AppRequestContext) async throws -> [IntakeWorkflow.Notice] {
        let query = request.uri.queryParameters
        let notices = IntakeWorkflow.NoticeQuery(kind: try query.option("kind"), category: try query.option("category"),
            search: try query.searchText(describing: "标题或正文中的文字"))
        return try await intake.notices(notices, for: try context.requirePrincipal())
    }

    @Sendable func withdrawNotice(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.uuid(of: "公告")
        try await intake.withdrawNotice(id, by: try context.requirePrincipal())
        return Response(status: .noContent)
    }

    @Sendable func interviews(_ request: Request, context: AppRequestContext) async throws -> [IntakeWorkflow.UnitInterview] {
        try await intake.interviews(for: try context.requirePrincipal())
    }

    @Sendable func briefs(_ request: Request, context: AppRequestContext) async throws -> [IntakeWorkflow.Brief] {
        try await intake.briefs(state: try request.uri.queryParameters.option("state"), for: try context.requirePrincipal())
    }

    @Sendable func decideBrief(_ request: Request, context: AppRequestContext) async throws -> IntakeWorkflow.Brief {
        let principal = try context.requirePrincipal()
        let decision = try await request.decodeJSON(BriefDecision.self, context: context)
        return try await intake.decideBrief(try context.uuid(of: "简报"), decision, by: principal)
    }

    // MARK: Directory

    @Sendable func importDirectory(_ request: Request, context: AppRequestContext) async throws -> IntakeWorkflow.ImportSummary {
        try context.requirePrincipal().require(tier: intake.tier.id, roles: [.office])
        return try await intake.importDirectory(try await request.decodeJSON(DirectoryFile.self, context: context))
    }

    @Sendable func importSheet(_ request: Request, context: AppRequestContext) async throws -> IntakeWorkflow.SheetImport {
        try context.requirePrincipal().require(tier: intake.tier.id, roles: [.office])
        guard let kind = context.parameters.get("kind").flatMap(DirectorySheet.Kind.init) else {
            throw APIError(.notFound, code: "NOT_FOUND", message: "没有这种名录（应为enterprises或cadres）")
        }
        let preview = request.uri.queryParameters.get("preview") == "true"
        return try await intake.importSheet(kind, bytes: try await request.collectBytes(context: context), preview: preview)
    }

    @Sendable func enterprises(_ request: Request, context: AppRequestContext) async throws -> [DirectoryEnterprise] {
        try await intake.enterprises(for: try context.requirePrincipal())
    }

    // MARK: Demands

    /// A new demand: 201, or 200 with `Idempotent-Replayed` for a retry under the same key.
    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let submitRequest = try await request.decodeJSON(SubmitRequest.self, context: context)
        // The key protects one request; its canonical form (sorted keys) tells a true retry from
        // a different request, however a client orders its JSON.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let submitted = try await intake.submit(
            submitRequest.form, enterpriseID: submitRequest.enterpriseID,
            provisionalEnterprise: submitRequest.provisionalEnterprise ?? false,
            idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!],
            canonicalRequest: Array(try encoder.encode(submitRequest)), by: principal)
        var response = try DemandView(submitted.demand, rules: intake.rules).response(from: request, context: context)
        response.status = submitted.replayed ? .ok : .created
        if submitted.replayed { response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return response
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> [DemandListItem] {
        let query = request.uri.queryParameters
        var filter = try DemandFilter(query: query)
        // Intake keeps the directory that says which cadres have left.
        filter.reviewerGoneOnly = try query.flag("officeReview") ?? false
        return try await intake.reader.list(of: intake.tier.id, for: try context.requirePrincipal(), filter: filter)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await intake.reader.answer(try context.demandID(), for: try context.requirePrincipal(), to: request)
    }

    /// 登记表 as Word and PDF.
    @Sendable func registrationForm(_ request: Request, context: AppRequestContext) async throws
        -> (document: WordDocument, name: String) {
        let view = try await intake.reader.view(try context.demandID(), for: try context.requirePrincipal())
        guard let form = DemandForms.registrationForm(view) else { throw APIError.notFound("登记表") }
        return (form, "registration-form")
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let body = try await request.decodeJSON(EditRequest.self, context: context)
        return try await respond(.edit(ContentEdit(content: try body.form.validated(), note: body.note)), request, context)
    }

    @Sendable func approve(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let body = try await request.decodeJSON(CommentRequest.self, context: context)
        return try await respond(.approve(Approval(comment: body.comment)), request, context)
    }

    @Sendable func sendBack(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let body = try await request.decodeJSON(ReasonRequest.self, context: context)
        return try await respond(.sendBack(SendBack(reason: body.reason)), request, context)
    }

    @Sendable func refuse(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        try await respond(.refuse(try await request.decodeJSON(Refusal.self, context: context)), request, context)
    }

    @Sendable func resubmit(_ request: Request, context: AppRequestContext) async throws -> DemandView {
        let body = try await request.decodeJSON(EditRequest.self, context: context)
        return try await respond(.resubmit(ContentEdit(content: try body.form.validated(), note: body.note)), request, context)
    }

    private func respond(_ action: DemandAction, _ request: Request, _ context: AppRequestContext) async throws -> DemandView {
        let demand = try await intake.review(action, on: try context.demandID(), by: try context.requirePrincipal())
        return DemandView(demand, rules: intake.rules)
    }
}

/// The files kept with a demand (its enterprise's evidence), for those who may read it.
struct AttachmentRoutes {
    let attachments: DemandAttachments

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> [DemandAttachments.Attachment] {
        try await attachments.list(of: try context.demandID(), for: try context.requirePrincipal())
    }

    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let filename = request.uri.queryParameters.get("filename") ?? ""
        let bytes = try await request.collectBytes(context: context)
        var response = try await attachments.add(to: try context.demandID(), filename: filename, bytes: bytes, by: principal)
            .response(from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let attachment = context.parameters.get("attachmentID").flatMap(UUID.init(uuidString:)) else {
            throw APIError.notFound("附件")
        }
        return try await attachments.download(attachment, of: try context.demandID(), for: try context.requirePrincipal())
    }
}

extension IntakeWorkflow.LoginResult: ResponseEncodable {}
extension IntakeWorkflow.ImportSummary: ResponseEncodable {}
extension IntakeWorkflow.SheetImport: ResponseEncodable {}
extension IntakeWorkflow.LoginUnit: ResponseEncodable {}
extension DirectoryEnterprise: ResponseEncodable {}
