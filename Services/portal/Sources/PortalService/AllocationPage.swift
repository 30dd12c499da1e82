import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import PlatformEvents
import Tenancy

/// 包联分配 (000 Q1–Q4, Q26): the office records which cadres are exempt and why, previews an
/// allocation of the unpaired enterprises with its seed, and applies it.
extension PortalRoutes {
    func allocationPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        // The office's kept lists fill the form: the next allocation serves them first unless changed.
        let lists = try await client.priorityLists(session.api)
        func lines(_ entries: [PlatformClient.PriorityLists.Entry]) -> String {
            entries.map { "\($0.enterpriseID),\($0.assigneeID)" }.joined(separator: "\n")
        }
        return try await allocationView(session, flash: session.flash,
            typed: AllocationForm(leaderContacts: lines(lists.leaderContacts), industryManaged: lines(lists.industryManaged)),
            kept: lists)
    }

    func setExemption(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let cadreID = context.parameters.get("cadre") else { throw PortalError.notFound }
        let reason = (form["reason"] ?? "").isEmpty ? nil : PairingExemption(rawValue: form["reason"] ?? "")
        do {
            let cadre = try await client.setExemption(session.api, cadreID: cadreID, reason: reason, note: form["note"])
            try await sessions.setFlash(.done(cadre.exemption == nil ? "\(cadre.name)参与分配" : "\(cadre.name)不安排包联企业：\(cadre.exemptionName ?? "")"),
                for: session.id)
            return Self.redirect("/pairing/allocation")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await allocationView(session, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    /// A cadre who retires or leaves (000 Q8): deactivated, their enterprises back in the pool.
    func deactivateCadre(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let cadreID = context.parameters.get("cadre") else { throw PortalError.notFound }
        do {
            let done = try await client.deactivateCadre(session.api, cadreID: cadreID, reason: form["reason"] ?? "")
            let reviews = done.reviewsForOffice > 0 ? "；其\(done.reviewsForOffice)件待审核诉求改由本级审核，见首页“待本级审核诉求”" : ""
            try await sessions.setFlash(.done("已停用\(done.cadreName)，其包联的\(done.releasedEnterprises.count)家企业已收回入待分配企业库\(reviews)"),
                for: session.id)
            return Self.redirect("/pairing/allocation")
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await allocationView(session, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    /// The office keeps its two priority lists without allocating.
    func keepPriorityLists(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let typed = AllocationForm(form)
        do {
            let kept = try await client.setPriorityLists(session.api,
                leaderContacts: try Self.pairs(typed.leaderContacts, label: "领导联系重点企业"),
                industryManaged: try Self.pairs(typed.industryManaged, label: "行业主管部门管行业企业"))
            try await sessions.setFlash(.done("已保存名单：领导联系重点企业\(kept.leaderContacts.count)家，行业主管部门管行业企业\(kept.industryManaged.count)家"),
                for: session.id)
            return Self.redirect("/pairing/allocation")
        } catch let error as PortalFormError {
            return try await allocationView(session, flash: .failed(error.message), status: .unprocessableContent, typed: typed)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await allocationView(session, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)),
                typed: typed)
        }
    }

    func previewAllocation(_ request: Request, context: PortalContext) async throws -> Response {
        try await runAllocation(request, context: context, apply: false)
    }

    func applyAllocation(_ request: Request, context: PortalContext) async throws -> Response {
        try await runAllocation(request, context: context, apply: true)
    }

    private func runAllocation(_ request: Request, context: PortalContext, apply: Bool) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let typed = AllocationForm(form)
        let leaders: [String: String], industry: [String: String]
        do {
            leaders = try Self.pairs(typed.leaderContacts, label: "领导联系重点企业")
            industry = try Self.pairs(typed.industryManaged, label: "行业主管部门管行业企业")
        } catch let error as PortalFormError {
            return try await allocationView(session, flash: .failed(error.message), status: .unprocessableContent, typed: typed)
        }
        let seed = typed.seed.trimmingWhitespace
        do {
            let allocation = try await client.allocate(session.api, PlatformClient.AllocationRequest(
                seed: seed.isEmpty ? nil : seed, perCadre: Int(typed.perCadre.trimmingWhitespace) ?? 0,
                leaderContacts: leaders, industryManaged: industry, apply: apply))
            if apply {
                try await sessions.setFlash(.done("已分配\(allocation.assignments.count)家企业（随机种子\(allocation.seed)），短信已通知企业联络员和包联干部"),
                    for: session.id)
                return Self.redirect("/pairing/allocation")
            }
            var proposed = typed
            proposed.seed = allocation.seed
            return try await allocationView(session, flash: nil, typed: proposed, proposal: allocation)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            return try await allocationView(session, flash: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)),
                typed: typed)
        }
    }

    struct AllocationForm {
        var seed = ""
        var perCadre = "1"
        var leaderContacts = ""
        var industryManaged = ""
    }
}

extension PortalRoutes.AllocationForm {
    /// What the office typed into the allocation form.
    init(_ form: FormData) {
        self.init(seed: form["seed"] ?? "", perCadre: form["perCadre"] ?? "1", leaderContacts: form["leaderContacts"] ?? "",
            industryManaged: form["industryManaged"] ?? "")
    }
}

