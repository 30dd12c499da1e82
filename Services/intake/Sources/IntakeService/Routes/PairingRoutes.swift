import DemandDomain
import Foundation
import Hummingbird
import InputValidation
import ServiceRuntime
import Tenancy

/// The cadre's month on intake's API (`/pairing/…`, see `openapi.yaml`).
struct PairingRoutes {
    let desk: PairingDesk

    struct ReminderRequest: Decodable {
        var month: String?
    }

    struct QuarterRequest: Decodable {
        var quarter: String?
    }

    func register(on router: Router<AppRequestContext>) {
        router.group("pairing")
            .get("month", use: monthReport)
            .get("contacts", use: contacts)
            .postCreating("contacts", PairingContactInput.self, make: desk.recordContact(_:by:))
            .get("enterprises/:enterpriseID/business-status", use: businessStatus)
            .put("enterprises/:enterpriseID/business-status", use: reportBusinessStatus)
            .get("enterprises/:enterpriseID/profile", use: profile)
            .put("enterprises/:enterpriseID/profile", use: changeProfile)
            .get("appraisal", use: appraisal)
            .put("appraisal", use: submitAppraisal)
            .get("appraisals", use: appraisals)
            .post("appraisal-requests", use: requestAppraisals)
            .get("cadres", use: cadres)
            .put("cadres/:cadreID/exemption", use: setExemption)
            .post("cadres/:cadreID/deactivation", use: deactivate)
            .post("allocations", use: allocate)
            .postCreating("proposals", PairingProposalInput.self, make: desk.propose(_:by:))
            .get("proposals", use: proposals)
            .post("proposals/:proposalID/decision", use: decideProposal)
            .get("prompt-letters", use: promptLetters)
            .postCreating("prompt-letters", PromptLetterInput.self, make: desk.issuePromptLetter(_:by:))
            .post("prompt-letters/:letterID/reply", use: replyToPromptLetter)
            .get("priority-enterprises", use: priorityLists)
            .put("priority-enterprises", use: setPriorityLists)
            .get("working-groups", use: workingGroups)
            .postCreating("working-groups", WorkingGroupInput.self) { input, principal in
                try await desk.saveWorkingGroup(nil, input, by: principal)
            }
            .put("working-groups/:groupID", use: saveWorkingGroup)
            .delete("working-groups/:groupID", use: deleteWorkingGroup)
            .post("reminders", use: sendReminders)
    }

    // MARK: The cadre's month

