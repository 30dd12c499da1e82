import DemandDomain
import Foundation
import HTTPTypes
import Hummingbird
import InputValidation
import Logging
import OfficeDocuments
import PlatformAPI
import PlatformEvents
import ServiceRuntime
import Tenancy

/// The portal's pages. Every page reads and changes demands only through the services' APIs, with
/// the person's own token, so each page shows exactly what the APIs let that person see and do.
struct PortalRoutes: Sendable {
    let client: PlatformClient
    let sessions: SessionStore
    let pages: PageRenderer
    let rules: TierRules
    var tree: TenantTree { rules.tree }
    let secureCookies: Bool
    let loginUnits: LoginUnitCatalog

    static let sessionCookie = "portal_session"
    static let loginCookie = "portal_login"
    /// The 单位 choice of a tier's own organs (office, dispatchers, inspectors) and its enterprises.
    static let tierLevelUnit = "tier"

    func register(on router: RouterGroup<PortalContext>) {
        router.get("/") { _, context in Self.redirect(context.session == nil ? "/login" : "/home") }
        router.get("login", use: loginPage)
        router.post("login", use: logIn)
        router.post("logout", use: logOut)
        router.get("me", use: profilePage)
        router.get("me/password", use: profilePage)
        router.post("me/password", use: changePassword)
        router.post("me/phone", use: changePhone)
        router.get("home", use: home)
        router.get("home.csv", use: homeExport)
        router.get("home.xlsx", use: homeExport)
        router.get("demands/new", use: newDemandPage)
        router.post("demands", use: submitDemand)
        router.get("demands/:id", use: demandPage)
        router.get("demands/:id/slip", use: slipPage)
        router.get("demands/:id/slip.docx", use: slipDocument)
        router.get("demands/:id/slip.pdf", use: slipDocument)
        router.get("demands/:id/forms/:form", use: formDocument)
        router.get("demands/:id/resubmit", use: correctionPage)
        router.post("demands/:id/resubmit", use: correct)
        router.get("demands/:id/edit", use: correctionPage)
        router.post("demands/:id/edit", use: correct)
        router.post("demands/:id/attachments", use: uploadAttachment)
        router.get("demands/:id/attachments/:attachment", use: downloadAttachment)
        router.post("demands/:id/:action", use: act)
        router.post("dispatch/bulk", use: dispatchSeveral)
        router.get("reports/:name", use: report)
        router.get("evaluation", use: evaluationPage)
        router.post("evaluation/:unit", use: recordAppraisal)
        router.get("pairing", use: pairingPage)
        router.post("pairing/contacts", use: recordPairingContact)
        router.post("pairing/status", use: reportBusinessStatus)
        router.post("pairing/reminders", use: sendPairingReminders)
        router.get("enterprise", use: ownEnterprisePage)
        router.get("enterprises/:enterprise", use: enterprisePage)
        router.post("enterprises/:enterprise", use: changeEnterpriseProfile)
        router.get("pairing/allocation", use: allocationPage)
        router.get("apply", use: applicationPage)
        router.post("apply", use: submitApplication)
        router.get("notices", use: noticesPage)
        router.post("notices", use: publishNotice)
        router.post("notices/:id/withdraw", use: withdrawNotice)
        router.get("briefs", use: briefsPage)
        router.post("briefs", use: submitBrief)
        router.post("briefs/:id/decision", use: decideBrief)
        router.get("prompt-letters", use: promptLettersPage)
        router.post("prompt-letters", use: issuePromptLetter)
        router.post("prompt-letters/:id/reply", use: replyToPromptLetter)
        router.get("interviews", use: interviewsPage)
        router.post("interviews", use: recordInterview)
        router.get("working-groups", use: workingGroupsPage)
        router.post("working-groups", use: saveWorkingGroup)
        router.post("working-groups/:groupID/dissolution", use: dissolveWorkingGroup)
        router.get("account-applications", use: applicationsPage)
        router.post("account-applications/:id/decision", use: decideApplication)
        router.get("accounts", use: accountsPage)
        router.post("accounts/:subject/reset", use: resetPassword)
        router.get("directory-import", use: directoryImportPage)
        router.post("directory-import/preview", use: previewDirectorySheet)
        router.post("directory-import", use: importDirectorySheet)
        router.post("pairing/allocation/cadres/:cadre/exemption", use: setExemption)
        router.post("pairing/allocation/cadres/:cadre/deactivation", use: deactivateCadre)
        router.post("pairing/allocation/preview", use: previewAllocation)
        router.post("pairing/allocation/apply", use: applyAllocation)
        router.post("pairing/allocation/lists", use: keepPriorityLists)
        router.post("pairing/proposals", use: proposeChange)
        router.post("pairing/proposals/:proposal/decision", use: decideChange)
        router.get("appraisal", use: appraisalPage)
        router.post("appraisal", use: submitAppraisal)
        router.get("appraisals", use: appraisalResultsPage)
        router.get("appraisals.csv", use: appraisalResultsExport)
        router.get("appraisals.xlsx", use: appraisalResultsExport)
        router.post("appraisals/requests", use: requestAppraisals)
        router.get("briefing", use: briefingPage)
        router.post("briefing/recipients", use: setBriefingRecipients)
        router.post("briefing/issue", use: issueBriefing)
        router.get("returns", use: returnsPage)
        router.post("returns/reminders", use: sendReturnReminders)
        router.get("returns/:form/:period/:submitter", use: returnPage)
        router.post("returns/:form/:period/:submitter", use: submitReturn)
    }

