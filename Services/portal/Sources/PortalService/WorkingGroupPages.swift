import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import PlatformAPI
import PlatformEvents
import Tenancy

/// 常态化工作小组 (Jinzai, 004 二（二）): the office forms groups of its units, each with a lead unit,
/// a leader, members and the 20–30 enterprises it serves; a unit's administrators read the groups
/// their unit leads or sits in.
extension PortalRoutes {
    static let workingGroupRoles: Set<Role> = [.office, .inspector, .unitAdmin, .countyAdmin]

    /// What the office typed, kept when the form comes back with errors.
    struct WorkingGroupForm {
        var groupID: UUID?
        var name = ""
        var leadUnitID = ""
        var leader = ""
        var members = ""
        var enterpriseIDs: Set<String> = []
    }

    func workingGroupsPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole(Self.workingGroupRoles)
        let editing = request.uri.queryParameters.get("edit").flatMap(UUID.init(uuidString:))
        return try await workingGroups(session, typed: nil, editing: editing, errors: [:], flash: session.flash)
    }

    func saveWorkingGroup(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let typed = WorkingGroupForm(groupID: form["groupID"].flatMap(UUID.init(uuidString:)), name: form["name"] ?? "",
            leadUnitID: form["leadUnitID"] ?? "", leader: form["leader"] ?? "", members: form["members"] ?? "",
            enterpriseIDs: Set(form.all("enterpriseIDs").filter { !$0.isEmpty }))
        do {
            let units = try await client.units(session.api)
            let members = try WorkingGroupInput.members(written: typed.members, units: units.map { (id: $0.id, name: $0.name) })
            let group = try await client.saveWorkingGroup(session.api, id: typed.groupID, WorkingGroupInput(name: typed.name,
                leadUnitID: typed.leadUnitID, leader: typed.leader, members: members, enterpriseIDs: typed.enterpriseIDs.sorted()))
            let note = group.sizeNote.map { "。\($0)" } ?? ""
            try await sessions.setFlash(.done("已保存\(group.name)，负责\(group.enterprises.count)家企业" + note), for: session.id)
            return Self.redirect("/working-groups")
        } catch let error as ValidationError {
            let message = error.issues.first?.message ?? "成员填写有误"
            return try await workingGroups(session, typed: typed, editing: typed.groupID, errors: ["members": message],
                flash: .failed(message), status: .unprocessableContent)
        } catch let error as APICallError where (400..<500).contains(error.status) {
            var errors: [String: String] = [:]
            for (field, message) in error.fieldMessages { errors[field.hasPrefix("members") ? "members" : field] = message }
            return try await workingGroups(session, typed: typed, editing: typed.groupID, errors: errors, flash: .failed(error.message),
                status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    func dissolveWorkingGroup(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        guard let id = context.parameters.get("groupID").flatMap(UUID.init(uuidString:)) else { throw PortalError.notFound }
        try await client.dissolveWorkingGroup(session.api, id: id)
        try await sessions.setFlash(.done("已撤销该工作小组，其负责的企业回到未分组企业"), for: session.id)
        return Self.redirect("/working-groups")
    }

    private func workingGroups(
        _ session: PortalSession, typed: WorkingGroupForm?, editing: UUID?, errors: [String: String], flash: Flash?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let isOffice = session.api.role == .office
        async let listed = client.workingGroups(session.api)
        async let units = isOffice ? client.units(session.api) : []
        let list = try await listed
        var fields: [String: Any] = [
            "groups": list.groups.map { Self.groupRow($0, editable: isOffice) },
            "hasGroups": !list.groups.isEmpty,
            "plannedSize": "\(WorkingGroupInput.plannedSize.lowerBound)至\(WorkingGroupInput.plannedSize.upperBound)",
        ]
        if isOffice {
            let edited = editing.flatMap { id in list.groups.first { $0.id == id } }
            var form = typed ?? WorkingGroupForm()
            if typed == nil, let edited {
                form = WorkingGroupForm(groupID: edited.id, name: edited.name, leadUnitID: edited.leadUnitID, leader: edited.leader,
                    members: edited.members.map { "\($0.name)（\($0.unitName)）" }.joined(separator: "\n"),
                    enterpriseIDs: Set(edited.enterprises.map(\.id)))
            }
            // Offered: the enterprises in no group, and those of the group being changed.
            let offered = (edited?.enterprises ?? []) + list.ungrouped
            fields["form"] = [
                "groupID": form.groupID?.uuidString.lowercased() ?? "", "editing": form.groupID != nil, "nameValue": form.name,
                "leaderValue": form.leader, "membersValue": form.members, "errors": errors,
                "units": try await units.map { ["id": $0.id, "name": $0.name, "selected": $0.id == form.leadUnitID] },
                "enterprises": offered.map { enterprise -> [String: Any] in
                    ["id": enterprise.id, "label": Self.enterpriseLabel(enterprise), "checked": form.enterpriseIDs.contains(enterprise.id)]
                },
                "hasEnterprises": !offered.isEmpty,
            ] as [String: Any]
            fields["ungroupedCount"] = list.ungrouped.count
        }
        return pages.page("working-groups", title: "常态化工作小组", session: session, flash: flash, status: status, fields)
    }

    private static func groupRow(_ group: PlatformClient.WorkingGroup, editable: Bool) -> [String: Any] {
        [
            "id": group.id.uuidString.lowercased(), "groupName": group.name, "leadUnit": group.leadUnitName, "leader": group.leader,
            "memberList": group.members.map { "\($0.name)（\($0.unitName)）" }.joined(separator: "、"),
            "count": group.enterprises.count, "sizeNote": group.sizeNote ?? "", "editable": editable,
            "rows": group.enterprises.map { enterprise -> [String: Any] in
                ["enterpriseName": enterprise.name, "industry": enterprise.industryGroup.chineseName, "cadre": enterprise.pairedCadre ?? "未包联"]
            },
        ]
    }

    private static func enterpriseLabel(_ enterprise: PlatformClient.WorkingGroupEnterprise) -> String {
        "\(enterprise.name)（\(enterprise.industryGroup.chineseName)组" + (enterprise.pairedCadre.map { "，包联干部\($0)" } ?? "") + "）"
    }
}