    @Sendable func monthReport(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.MonthReport {
        try await desk.monthReport(try Self.month(request.uri.queryParameters.get("month")), for: try context.requirePrincipal())
    }

    @Sendable func contacts(_ request: Request, context: AppRequestContext) async throws -> [PairingDesk.Contact] {
        let query = request.uri.queryParameters
        return try await desk.contacts(in: try Self.month(query.get("month")), enterpriseID: query.get("enterpriseID"),
            for: try context.requirePrincipal())
    }

    @Sendable func businessStatus(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.StatusHistory {
        try await desk.statusHistory(of: try Self.enterpriseID(context), for: try context.requirePrincipal())
    }

    @Sendable func reportBusinessStatus(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.StatusHistory {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(BusinessStatusInput.self, context: context)
        return try await desk.reportStatus(input, enterpriseID: try Self.enterpriseID(context), by: principal)
    }

    @Sendable func profile(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.EnterpriseProfile {
        try await desk.profile(of: try Self.enterpriseID(context), for: try context.requirePrincipal())
    }

    @Sendable func changeProfile(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.EnterpriseProfile {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(EnterpriseProfileInput.self, context: context)
        return try await desk.changeProfile(input, enterpriseID: try Self.enterpriseID(context), by: principal)
    }

    @Sendable func sendReminders(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.RemindersSent {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(ReminderRequest.self, context: context)
        return try await desk.sendReminders(for: try Self.month(body.month), by: principal)
    }

    // MARK: Appraisals

    @Sendable func appraisal(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.Appraisal {
        try await desk.appraisal(for: try context.requirePrincipal())
    }

    @Sendable func submitAppraisal(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.Appraisal {
        let principal = try context.requirePrincipal()
        return try await desk.submitAppraisal(try await request.decodeJSON(CadreAppraisalInput.self, context: context), by: principal)
    }

    @Sendable func appraisals(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.QuarterReport {
        try await desk.quarterReport(try Self.quarter(request.uri.queryParameters.get("quarter")), for: try context.requirePrincipal())
    }

    @Sendable func requestAppraisals(_ request: Request, context: AppRequestContext) async throws
        -> PairingDesk.AppraisalRequestsSent {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(QuarterRequest.self, context: context)
        return try await desk.requestAppraisals(for: try Self.quarter(body.quarter), by: principal)
    }

    // MARK: Cadres and pairings

    @Sendable func cadres(_ request: Request, context: AppRequestContext) async throws -> [PairingDesk.CadreEntry] {
        try await desk.cadres(for: try context.requirePrincipal())
    }

    @Sendable func setExemption(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.CadreEntry {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(PairingDesk.ExemptionRequest.self, context: context)
        return try await desk.setExemption(body, cadreID: try Self.cadreID(context), by: principal)
    }

    @Sendable func deactivate(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.Deactivation {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(PairingDesk.DeactivationRequest.self, context: context)
        return try await desk.deactivate(try Self.cadreID(context), body, by: principal)
    }

    @Sendable func allocate(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.Allocation {
        let principal = try context.requirePrincipal()
        return try await desk.allocate(try await request.decodeJSON(PairingDesk.AllocationRequest.self, context: context), by: principal)
    }

    @Sendable func proposals(_ request: Request, context: AppRequestContext) async throws -> [PairingDesk.Proposal] {
        try await desk.proposals(includeDecided: request.uri.queryParameters.get("state") == "all", for: try context.requirePrincipal())
    }

    @Sendable func decideProposal(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.Proposal {
        let principal = try context.requirePrincipal()
        let decision = try await request.decodeJSON(PairingDesk.Decision.self, context: context)
        return try await desk.decide(try context.uuid("proposalID", of: "调整申请"), decision, by: principal)
    }

    // MARK: Prompt letters, priority lists, working groups

    @Sendable func promptLetters(_ request: Request, context: AppRequestContext) async throws -> [PairingDesk.PromptLetter] {
        try await desk.promptLetters(for: try context.requirePrincipal())
    }

    @Sendable func replyToPromptLetter(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.PromptLetter {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(PromptLetterReply.self, context: context)
        return try await desk.replyToPromptLetter(try context.uuid("letterID", of: "提示函"), input, by: principal)
    }

    @Sendable func priorityLists(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.PriorityListsView {
        try await desk.priorityLists(for: try context.requirePrincipal())
    }

    @Sendable func setPriorityLists(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.PriorityListsView {
        let principal = try context.requirePrincipal()
        return try await desk.setPriorityLists(try await request.decodeJSON(PairingDesk.PriorityLists.self, context: context), by: principal)
    }

    @Sendable func workingGroups(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.WorkingGroupList {
        try await desk.workingGroups(for: try context.requirePrincipal())
    }

    @Sendable func saveWorkingGroup(_ request: Request, context: AppRequestContext) async throws -> PairingDesk.WorkingGroup {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(WorkingGroupInput.self, context: context)
        return try await desk.saveWorkingGroup(try context.uuid("groupID", of: "工作小组"), input, by: principal)
    }

    @Sendable func deleteWorkingGroup(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        try await desk.deleteWorkingGroup(try context.uuid("groupID", of: "工作小组"), by: try context.requirePrincipal())
        return .noContent
    }

    static func cadreID(_ context: AppRequestContext) throws -> String {
        guard let cadreID = context.parameters.get("cadreID") else { throw APIError.notFound("干部") }
        return cadreID
    }

    /// `YYYY-Qn`; absent: the current quarter in Beijing.
    static func quarter(_ text: (some StringProtocol)?) throws -> CalendarQuarter {
        guard let text else { return CalendarQuarter(CalendarMonth(CivilDate(Date()))) }
        guard let quarter = CalendarQuarter(text) else {
            throw APIError.invalid(code: "INVALID_QUARTER", message: "季度应为“年-Q季度”格式，例如2026-Q4", field: "quarter")
        }
        return quarter
    }

    /// `YYYY-MM`; absent: the current month in Beijing.
    static func month(_ text: (some StringProtocol)?) throws -> CalendarMonth {
        guard let text else { return CalendarMonth(CivilDate(Date())) }
        guard let month = CalendarMonth(text) else {
            throw APIError.invalid(code: "INVALID_MONTH", message: "月份应为“年-月”格式，例如2026-11", field: "month")
        }
        return month
    }

    static func enterpriseID(_ context: AppRequestContext) throws -> String {
        guard let id = context.parameters.get("enterpriseID"), !id.isEmpty else { throw APIError.notFound("企业") }
        return id
    }
}