    // MARK: Login

    func loginPage(_ request: Request, context: PortalContext) async throws -> Response {
        if context.session != nil { return Self.redirect("/home") }
        return await loginForm(values: [:], error: nil)
    }

    /// The login form with a fresh anti-forgery token in a cookie and in the form (double submit).
    func loginForm(values: [String: String], error: Flash?, status: HTTPResponse.Status = .ok) async -> Response {
        let token = SessionStore.randomToken()
        let units = await loginUnits.units()
        let tiers = tree.tenants.map { tenant -> [String: Any] in
            let tierLevel = "\(Self.tierLevelUnit):\(tenant.id.rawValue)"
            return [
                "id": tenant.id.rawValue, "name": tenant.name, "selected": tenant.id.rawValue == values["tier"],
                "tierLevel": tierLevel, "tierLevelSelected": values["unit"] == tierLevel,
                "units": (units[tenant.id] ?? []).map { unit -> [String: Any] in
                    ["id": unit.id, "name": unit.name, "selected": unit.id == values["unit"]]
                },
            ]
        }
        var response = pages.page("login", title: "登录", session: nil, flash: error, status: status, [
            "tiers": tiers, "login": values["login"] ?? "", "loginToken": token, "scripts": ["/static/login.js"],
        ])
        response.setCookie(Cookie(name: Self.loginCookie, value: token, maxAge: 3600, path: "/login", secure: secureCookies,
            httpOnly: true, sameSite: .strict))
        return response
    }

    func logIn(_ request: Request, context: PortalContext) async throws -> Response {
        let form = try await request.form(context: context)
        guard let expected = request.cookies[Self.loginCookie]?.value, let given = form["loginToken"],
            SessionStore.constantTimeEqual(expected, given)
        else {
            return await loginForm(values: form.values, error: .failed("页面已过期，请重新登录"), status: .forbidden)
        }
        guard let tierText = form["tier"], let tier = TenantID(validating: tierText), tree.contains(tier) else {
            return await loginForm(values: form.values, error: .failed("请选择区域"), status: .unprocessableContent)
        }
        let unit: String?
        switch form["unit"] ?? "" {
        case "": unit = nil
        case "\(Self.tierLevelUnit):\(tier.rawValue)": unit = ""
        case let chosen:
            guard await loginUnits.unit(chosen, of: tier) != nil else {
                return await loginForm(values: form.values, error: .failed("所选单位不属于所选区域，请重新选择"), status: .unprocessableContent)
            }
            unit = chosen
        }
        guard let login = form["login"], let password = form.all("password").first, !password.isEmpty else {
            return await loginForm(values: form.values, error: .failed("请输入姓名和密码"), status: .unprocessableContent)
        }
        do {
            let api = try await client.login(tier: tier, unit: unit, login: login, password: password, clientAddress: context.peerAddress)
            let session = try await sessions.create(for: api)
            var response = Self.redirect(api.mustChangePassword ? "/me/password" : "/home")
            response.setCookie(Cookie(name: Self.sessionCookie, value: session.id, expires: session.expiresAt, path: "/",
                secure: secureCookies, httpOnly: true, sameSite: .lax))
            return response
        } catch let error as APICallError where error.status < 500 {
            context.logger.info("Login refused", metadata: ["code": "\(error.code)", "tier": "\(tier)"])
            return await loginForm(values: form.values, error: .failed(error.message), status: HTTPResponse.Status(code: Int(error.status)))
        }
    }