extension PortalRoutes {
    struct PortalFormError: Error {
        var message: String
    }

    /// Lines of `企业ID,干部ID` (or a tab, as Excel copies them) into a map.
    static func pairs(_ text: String, label: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(whereSeparator: { $0 == "," || $0 == "，" || $0 == "\t" }).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw PortalFormError(message: "\(label)第\(index + 1)行应为“企业ID,对方ID”两项")
            }
            result[parts[0]] = parts[1]
        }
        return result
    }

    private func allocationView(
        _ session: PortalSession, flash: Flash?, status: HTTPResponse.Status = .ok, typed: AllocationForm = AllocationForm(),
        proposal: PlatformClient.Allocation? = nil, kept: PlatformClient.PriorityLists? = nil
    ) async throws -> Response {
        async let listed = client.pairingCadres(session.api)
        async let open = client.pairingProposals(session.api)
        async let enterprises = client.enterprises(session.api)
        let cadres = try await listed
        let proposals = try await open
        var fields: [String: Any] = [
            "proposals": proposals.map(Self.proposalRow), "hasProposals": !proposals.isEmpty,
            "enterprises": try await enterprises.filter(\.active).map { ["id": $0.id, "name": $0.name] },
            "kinds": PairingChangeKind.allCases.map { ["value": $0.rawValue, "label": $0.chineseName] },
            "activeCadres": cadres.map { ["id": $0.cadreID, "name": $0.name + ($0.unitName.map { "（\($0)）" } ?? "")] },
            "cadres": cadres.map { cadre -> [String: Any] in
                [
                    "id": cadre.cadreID, "name": cadre.name, "unitName": cadre.unitName ?? "", "enterprises": cadre.enterprises,
                    "note": cadre.note ?? "", "exempt": cadre.exemption != nil,
                    "reasons": PairingExemption.allCases.map {
                        ["value": $0.rawValue, "label": $0.chineseName, "selected": $0 == cadre.exemption]
                    },
                ]
            },
            "seed": typed.seed, "perCadre": typed.perCadre, "leaderContacts": typed.leaderContacts,
            "industryManaged": typed.industryManaged,
        ]
        if let kept, !(kept.leaderContacts.isEmpty && kept.industryManaged.isEmpty) {
            func rows(_ entries: [PlatformClient.PriorityLists.Entry]) -> [[String: String]] {
                entries.map { ["enterpriseName": $0.enterpriseName, "assignee": $0.assigneeName] }
            }
            fields["kept"] = ["leaders": rows(kept.leaderContacts), "departments": rows(kept.industryManaged)]
        }
        if let proposal {
            fields["proposal"] = [
                "seed": proposal.seed, "count": proposal.assignments.count, "hasAssignments": !proposal.assignments.isEmpty,
                "assignments": proposal.assignments.map {
                    ["enterprise": $0.enterpriseName, "cadre": $0.cadreName, "unit": $0.unitName ?? "", "basis": $0.basisName]
                },
                "unassigned": proposal.unassigned.map { ["enterprise": $0.enterpriseName, "reason": $0.reasonName] },
            ] as [String: Any]
        }
        return pages.page("allocation", title: "包联分配", session: session, flash: flash, status: status, fields)
    }
}

/// 包联调整 (000 Q6–Q9): the cadre asks for an enterprise to go back to the pool or off the list; the
/// office proposes any change too and approves or refuses each.
extension PortalRoutes {
    func proposeChange(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.cadre, .office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let input = PairingProposalInput(enterpriseID: form["enterpriseID"] ?? "", kind: form["kind"] ?? "",
            toCadreID: (form["toCadreID"] ?? "").isEmpty ? nil : form["toCadreID"], reason: form["reason"] ?? "")
        let back = session.api.role == .office ? "/pairing/allocation" : "/pairing"
        do {
            let proposal = try await client.proposeChange(session.api, input)
            try await sessions.setFlash(.done("已提交“\(proposal.kindName)”申请，待双千办审批"), for: session.id)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            let message = error.fieldMessages.values.sorted().first ?? error.message
            try await sessions.setFlash(.failed(message), for: session.id)
        }
        return Self.redirect(back)
    }

    func decideChange(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let id = context.parameters.get("proposal").flatMap({ UUID(uuidString: $0) }) else { throw PortalError.notFound }
        let approve = form["decision"] == "approve"
        do {
            let proposal = try await client.decideChange(session.api, proposalID: id, approve: approve, note: form["note"])
            try await sessions.setFlash(.done("\(proposal.enterpriseName)：\(proposal.kindName)\(proposal.stateName)"), for: session.id)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            try await sessions.setFlash(.failed(error.message), for: session.id)
        }
        return Self.redirect("/pairing/allocation")
    }

    static func proposalRow(_ proposal: PlatformClient.PairingProposal) -> [String: Any] {
        [
            "id": proposal.id.uuidString.lowercased(), "enterprise": proposal.enterpriseName, "kind": proposal.kindName,
            "from": proposal.fromCadreName ?? "", "to": proposal.toCadreName ?? "", "reason": proposal.reason,
            "proposedBy": proposal.proposedBy, "proposedAt": CivilDate.shanghaiText(proposal.proposedAt),
            "state": proposal.stateName, "open": proposal.state == "proposed", "note": proposal.decisionNote ?? "",
        ]
    }
}
