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
        let pairing = router.group("pairing")
        pairing.get("month") { request, context in
            try await desk.monthReport(try Self.month(request.uri.queryParameters.get("month")), for: try context.requirePrincipal())
        }
        pairing.get("contacts") { request, context in
            let query = request.uri.queryParameters
            return try await desk.contacts(in: try Self.month(query.get("month")), enterpriseID: query.get("enterpriseID"),
                for: try context.requirePrincipal())
        }
        pairing.postCreating("contacts", PairingContactInput.self, make: desk.recordContact(_:by:))
        pairing.get("enterprises/:enterpriseID/business-status") { _, context in
            try await desk.statusHistory(of: try Self.enterpriseID(context), for: try context.requirePrincipal())
        }
        pairing.put("enterprises/:enterpriseID/business-status") { request, context in
            let principal = try context.requirePrincipal()
            let input = try await request.decodeJSON(BusinessStatusInput.self, context: context)
            return try await desk.reportStatus(input, enterpriseID: try Self.enterpriseID(context), by: principal)
        }
        pairing.get("enterprises/:enterpriseID/profile") { _, context in
            try await desk.profile(of: try Self.enterpriseID(context), for: try context.requirePrincipal())
        }
        pairing.put("enterprises/:enterpriseID/profile") { request, context in
            let principal = try context.requirePrincipal()
            let input = try await request.decodeJSON(EnterpriseProfileInput.self, context: context)
            return try await desk.changeProfile(input, enterpriseID: try Self.enterpriseID(context), by: principal)
        }
        pairing.get("appraisal") { _, context in
            try await desk.appraisal(for: try context.requirePrincipal())
        }
        pairing.put("appraisal") { request, context in
            let principal = try context.requirePrincipal()
            let input = try await request.decodeJSON(CadreAppraisalInput.self, context: context)
            return try await desk.submitAppraisal(input, by: principal)
        }
        pairing.get("appraisals") { request, context in
            try await desk.quarterReport(try Self.quarter(request.uri.queryParameters.get("quarter")), for: try context.requirePrincipal())
        }
        pairing.post("appraisal-requests") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await request.decodeJSON(QuarterRequest.self, context: context)
            return try await desk.requestAppraisals(for: try Self.quarter(body.quarter), by: principal)
        }
        pairing.get("cadres") { _, context in
            try await desk.cadres(for: try context.requirePrincipal())
        }
        pairing.put("cadres/:cadreID/exemption") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await request.decodeJSON(PairingDesk.ExemptionRequest.self, context: context)
            guard let cadreID = context.parameters.get("cadreID") else { throw APIError.notFound("干部") }
            return try await desk.setExemption(body, cadreID: cadreID, by: principal)
        }
        pairing.post("cadres/:cadreID/deactivation") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await request.decodeJSON(PairingDesk.DeactivationRequest.self, context: context)
            guard let cadreID = context.parameters.get("cadreID") else { throw APIError.notFound("干部") }
            return try await desk.deactivate(cadreID, body, by: principal)
        }
        pairing.post("allocations") { request, context in
            let principal = try context.requirePrincipal()
            return try await desk.allocate(try await request.decodeJSON(PairingDesk.AllocationRequest.self, context: context), by: principal)
        }
        pairing.postCreating("proposals", PairingProposalInput.self, make: desk.propose(_:by:))
        pairing.get("prompt-letters") { _, context in
            try await desk.promptLetters(for: try context.requirePrincipal())
        }
        pairing.postCreating("prompt-letters", PromptLetterInput.self, make: desk.issuePromptLetter(_:by:))
        pairing.post("prompt-letters/:letterID/reply") { request, context in
            let principal = try context.requirePrincipal()
            let input = try await request.decodeJSON(PromptLetterReply.self, context: context)
            let id = try context.uuid("letterID", of: "提示函")
            return try await desk.replyToPromptLetter(id, input, by: principal)
        }
        pairing.get("priority-enterprises") { _, context in
            try await desk.priorityLists(for: try context.requirePrincipal())
        }
        pairing.put("priority-enterprises") { request, context in
            let principal = try context.requirePrincipal()
            let lists = try await request.decodeJSON(PairingDesk.PriorityLists.self, context: context)
            return try await desk.setPriorityLists(lists, by: principal)
        }
        pairing.get("working-groups") { _, context in
            try await desk.workingGroups(for: try context.requirePrincipal())
        }
        pairing.postCreating("working-groups", WorkingGroupInput.self) { input, principal in
            try await desk.saveWorkingGroup(nil, input, by: principal)
        }
        pairing.put("working-groups/:groupID") { request, context in
            let principal = try context.requirePrincipal()
            let input = try await request.decodeJSON(WorkingGroupInput.self, context: context)
            return try await desk.saveWorkingGroup(try context.uuid("groupID", of: "工作小组"), input, by: principal)
        }
        pairing.delete("working-groups/:groupID") { _, context -> HTTPResponse.Status in
            try await desk.deleteWorkingGroup(try context.uuid("groupID", of: "工作小组"), by: try context.requirePrincipal())
            return .noContent
        }
        pairing.get("proposals") { request, context in
            try await desk.proposals(includeDecided: request.uri.queryParameters.get("state") == "all", for: try context.requirePrincipal())
        }
        pairing.post("proposals/:proposalID/decision") { request, context in
            let principal = try context.requirePrincipal()
            let decision = try await request.decodeJSON(PairingDesk.Decision.self, context: context)
            let id = try context.uuid("proposalID", of: "调整申请")
            return try await desk.decide(id, decision, by: principal)
        }
        pairing.post("reminders") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await request.decodeJSON(ReminderRequest.self, context: context)
            return try await desk.sendReminders(for: try Self.month(body.month), by: principal)
        }
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