    func logOut(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        try checkCSRF(try await request.form(context: context), session)
        try await sessions.delete(session.id)
        var response = Self.redirect("/login")
        response.setCookie(Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true,
            sameSite: .lax))
        return response
    }

    // MARK: My profile

    /// 我的资料: who the person is on the platform, and their password. At first login it is the
    /// only page they can open.
    func profilePage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        return try await profileForm(session, errors: [:], flash: session.flash)
    }

    func profileForm(
        _ session: PortalSession, errors: [String: String], flash: Flash?, status: HTTPResponse.Status = .ok, typedPhone: String? = nil
    ) async throws -> Response {
        let api = session.api
        let phone = try await client.phone(api)
        var fields: [String: Any] = [
            "firstLogin": api.mustChangePassword,
            "name": api.name ?? api.subject, "roleName": api.role.chineseName(in: rules.procedure(for: api.tier)),
            "tierName": tree[api.tier]?.name ?? api.tier.rawValue,
            "phone": phone ?? "未登记", "phoneValue": typedPhone ?? phone ?? "", "phoneError": errors["phone"] ?? "",
        ]
        // 我的资料—包联企业 (002 §6): the cadre's enterprises, as the directory has them.
        if api.role == .cadre, !api.mustChangePassword {
            let paired = try await client.enterprises(api).map { enterprise -> [String: Any] in
                [
                    "id": enterprise.id, "name": enterprise.name, "creditCode": enterprise.creditCode.rawValue, "address": enterprise.address,
                    "liaison": [enterprise.liaisonName, enterprise.liaisonPhone?.digits].compactMap { $0 }.joined(separator: " "),
                ]
            }
            fields["pairedEnterprises"] = paired
            fields["hasPairedEnterprises"] = !paired.isEmpty
            fields["myMonth"] = try await client.cadreFigures(api).first.map(Dashboard.cadreRow)
        }
        for (field, key) in [("currentPassword", "currentError"), ("newPassword", "newError"), ("confirmPassword", "confirmError")] {
            fields[key] = errors[field]
        }
        return pages.page("profile", title: api.mustChangePassword ? "首次登录：手机号码和新密码" : "我的资料", session: session, flash: flash,
            status: status, fields)
    }

    func changePassword(_ request: Request, context: PortalContext) async throws -> Response {
        var session = try context.requireSession()
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let current = form.all("currentPassword").first ?? ""
        let new = form.all("newPassword").first ?? ""
        // At first login the person also gives the mobile number their SMS go to (002 §1).
        let phone = session.api.mustChangePassword ? form["phone"] ?? "" : nil
        var errors: [String: String] = [:]
        if phone?.isEmpty == true { errors["phone"] = "请填写本人手机号码" }
        if current.isEmpty { errors["currentPassword"] = "请输入当前密码" }
        if new.isEmpty { errors["newPassword"] = "请输入新密码" }
        if new != form.all("confirmPassword").first { errors["confirmPassword"] = "两次输入的新密码不一致" }
        guard errors.isEmpty else {
            return try await profileForm(session, errors: errors, flash: .failed("请按提示修改"), status: .unprocessableContent, typedPhone: phone)
        }
        do {
            if let phone { _ = try await client.changePhone(session.api, to: phone) }
            try await client.changePassword(session.api, current: current, new: new)
        } catch let error as APICallError where error.status == 422 || error.status == 429 {
            return try await profileForm(session, errors: error.fieldMessages, flash: .failed(error.message),
                status: HTTPResponse.Status(code: Int(error.status)), typedPhone: phone)
        }
        session.api.mustChangePassword = false
        try await sessions.update(session)
        try await sessions.setFlash(.done("密码已修改，请牢记新密码"), for: session.id)
        return Self.redirect("/home")
    }

    /// 我的资料—手机号码: where the person's SMS go.
    func changePhone(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let phone = form["phone"] ?? ""
        do {
            _ = try await client.changePhone(session.api, to: phone)
        } catch let error as APICallError where error.status == 422 {
            return try await profileForm(session, errors: error.fieldMessages, flash: .failed(error.message), status: .unprocessableContent,
                typedPhone: phone)
        }
        try await sessions.setFlash(.done("手机号码已更新，短信将发送到新号码"), for: session.id)
        return Self.redirect("/me")
    }

    // MARK: Lists

    func home(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        let api = session.api
        let list = ListQuery(request.uri.queryParameters)
        // The page's lists are asked at once, beside the role's own part: the office's page waits
        // for the slowest answer, not for their sum.
        async let listed = allDemands(api, query: list.apiQuery)
        async let supervision = api.role == .office ? supervisionLists(api) : []
        async let unitChoices = Self.unitFilterRoles.contains(api.role) ? client.units(api) : []
        async let officeReviews = api.role == .office ? client.intakeList(api, query: Self.officeReviewQuery) : []
        async let closureAgreements = api.role == .office && rules.tree[api.tier]?.closureNeedsPairingLeader == true
            ? client.ledger(api, query: "?state=awaitingClosureAgreement&limit=500") : []
        var sections: [[String: Any]] = []
        var fields: [String: Any] = [:]
        switch api.role {
        case .enterprise:
            // 002 §16: the platform asks for the quarter's appraisal of the cadre when it is due.
            let appraisal = try await client.appraisal(api)
            if appraisal.due { fields["appraisalDue"] = ["cadre": appraisal.cadreName ?? "", "quarter": appraisal.quarter.chineseText] }
        case .cadre:
            sections.append(section("待审核诉求", try await client.intakeList(api, query: "?state=awaitingReview")))
        case .dispatcher:
            let groups = api.industryGroups ?? []
            let everyGroup = request.uri.queryParameters.get("queue") == "all"
            let title = groups.isEmpty ? "待分办诉求"
                : everyGroup ? "待分办诉求（全部行业组）" : "待分办诉求（\(groups.map(\.chineseName).joined(separator: "、"))组）"
            var queue = section(title, try await client.queue(api, everyIndustryGroup: everyGroup))
            if !groups.isEmpty {
                queue["groupSwitch"] = everyGroup ? ["href": "/home", "label": "只看本组"] : ["href": "/home?queue=all", "label": "查看全部行业组"]
            }
            if queue["empty"] as? Bool == false {
                queue["bulk"] = ["units": try await client.units(api).map { ["id": $0.id, "name": $0.name] }]
            }
            sections.append(queue)
        case .unitAdmin, .countyAdmin:
            if let own = try await client.unitFigures(api).first(where: { $0.scope == api.unitID }) {
                fields["unitFigures"] = Dashboard.row(own)
            }
            sections.append(section("待签收", try await client.ledger(api, query: "?state=awaitingSignature")))
        case .office, .inspector, .system:
            // 约谈记录: the rung of the supervision ladder that concerns a unit rather than one demand.
            fields["interviewsLink"] = api.role != .system
            let reviews = try await officeReviews
            if !reviews.isEmpty { sections.append(section("待本级审核诉求（包联干部已停用）", reviews)) }
            // 001 §4.2(2): an accepted answer is closed once the pairing leader agrees.
            let agreements = try await closureAgreements
            if !agreements.isEmpty {
                var waiting = section("待包联领导同意销号", agreements)
                waiting["key"] = "closure-agreement"
                sections.append(waiting)
            }
            // Paging or filtering the list shows the list where the person is looking, not the
            // month's figures above it again.
            if list.isFiltered || list.page > 1 {
                fields["dashboardLink"] = true
            } else {
                fields["dashboard"] = try await Dashboard(client: client, session: api)
                    .fields(month: request.uri.queryParameters.get("month").map { String($0) })
                fields["charts"] = true
            }
        }
        let rows = try await listed
        var all = section(Self.allListTitle(api.role), Array(rows.prefix(ListQuery.pageSize)))
        var filter: [String: Any] = [
            "states": list.stateOptions, "overdue": list.overdueOnly, "q": list.search ?? "", "isFiltered": list.isFiltered,
            "from": list.from?.description ?? "", "to": list.to?.description ?? "", "categories": list.categoryOptions,
            "industryGroups": list.industryGroupOptions,
            "page": list.page, "csv": list.link("/home.csv", page: 1), "xlsx": list.link("/home.xlsx", page: 1),
        ]
        let units = try await unitChoices
        if !units.isEmpty {
            filter["units"] = [["value": "", "label": "全部承办单位", "selected": list.unit == nil]]
                + units.map { ["value": $0.id, "label": $0.name, "selected": $0.id == list.unit] }
            filter["hasUnits"] = true
        }
        if list.page > 1 { filter["previous"] = list.link("/home", page: list.page - 1) }
        if rows.count > ListQuery.pageSize { filter["next"] = list.link("/home", page: list.page + 1) }
        all["filter"] = filter
        sections.append(all)
        for ladder in try await supervision {
            var shown = section(ladder.title, ladder.items)
            shown["key"] = ladder.key
            sections.append(shown)
        }
        fields["sections"] = sections
        return pages.page("home", title: PageRenderer.homeLabel(for: api.role), session: session,
            flash: session.flash, fields)
    }

    /// Who filters the list by lead unit: those who see the whole tier's demands.
    static let unitFilterRoles: Set<Role> = [.office, .inspector, .dispatcher, .countyAdmin, .system]

    /// The supervision ladder's lists on the office's page (001 §4.4, §4.6): cases under 挂牌督办
    /// until they close, unresolved demands not followed up this week, and class-B promises.
    func supervisionLists(_ api: Session) async throws -> [(title: String, key: String, items: [PlatformClient.QueueItem])] {
        async let flagged = client.ledger(api, query: "?flagged=true")
        async let followUps = client.ledger(api, query: "?followUpDue=true")
        async let promises = client.ledger(api, query: "?awaitingCompletion=true")
        return [
            ("挂牌督办", "flagged", try await flagged),
            ("待跟踪（7天内未跟踪的在办诉求）", "follow-up-due", try await followUps),
            ("B类承诺事项（待报告完成情况）", "awaiting-completion", try await promises),
        ]
    }

    /// The filtered list of the home page as a CSV file or Excel workbook: exactly the rows the filters select.
    func homeExport(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        let list = ListQuery(request.uri.queryParameters)
        let rows = try await allDemands(session.api, query: list.exportQuery).map { item -> [ReportTable.Cell] in
            [
                .text(item.registrationNumber), .text(item.enterpriseName), .text(item.location?.stateName ?? item.state.chineseName),
                .text(item.location.map { "\($0.tenantName ?? $0.tenant) \($0.holder ?? "")" } ?? ""),
                .text(item.dueAt.map(CivilDate.deadlineText)),
            ]
        }
        let table = ReportTable(title: "诉求清单", header: ["登记编号", "企业", "状态", "当前办理", "办理时限"], rows: rows)
        return Download.table(table, name: "demands", format: request.uri.path.hasSuffix(".xlsx") ? .xlsx : .csv)
    }

    /// Every demand the person may see where they work: intake's for enterprises and cadres,
    /// dispatch's for the tier's dispatcher and office, the ledger for units.
    func allDemands(_ api: Session, query: String) async throws -> [PlatformClient.QueueItem] {
        switch api.role {
        case .enterprise, .cadre: try await client.intakeList(api, query: query)
        case .dispatcher, .office, .inspector, .system: try await client.dispatchList(api, query: query)
        case .unitAdmin, .countyAdmin: try await client.ledger(api, query: query)
        }
    }

    static func allListTitle(_ role: Role) -> String {
        switch role {
        case .enterprise: "我的诉求"
        case .cadre: "包联企业诉求"
        case .dispatcher: "本级全部诉求"
        case .unitAdmin, .countyAdmin: "承办台账"
        case .office, .inspector, .system: "本级受理诉求"
        }
    }

    func section(_ title: String, _ items: [PlatformClient.QueueItem]) -> [String: Any] {
        let now = Date()
        let rows = items.map { item -> [String: Any] in
            let location = item.location
            return [
                "id": item.id.uuidString.lowercased(),
                "number": item.registrationNumber ?? "（未编号）",
                "enterprise": item.enterpriseName ?? "",
                // A merged demand is shown as merged, where the demand it joined is.
                "state": item.state == .merged ? DemandState.merged.chineseName
                    : location?.stateName ?? item.stateName ?? item.state.chineseName,
                "where": location.map { "\($0.tenantName ?? $0.tenant)" } ?? "",
                "holder": location?.holder ?? "",
                "due": item.dueAt.map(CivilDate.deadlineText) ?? "—",
                "light": Self.light(dueAt: item.dueAt, now: now),
            ]
        }
        return ["title": title, "rows": rows, "count": rows.count, "empty": rows.isEmpty]
    }

    // MARK: One demand

    func demandPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        let id = try Self.demandID(context)
        let (demand, dispatchRecordState) = try await read(id, as: session.api)
        var fields = DemandPresenter(demand: demand, role: session.api.role, unitID: session.api.unitID,
            dispatchRecordState: dispatchRecordState, rules: rules, viewerTier: session.api.tier, pagePath: "/demands/\(id.uuidString.lowercased())").fields
        // Asked together: the units to route to and the likely duplicates of a demand waiting for dispatch.
        let routing = session.api.role == .dispatcher && fields["canDispatch"] as? Bool == true
        let merging = fields["canMerge"] as? Bool == true
        async let units = routing ? client.units(session.api) : []
        async let duplicates = merging ? client.duplicates(session.api, of: id) : []
        if routing { fields["units"] = try await units.map { ["id": $0.id, "name": $0.name] } }
        fields.merge(Self.duplicateFields(try await duplicates)) { $1 }
        if try await officeReviews(demand, as: session.api) {
            fields["canReview"] = true
            fields["reviewedByOffice"] = rules.procedure(for: session.api.tier).officeName
        }
        fields["attachments"] = try await attachmentFields(of: demand, pageID: id, as: session.api)
        return pages.page("demand", title: "诉求 \(demand.registrationNumber ?? "")", session: session,
            flash: session.flash, fields)
    }

    /// The likely duplicates of a demand, to merge it into one (并单).
    static func duplicateFields(_ duplicates: [PlatformClient.DuplicateCandidate]) -> [String: Any] {
        let rows = duplicates.map { candidate -> [String: Any] in
            [
                "id": candidate.id.uuidString.lowercased(), "number": candidate.registrationNumber ?? "（未编号）",
                "stateName": candidate.stateName, "difficulty": candidate.difficulty,
                "submitted": CivilDate.shanghaiText(candidate.createdAt),
                "similarity": "\(Int((candidate.similarity * 100).rounded()))%",
            ]
        }
        return ["duplicates": rows, "hasDuplicates": !rows.isEmpty]
    }

    /// Demands waiting for the review of a cadre who has been deactivated (or of none): the office's
    /// to review (000 Q8), as intake, which keeps the directory, decides.
    static let officeReviewQuery = "?officeReview=true&limit=500"

    func officeReviews(_ demand: DemandSnapshot, as api: Session) async throws -> Bool {
        guard api.role == .office, demand.state == .awaitingReview, demand.tenant == api.tier.rawValue else { return false }
        return try await client.intakeList(api, query: Self.officeReviewQuery).contains { $0.id == demand.id }
    }

    /// The copy of the demand this person works on: intake's for the enterprise and its cadre (and,
    /// once a unit handles it, handling's copy where it is now, with the answer to rate), dispatch's
    /// for the tier's dispatcher and office, handling's for units.
    /// Also the state of dispatch's own record where the page comes from dispatch; the office reads
    /// a demand not at dispatch yet (under review, or just registered) from intake.
    func read(_ id: UUID, as api: Session) async throws -> (shown: DemandSnapshot, dispatchRecordState: DemandState?) {
        switch api.role {
        case .enterprise, .cadre:
            return (try await handledCopy(of: try await client.intakeDemand(api, id), as: api), nil)
        case .dispatcher, .office, .inspector, .system:
            do {
                let own = try await client.dispatchDemand(api, tier: api.tier, id)
                return (try await handledCopy(of: own, as: api), own.history.last?.to)
            } catch let error as APICallError where error.status == 404 && api.role == .office {
                return (try await client.intakeDemand(api, tier: api.tier, id), nil)
            }
        case .unitAdmin, .countyAdmin:
            return (try await client.handlingDemand(api, id), nil)
        }
    }

    /// Once a unit has the demand, handling's copy where it is now: it has the unit's steps, the
    /// answer, the pending extension. The tier's own copy when that one cannot be read.
    func handledCopy(of copy: DemandSnapshot, as api: Session) async throws -> DemandSnapshot {
        // A merged demand keeps its own page, which links to the one it joined.
        guard Self.handledStates.contains(copy.location.state), copy.merger == nil else { return copy }
        do {
            return try await client.handlingDemand(api, copy.location.demandID)
        } catch let error as APICallError where error.status == 403 || error.status == 404 {
            return copy
        }
    }

    static let handledStates: Set<DemandState> = [.awaitingSignature, .inProgress, .awaitingRating, .underSupervision, .closed]

    /// A form on a demand's page: the step goes to the service that owns it, then back to the page.
    func act(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let id = try Self.demandID(context)
        let action = context.parameters.get("action") ?? ""
        // The enterprise rates the copy where the demand is now; its own page is its intake copy.
        let back = form["returnTo"].flatMap(Self.localPath) ?? "/demands/\(id.uuidString.lowercased())"
        do {
            let outcome = try await DemandActions(client: client, session: session.api).perform(action, on: id, form: form)
            try await sessions.setFlash(.done(outcome.message), for: session.id)
            return Self.redirect(outcome.nextPage ?? back)
        } catch let error as APICallError where (400..<500).contains(error.status) && error.status != 401 {
            try await sessions.setFlash(.failed("操作未成功：\(error.issues.first?.message ?? error.message)"), for: session.id)
            return Self.redirect(back)
        } catch let missing as DemandActions.MissingField {
            try await sessions.setFlash(.failed("操作未成功：\(missing.message)"), for: session.id)
            return Self.redirect(back)
        }
    }

    /// The dispatch slip (交办单), laid out for printing on A4.
    func slipPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        let id = try Self.demandID(context)
        let slip = try await client.dispatchSlip(session.api, id)
        return pages.page("slip", title: slip.title, session: session, [
            "slip": [
                "title": slip.title, "number": slip.number, "registrationNumber": slip.registrationNumber ?? "",
                "enterprise": slip.enterprise, "address": slip.address, "contact": slip.contact, "phone": slip.phone,
                "matter": slip.matter, "difficulty": slip.difficulty, "leadUnit": slip.leadUnit,
                "cooperatingUnits": slip.cooperatingUnits.isEmpty ? "无" : slip.cooperatingUnits.joined(separator: "、"),
                "dispatchedAt": CivilDate.shanghaiText(slip.dispatchedAt),
                "resultDueAt": slip.resultDueAt.map(CivilDate.deadlineText) ?? "—", "approval": slip.approval ?? "",
            ] as [String: Any],
            "back": "/demands/\(id.uuidString.lowercased())",
            "document": "/demands/\(id.uuidString.lowercased())/slip",
        ])
    }

    /// A demand's forms as Word documents (or PDF with `format=pdf`): `registration` (登记表, from the demand's tier's intake),
    /// `escalation` (转报单, from its dispatch), `reply` (回复单) and `urge-letter` (催办函, from handling).
    func formDocument(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.dispatcher, .office, .cadre, .unitAdmin, .countyAdmin])
        let id = try Self.demandID(context)
        let tier = request.uri.queryParameters.get("tier").flatMap(TenantID.init(validating:))
        let form = context.parameters.get("form") ?? ""
        let operation: APIOperation
        switch form {
        case "registration": operation = .registrationForm
        case "escalation": operation = .escalationSlip
        case "reply": operation = .replyForm
        case "urge-letter": operation = .urgeLetter
        default: throw PortalError.notFound
        }
        // Intake and dispatch run per tier; handling is one for the platform.
        let instance: TenantID?
        if operation.service == .handling {
            instance = nil
        } else {
            guard let tier, tree.contains(tier) else { throw PortalError.notFound }
            instance = tier
        }
        let format = DocumentFormat(query: request.uri.queryParameters.get("format").map { String($0) })
        let data = try await client.download(format.operation(operation), session.api, tier: instance, id: id)
        return format.download(data, name: "\(form)-\(id.uuidString.lowercased().prefix(8))")
    }

    /// 批量分办: several demands of the queue to one lead unit, each through dispatch's API; the
    /// next page says how many went and why any did not.
    func dispatchSeveral(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.dispatcher])
        let form = try await request.form(context: context)
        try checkCSRF(form, session)
        let ids = form.all("ids").compactMap(UUID.init(uuidString:))
        guard let lead = form["leadUnitID"], !ids.isEmpty else {
            try await sessions.setFlash(.failed("请勾选诉求并选择牵头单位"), for: session.id)
            return Self.redirect("/home")
        }
        var routed = 0
        var refused: [String] = []
        for id in ids {
            do {
                _ = try await client.route(session.api, id, lead: lead)
                routed += 1
            } catch let error as APICallError where (400..<500).contains(error.status) && error.status != 401 {
                refused.append(error.message)
            }
        }
        let flash: Flash = refused.isEmpty
            ? .done("已分办\(routed)件")
            : .failed("已分办\(routed)件；\(refused.count)件未成功：\(Set(refused).sorted().joined(separator: "；"))")
        try await sessions.setFlash(flash, for: session.id)
        return Self.redirect("/home")
    }

    /// Reporting's downloads for the office, inspector and unit admins, for a month, through the
    /// person's token: the tables as CSV or Excel (`units.xlsx`) and the briefing as Word (`briefing.docx`).
    func report(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.office, .inspector, .unitAdmin, .countyAdmin])
        guard let file = context.parameters.get("name") else { throw PortalError.notFound }
        let month = request.uri.queryParameters.get("month").map { String($0) }.flatMap { Dashboard.isMonth($0) ? $0 : nil }
        // The annual evaluation is by year; a return's 汇总表 by form and period; every other report by month.
        let year = file.hasPrefix("evaluation.") ? Self.evaluationYear(request.uri.queryParameters.get("year")) : nil
        let returnsSummary = file.hasPrefix("returns.") ? Self.returnsSummaryQuery(request.uri.queryParameters) : nil
        let query = returnsSummary?.query ?? year.map { "?year=\($0)" } ?? month.map { "?month=\($0)" } ?? ""
        let data: Data
        switch file {
        case "briefing.docx": data = try await client.download(.briefingDocument, session.api, query: query)
        case "briefing.pdf": data = try await client.download(APIOperation.briefingDocument.asPDF, session.api, query: query)
        case _ where file.hasSuffix(".csv") || file.hasSuffix(".xlsx"): data = try await client.export(session.api, file: file, query: query)
        default: throw PortalError.notFound
        }
        let (name, suffix) = (file.prefix { $0 != "." }, file.drop { $0 != "." })
        let label = returnsSummary?.label ?? year.map(String.init) ?? month ?? "current"
        return Download.file(ByteBuffer(bytes: data), name: "\(name)-\(label)\(suffix)")
    }

    /// `form` and `period` of a return's 汇总表, checked before they go into reporting's query.
    static func returnsSummaryQuery(_ parameters: Parameters) -> (query: String, label: String)? {
        guard let form = parameters.get("form"), form.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
            let period = parameters.get("period").flatMap(ReturnPeriod.init)
        else { return nil }
        return ("?form=\(form)&period=\(period)", "\(form)-\(period)")
    }

    /// The dispatch slip as a Word document or PDF, as handling lays it out.
    func slipDocument(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireSession()
        let id = try Self.demandID(context)
        let format = DocumentFormat(path: request.uri.path)
        let data = try await client.download(format.operation(.dispatchSlipDocument), session.api, id: id)
        return format.download(data, name: "dispatch-slip-\(id.uuidString.lowercased().prefix(8))")
    }

    /// Word or PDF: every document the portal hands out comes both ways.
    enum DocumentFormat {
        case word, pdf

        init(path: String) { self = path.hasSuffix(".pdf") ? .pdf : .word }
        init(query: String?) { self = query == "pdf" ? .pdf : .word }

        func operation(_ word: APIOperation) -> APIOperation { self == .pdf ? word.asPDF : word }

        func download(_ data: Data, name: String) -> Response {
            Download.file(ByteBuffer(bytes: data), name: "\(name).\(self == .pdf ? "pdf" : "docx")")
        }
    }

    // MARK: Submitting

    func newDemandPage(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.enterprise, .cadre, .office])
        return formPage(session, enterprises: try await client.enterprises(session.api), values: [:], errors: [:], message: nil)
    }

    /// Correcting a demand's form: the enterprise resubmits one its cadre sent back, or the cadre
    /// edits one under review (002 §5).
    enum Correction: String {
        case resubmit, edit

        /// The office edits in place of a cadre who has left (the API checks they have).
        var roles: Set<Role> { self == .resubmit ? [.enterprise] : [.cadre, .office] }
        var state: DemandState { self == .resubmit ? .returnedToEnterprise : .awaitingReview }
        var operation: APIOperation { self == .resubmit ? .resubmit : .edit }
        var title: String { self == .resubmit ? "修改后重新提交" : "修改诉求内容" }
        var button: String { self == .resubmit ? "重新提交" : "保存修改" }
        var done: String { self == .resubmit ? "已重新提交，等待包联干部审核" : "诉求内容已修改" }

        init(_ request: Request) throws {
            guard let mode = request.uri.path.split(separator: "/").last.flatMap({ Correction(rawValue: String($0)) }) else {
                throw PortalError.notFound
            }
            self = mode
        }
    }

    /// The registration form, new (`correcting` nil) or corrected.
    func formPage(
        _ session: PortalSession, enterprises: [DirectoryEnterprise], values: [String: String], errors: [String: String],
        message: Flash?, status: HTTPResponse.Status = .ok, correcting: (Correction, UUID)? = nil
    ) -> Response {
        let allowsProvisional = session.api.role == .office && correcting == nil
        var fields = DemandFormPage(values: values, errors: errors, enterprises: enterprises, allowsProvisional: allowsProvisional).fields
        fields["action"] = correcting.map { "/demands/\($0.1.uuidString.lowercased())/\($0.0.rawValue)" } ?? "/demands"
        fields["correcting"] = correcting != nil
        fields["button"] = correcting?.0.button ?? "提交诉求"
        fields["registersForOthers"] = session.api.role != .enterprise
        return pages.page("new-demand", title: correcting?.0.title ?? (session.api.role == .office ? "登记诉求" : "发布诉求"), session: session, flash: message,
            status: status, fields)
    }

    func correctionPage(_ request: Request, context: PortalContext) async throws -> Response {
        let mode = try Correction(request)
        let session = try context.requireRole(mode.roles)
        let id = try Self.demandID(context)
        let demand = try await client.intakeDemand(session.api, id)
        guard demand.state == mode.state, let content = demand.content else { throw PortalError.badRequest("该诉求当前不能修改") }
        var values = DemandFormPage.values(of: content)
        values["enterpriseID"] = demand.enterprise?.id
        return formPage(session, enterprises: try await client.enterprises(session.api), values: values, errors: [:], message: nil,
            correcting: (mode, id))
    }

    func correct(_ request: Request, context: PortalContext) async throws -> Response {
        let mode = try Correction(request)
        let session = try context.requireRole(mode.roles)
        let id = try Self.demandID(context)
        return try await sendForm(request, context: context, session: session, correcting: (mode, id)) { form, _ in
            _ = try await client.correct(mode.operation, session.api, id, form: form.form, note: form.typed["note"])
            return (mode.done, id)
        }
    }

    func submitDemand(_ request: Request, context: PortalContext) async throws -> Response {
        let session = try context.requireRole([.enterprise, .cadre, .office])
        return try await sendForm(request, context: context, session: session) { form, enterprise in
            let submitted = try await client.submit(session.api, form: form.form,
                enterpriseID: session.api.role == .enterprise ? nil : enterprise?.id, provisionalEnterprise: form.provisional,
                idempotencyKey: form.typed["submissionKey"])
            return ("诉求已提交，登记编号 \(submitted.registrationNumber ?? "")", submitted.id)
        }
    }

    /// The registration form as typed and as the API takes it.
    struct FilledForm {
        var typed: FormData
        var form: DemandForm
        /// The office registers the enterprise typed into the form.
        var provisional: Bool
    }

    /// Checks a posted registration form, sends it with `send`, and shows the demand; or shows the
    /// form again with each problem (the portal's or the API's) beside its field.
    func sendForm(
        _ request: Request, context: PortalContext, session: PortalSession, correcting: (Correction, UUID)? = nil,
        send: (FilledForm, DirectoryEnterprise?) async throws -> (message: String, demand: UUID)
    ) async throws -> Response {
        let typed = try await request.form(context: context)
        try checkCSRF(typed, session)
        let enterprises = try await client.enterprises(session.api)
        // A choice that is not one of the person's enterprises chooses none.
        let chosen = typed["enterpriseID"].map { id in enterprises.first { $0.id == id } } ?? enterprises.first
        let provisional = session.api.role == .office && correcting == nil && typed["enterpriseID"] == DemandFormPage.provisionalChoice
        func again(_ errors: [String: String], _ message: String) -> Response {
            formPage(session, enterprises: enterprises, values: typed.values, errors: errors, message: .failed(message),
                status: .unprocessableContent, correcting: correcting)
        }
        let draft = DemandFormPage.draft(from: typed, enterprise: chosen, provisional: provisional)
        guard let form = draft.form, draft.errors.isEmpty else { return again(draft.errors, "请按提示修改后再提交") }
        do {
            let (message, demand) = try await send(FilledForm(typed: typed, form: form, provisional: provisional), chosen)
            try await sessions.setFlash(.done(message), for: session.id)
            return Self.redirect("/demands/\(demand.uuidString.lowercased())")
        } catch let error as APICallError where error.status == 422 || error.status == 400 {
            return again(error.fieldMessages, error.message)
        }
    }

    // MARK: Helpers

    func checkCSRF(_ form: FormData, _ session: PortalSession) throws {
        guard let given = form["csrf"], SessionStore.constantTimeEqual(given, session.csrfToken) else { throw PortalError.staleForm }
    }

    static func demandID(_ context: PortalContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw PortalError.notFound }
        return id
    }

    /// Only paths of this site: a form cannot send the person elsewhere.
    static func localPath(_ text: String) -> String? {
        text.hasPrefix("/") && !text.hasPrefix("//") && !text.contains("\\") ? text : nil
    }

    static func redirect(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }

    static func light(dueAt: Date?, now: Date) -> String {
        guard let dueAt else { return "none" }
        if dueAt < now { return "overdue" }
        return dueAt.timeIntervalSince(now) < 86_400 ? "dueSoon" : "onTrack"
    }
}

extension APICallError {
    /// Every field's problem, or the error's own message when it names no field, for a page's message.
    var problemsText: String {
        let messages = issues.map(\.message)
        return messages.isEmpty ? message : messages.joined(separator: "；")
    }
}
