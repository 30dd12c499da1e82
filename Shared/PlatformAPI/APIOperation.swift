import DemandDomain
import InputValidation
import NIOHTTP1
import Tenancy

/// One operation of a service's OpenAPI document that the client calls. `all` lists every one, and
/// a test checks each against the documents, so the client and the APIs cannot drift apart.
public struct APIOperation: Sendable {
    public var name: String
    public var service: ServiceKind
    public var method: HTTPMethod
    /// The documented path, with `{id}` where the demand id goes.
    public var path: String

    init(_ name: String, _ service: ServiceKind, _ method: HTTPMethod, _ path: String) {
        self.name = name
        self.service = service
        self.method = method
        self.path = path
    }

    /// `POST /demands` in the form an OpenAPI document lists it.
    public var documentedOperation: String { "\(method.rawValue) \(path)" }

    public static let login = APIOperation("login", .intake, .POST, "/auth/login")
    public static let loginUnits = APIOperation("loginUnits", .intake, .GET, "/auth/units")
    public static let applyForAccount = APIOperation("accountApplications.apply", .intake, .POST, "/account-applications")
    public static let accountApplications = APIOperation("accountApplications", .intake, .GET, "/account-applications")
    public static let decideAccountApplication = APIOperation(
        "accountApplications.decide", .intake, .POST, "/account-applications/{id}/decision")
    public static let accounts = APIOperation("accounts", .intake, .GET, "/accounts")
    public static let resetPassword = APIOperation("accounts.resetPassword", .intake, .POST, "/accounts/{subject}/password-reset")
    public static let changePassword = APIOperation("changePassword", .intake, .POST, "/me/password")
    public static let myPhone = APIOperation("myPhone", .intake, .GET, "/me/phone")
    public static let changePhone = APIOperation("changePhone", .intake, .PUT, "/me/phone")
    public static let submit = APIOperation("submit", .intake, .POST, "/demands")
    public static let intakeList = APIOperation("intake.list", .intake, .GET, "/demands")
    public static let intakeView = APIOperation("intake.view", .intake, .GET, "/demands/{id}")
    public static let approve = APIOperation("approve", .intake, .POST, "/demands/{id}/approve")
    public static let sendBack = APIOperation("sendBack", .intake, .POST, "/demands/{id}/send-back")
    public static let intakeRefusal = APIOperation("intake.refusal", .intake, .POST, "/demands/{id}/refusal")
    public static let dispatchRefusal = APIOperation("dispatch.refusal", .dispatch, .POST, "/demands/{id}/refusal")
    public static let duplicates = APIOperation("dispatch.duplicates", .dispatch, .GET, "/demands/{id}/duplicates")
    public static let merger = APIOperation("dispatch.merger", .dispatch, .POST, "/demands/{id}/merger")
    public static let resubmit = APIOperation("resubmit", .intake, .POST, "/demands/{id}/resubmit")
    public static let edit = APIOperation("edit", .intake, .PUT, "/demands/{id}")
    public static let enterprises = APIOperation("enterprises", .intake, .GET, "/directory/enterprises")
    public static let queue = APIOperation("queue", .dispatch, .GET, "/queue")
    public static let units = APIOperation("units", .dispatch, .GET, "/units")
    public static let dispatchList = APIOperation("dispatch.list", .dispatch, .GET, "/demands")
    public static let dispatchView = APIOperation("dispatch.view", .dispatch, .GET, "/demands/{id}")
    public static let route = APIOperation("dispatch", .dispatch, .POST, "/demands/{id}/dispatch")
    public static let escalate = APIOperation("escalate", .dispatch, .POST, "/demands/{id}/escalate")
    public static let ledger = APIOperation("ledger", .handling, .GET, "/ledger")
    public static let handlingView = APIOperation("handling.view", .handling, .GET, "/demands/{id}")
    public static let dispatchSlip = APIOperation("dispatch-slip", .handling, .GET, "/demands/{id}/dispatch-slip")
    public static let messages = APIOperation("messages", .notifier, .GET, "/demands/{id}/messages")
    public static let figures = APIOperation("figures", .reporting, .GET, "/figures")
    public static let figureMonths = APIOperation("figures.months", .reporting, .GET, "/figures/months")
    public static let unitFigures = APIOperation("figures.units", .reporting, .GET, "/figures/units")
    public static let unitRanking = APIOperation("rankings.units", .reporting, .GET, "/rankings/units")
    public static let annualEvaluation = APIOperation("evaluations.annual", .reporting, .GET, "/evaluations/annual")
    public static let recordAppraisal = APIOperation("evaluations.appraisal", .reporting, .PUT, "/evaluations/annual/{year}/units/{unit}")
    public static let pairingMonth = APIOperation("pairing.month", .intake, .GET, "/pairing/month")
    public static let pairingContacts = APIOperation("pairing.contacts", .intake, .GET, "/pairing/contacts")
    public static let recordContact = APIOperation("pairing.recordContact", .intake, .POST, "/pairing/contacts")
    public static let businessStatus = APIOperation(
        "pairing.businessStatus", .intake, .GET, "/pairing/enterprises/{enterpriseID}/business-status")
    public static let reportBusinessStatus = APIOperation(
        "pairing.reportBusinessStatus", .intake, .PUT, "/pairing/enterprises/{enterpriseID}/business-status")
    public static let enterpriseProfile = APIOperation(
        "pairing.enterpriseProfile", .intake, .GET, "/pairing/enterprises/{enterpriseID}/profile")
    public static let changeEnterpriseProfile = APIOperation(
        "pairing.changeEnterpriseProfile", .intake, .PUT, "/pairing/enterprises/{enterpriseID}/profile")
    public static let pairingReminders = APIOperation("pairing.reminders", .intake, .POST, "/pairing/reminders")
    public static let myAppraisal = APIOperation("pairing.appraisal", .intake, .GET, "/pairing/appraisal")
    public static let submitAppraisal = APIOperation("pairing.submitAppraisal", .intake, .PUT, "/pairing/appraisal")
    public static let cadreQuarters = APIOperation("pairing.appraisals", .intake, .GET, "/pairing/appraisals")
    public static let appraisalRequests = APIOperation("pairing.appraisalRequests", .intake, .POST, "/pairing/appraisal-requests")
    public static let pairingCadres = APIOperation("pairing.cadres", .intake, .GET, "/pairing/cadres")
    public static let setExemption = APIOperation("pairing.setExemption", .intake, .PUT, "/pairing/cadres/{cadreID}/exemption")
    public static let deactivateCadre = APIOperation("pairing.deactivate", .intake, .POST, "/pairing/cadres/{cadreID}/deactivation")
    public static let allocate = APIOperation("pairing.allocate", .intake, .POST, "/pairing/allocations")
    public static let proposeChange = APIOperation("pairing.propose", .intake, .POST, "/pairing/proposals")
    public static let pairingProposals = APIOperation("pairing.proposals", .intake, .GET, "/pairing/proposals")
    public static let decideChange = APIOperation("pairing.decide", .intake, .POST, "/pairing/proposals/{proposalID}/decision")
    public static let briefs = APIOperation("briefs.list", .intake, .GET, "/briefs")
    public static let submitBrief = APIOperation("briefs.submit", .intake, .POST, "/briefs")
    public static let decideBrief = APIOperation("briefs.decide", .intake, .POST, "/briefs/{id}/decision")
    public static let notices = APIOperation("notices.list", .intake, .GET, "/notices")
    public static let publishNotice = APIOperation("notices.publish", .intake, .POST, "/notices")
    public static let withdrawNotice = APIOperation("notices.withdraw", .intake, .POST, "/notices/{id}/withdrawal")
    public static let interviews = APIOperation("supervision.interviews", .intake, .GET, "/supervision/interviews")
    public static let recordInterview = APIOperation("supervision.recordInterview", .intake, .POST, "/supervision/interviews")
    /// 常态化工作小组 (Jinzai): read by the office, the inspector and the units in them; formed, changed and dissolved by the office.
    public static let priorityEnterprises = APIOperation("pairing.priorityEnterprises", .intake, .GET, "/pairing/priority-enterprises")
    public static let setPriorityEnterprises = APIOperation("pairing.setPriorityEnterprises", .intake, .PUT, "/pairing/priority-enterprises")
    public static let workingGroups = APIOperation("pairing.workingGroups", .intake, .GET, "/pairing/working-groups")
    public static let formWorkingGroup = APIOperation("pairing.formWorkingGroup", .intake, .POST, "/pairing/working-groups")
    public static let changeWorkingGroup = APIOperation("pairing.changeWorkingGroup", .intake, .PUT, "/pairing/working-groups/{groupID}")
    public static let dissolveWorkingGroup = APIOperation("pairing.dissolveWorkingGroup", .intake, .DELETE, "/pairing/working-groups/{groupID}")
    public static let promptLetters = APIOperation("pairing.promptLetters", .intake, .GET, "/pairing/prompt-letters")
    public static let issuePromptLetter = APIOperation("pairing.issuePromptLetter", .intake, .POST, "/pairing/prompt-letters")
    public static let replyToPromptLetter = APIOperation("pairing.replyToPromptLetter", .intake, .POST,
        "/pairing/prompt-letters/{letterID}/reply")
    public static let attachments = APIOperation("attachments", .intake, .GET, "/demands/{id}/attachments")
    public static let attach = APIOperation("attach", .intake, .POST, "/demands/{id}/attachments")
    public static let attachmentContent = APIOperation("attachmentContent", .intake, .GET, "/demands/{id}/attachments/{attachmentID}")
    public static let importDirectorySheet = APIOperation("directory.importSheet", .intake, .POST, "/admin/directory/sheets/{kind}")
    public static let cadreFigures = APIOperation("figures.cadres", .reporting, .GET, "/figures/cadres")
    /// The dispatch slip as a Word document.
    public static let dispatchSlipDocument = APIOperation(
        "dispatch-slip.docx", .handling, .GET, "/demands/{id}/dispatch-slip.docx")
    /// The registration form (登记表) as a Word document.
    public static let registrationForm = APIOperation(
        "registration-form.docx", .intake, .GET, "/demands/{id}/registration-form.docx")
    /// The escalation slip (转报单) as a Word document.
    public static let escalationSlip = APIOperation("escalation-slip.docx", .dispatch, .GET, "/demands/{id}/escalation-slip.docx")
    /// The lead unit's reply (回复单) as a Word document.
    public static let replyForm = APIOperation("reply.docx", .handling, .GET, "/demands/{id}/reply.docx")
    /// The last urge letter (催办函) as a Word document.
    public static let urgeLetter = APIOperation("urge-letter.docx", .handling, .GET, "/demands/{id}/urge-letter.docx")
    /// The monthly briefing as a Word document.
    public static let briefingDocument = APIOperation("briefing.docx", .reporting, .GET, "/briefings/monthly.docx")
    /// 定期报送 (001 §4.7, 004 二（六）): the tracker, the office's reminders, one return and its submission.
    public static let returnsTracker = APIOperation("returns.tracker", .reporting, .GET, "/returns")
    public static let returnReminders = APIOperation("returns.reminders", .reporting, .POST, "/returns/reminders")
    public static let returnSheet = APIOperation("returns.sheet", .reporting, .GET, "/returns/{form}/{period}/{submitter}")
    public static let submitReturn = APIOperation("returns.submit", .reporting, .PUT, "/returns/{form}/{period}/{submitter}")
    /// 通报报送: the tier's leaders on the bulletin's list, and the office issuing a month's bulletin to them.
    public static let briefingRecipients = APIOperation("briefings.recipients", .reporting, .GET, "/briefings/recipients")
    public static let setBriefingRecipients = APIOperation("briefings.setRecipients", .reporting, .PUT, "/briefings/recipients")
    public static let issueBriefing = APIOperation("briefings.issue", .reporting, .POST, "/briefings/monthly/issue")
    /// Reporting's exports, by file name: `figures`, `units`, `cadres`, `overdue`, `unsatisfied`,
    /// `rankings`, `evaluation` and `returns` (a form's 汇总表), each as `.csv` and `.xlsx`.
    public static let exports = ["figures", "units", "cadres", "overdue", "unsatisfied", "rankings", "evaluation", "returns"].flatMap { name in
        ["csv", "xlsx"].map { APIOperation("export.\(name).\($0)", .reporting, .GET, "/exports/\(name).\($0)") }
    }

    /// The same document rendered as PDF (`….docx` → `….pdf`).
    public var asPDF: APIOperation {
        APIOperation(String(name.dropLast(".docx".count)) + ".pdf", service, method, String(path.dropLast(".docx".count)) + ".pdf")
    }

    /// The Word documents, each also served as PDF.
    public static let documents = [dispatchSlipDocument, replyForm, registrationForm, escalationSlip, urgeLetter, briefingDocument]

    public static let all: [APIOperation] = [
        login, loginUnits, changePassword, myPhone, changePhone, submit, intakeList, intakeView, approve, sendBack, intakeRefusal, dispatchRefusal, duplicates, merger, resubmit, edit, enterprises, queue, units, dispatchList, dispatchView, route,
        escalate, ledger, handlingView, dispatchSlip, dispatchSlipDocument, messages, figures, unitFigures, cadreFigures,
        briefingDocument, unitRanking, annualEvaluation, recordAppraisal, registrationForm, escalationSlip, replyForm,
        pairingMonth, pairingContacts, recordContact, businessStatus, reportBusinessStatus, enterpriseProfile, changeEnterpriseProfile,
        pairingReminders,
        myAppraisal, submitAppraisal, cadreQuarters, appraisalRequests, pairingCadres, setExemption, deactivateCadre, allocate,
        proposeChange, pairingProposals, decideChange, promptLetters, issuePromptLetter, replyToPromptLetter, interviews, recordInterview,
        priorityEnterprises, setPriorityEnterprises, workingGroups, formWorkingGroup, changeWorkingGroup, dissolveWorkingGroup,
        notices, publishNotice, withdrawNotice, briefs, submitBrief, decideBrief, returnsTracker, returnReminders,
        returnSheet, submitReturn,
        briefingRecipients, setBriefingRecipients, issueBriefing, importDirectorySheet,
        attachments, attach, attachmentContent, figureMonths, accounts, resetPassword,
        applyForAccount, accountApplications, decideAccountApplication,
    ] + exports + documents.map(\.asPDF) + HandlingAction.allCases.map(\.operation)
}

/// The steps a handling unit, the enterprise or the office take on handling (`POST /demands/{id}/<action>`).
public enum HandlingAction: String, Sendable, CaseIterable {
    case sign, notes, opinions, pause, resume, `extension`, result, `return`, rating, urge, flag, meetings, completion
    case extensionDecision = "extension/decision"
    case answerSupervision = "answer-supervision"
    case closureDecision = "closure-decision"
    case followUps = "follow-ups"

    public var operation: APIOperation { APIOperation(rawValue, .handling, .POST, "/demands/{id}/\(rawValue)") }
}
