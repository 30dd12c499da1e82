import DemandDomain
import Foundation
import InputValidation
import PlatformAPI
import Tenancy

/// The main job, shown on the running processes: a 茅箭区 enterprise's demand goes up to 十堰市,
/// is handled by a city unit, rated and closed; every step is printed with its number, state, actor
/// and deadline, then the demand's history from the handling ledger, the SMS and the month's figures.
public struct Demonstration: Sendable {
    let stack: PlatformStack
    /// Where the demonstration's lines go (standard output for `deploy/local/stack`).
    let say: @Sendable (String) -> Void

    public init(stack: PlatformStack, say: @escaping @Sendable (String) -> Void) {
        self.stack = stack
        self.say = say
    }

    public func run() async throws {
        let client = PlatformClient(stack: stack)
        let phoneNetwork = stack.environment.fakeSMSCLog.map(FakeSMSCLog.init(path:))
        let firstLine = phoneNetwork?.lineCount() ?? 0
        say("\n== 主要业务演示：企业诉求从茅箭区转报十堰市，办结销号 ==")
        let cast = try await Cast.login(client)
        let counter = StepCounter()
        let runner = JourneyRunner(client: client, cast: cast) { step, session, demand in
            let index = counter.next()
            let last = demand.history.last
            let actor = "\(last?.actor.name ?? session.name ?? session.subject)（\((last?.actor.role ?? session.role).chineseName)）"
            let number = demand.escalation?.number ?? demand.assignment?.number ?? demand.registrationNumber ?? ""
            let deadline = demand.deadlines.first.map { "\($0.stepName)时限 \($0.dueAt.map(CivilDate.deadlineText) ?? "暂停计时")" }
                ?? "无在办时限"
            say("[\(index)] \(step)")
            say("    编号 \(number) | 状态 \(demand.stateName ?? "-") | 操作人 \(actor) | \(deadline)")
        }
        let closedBefore = Self.closedCounts(try await client.figures(cast.cityOffice))
        let (county, city) = try await runner.escalatedJourney()
        say("\n== 诉求全过程（十堰市承办台账，\(city.registrationNumber ?? "")） ==")
        let ledgerCopy = try await client.handlingDemand(cast.cityOffice, city.id)
        for entry in ledgerCopy.history {
            say("  \(entry.sequence). \(Self.shanghai(entry.at)) \(entry.kindName) → \(entry.to.chineseName)  \(entry.actor.name ?? entry.actor.id)（\(entry.actor.role.chineseName)，\(entry.actor.tenant)）")
        }
        say("\n== 茅箭区原诉求 \(county.registrationNumber ?? "")：\(county.stateName ?? "")（转报编号 \(county.escalation?.number ?? "")） ==")
        for entry in county.history {
            say("  \(entry.sequence). \(Self.shanghai(entry.at)) \(entry.kindName) → \(entry.to.chineseName)")
        }
        try await showSMS(client: client, cast: cast, demands: [county.id, city.id], phoneNetwork: phoneNetwork, after: firstLine)
        try await showFigures(client: client, cast: cast, closedBefore: closedBefore)
        let token = cast.cityOffice.token
        say("""

            == Try it ==
            The web platform: \(stack.url(.portal))/  (every demo password is \(Cast.demoPassword))
              区域 茅箭区：十堰示范汽车零部件有限公司（企业，不选单位）、李明远（包联干部，单位 茅箭区经济和信息化局）、
                茅箭区分办员、茅箭区经信局管理员（单位 茅箭区经济和信息化局）、茅箭区双千办
              区域 十堰市：市经信组分办员、十堰市经信局管理员、十堰市双千办
              （同名人员须选择单位：茅箭区有两位王建国，分别在茅箭区商务局和茅箭区自然资源和规划分局）
            A token of 十堰市双千办 (valid 12 hours):
              export TOKEN=\(token)
              curl -s \(stack.url(.handling))/ledger -H "Authorization: Bearer $TOKEN"
              curl -s \(stack.url(.handling))/demands/\(city.id) -H "Authorization: Bearer $TOKEN"
              curl -s \(stack.url(.handling))/demands/\(city.id)/dispatch-slip -H "Authorization: Bearer $TOKEN"
            Log in as someone else (every demo password is \(Cast.demoPassword)):
              curl -s \(stack.url(.intake, tier: "maojian"))/auth/login -d '{"tier":"maojian","unit":"maojian-jxj","login":"李明远","password":"\(Cast.demoPassword)"}'
            """)
    }

    /// The SMS each person received, as the phone network (fakesmsc) saw them; messages held by
    /// quiet hours are listed with the notifier's state.
    func showSMS(client: PlatformClient, cast: Cast, demands: [UUID], phoneNetwork: FakeSMSCLog?, after line: Int) async throws {
        let offices = [cast.countyOffice, cast.cityOffice]
        // Two SMS for the county's steps, four for the city's: wait until each has an outcome.
        var intents: [PlatformClient.SMSMessage] = []
        for _ in 0..<150 {
            intents = []
            for (demand, office) in zip(demands, offices) { intents += try await client.messages(office, demand: demand) }
            let settled = intents.allSatisfy { $0.state != "inFlight" && !($0.state == "pending" && $0.lastError != nil) }
            if intents.count >= 6, settled { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        try await Task.sleep(for: .milliseconds(500))
        let names = Dictionary(intents.compactMap { intent in intent.phone.map { ($0, intent.recipientName ?? "") } }) { first, _ in first }
        say("\n== 短信（电话网络 fakesmsc 实际收到） ==")
        for message in phoneNetwork?.messages(after: line) ?? [] {
            let masked = String(message.to.prefix(3)) + "****" + String(message.to.suffix(4))
            say("  \(message.to)（\(names[masked] ?? "")）：\(message.text)")
        }
        let held = intents.filter { $0.state == "pending" }
        if !held.isEmpty {
            say("  另有\(held.count)条短信在静默时段（22:00–07:30）暂缓，早上发送：")
            for intent in held { say("    \(intent.recipientName ?? "")：\(intent.text)") }
        }
    }

    /// Demands closed this month per tier of the figures' subtree.
    static func closedCounts(_ figures: PlatformClient.FiguresSummary) -> [String: Int] {
        Dictionary(figures.tiers.map { ($0.scope, $0.closed) }) { first, _ in first }
    }

    /// The month's figures of 十堰市 and its districts, as the city office sees them, once reporting
    /// counted the demonstration's demand closed at both tiers. The subtree's total counts an
    /// escalated demand once, so each tier's own row is what moves.
    func showFigures(client: PlatformClient, cast: Cast, closedBefore: [String: Int]) async throws {
        let figures = try await eventually("reporting to count the demonstration") {
            let figures = try await client.figures(cast.cityOffice)
            let closed = Self.closedCounts(figures)
            let counted = ["maojian", "shiyan"].allSatisfy { closed[$0, default: 0] > closedBefore[$0, default: 0] }
            return counted ? figures : nil
        }
        func percent(_ rate: PlatformClient.FiguresSummary.Rate) -> String {
            rate.value.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
        }
        say("\n== 本月统计（\(figures.period.label)，十堰市双千办视角） ==")
        say("  地区        受理  转报  收转报  销号  超期  接收及时率  满意率  办结率")
        for row in figures.tiers + (figures.total.map { [$0] } ?? []) {
            let name = row.name.padding(toLength: 8, withPad: "　", startingAt: 0)
            say("  \(name) \(String(format: "%4d  %4d  %6d  %4d  %4d", row.received, row.escalated, row.escalatedIn, row.closed, row.overdueNow))  "
                + "\(percent(row.onTimeReceiptRate).padding(toLength: 10, withPad: " ", startingAt: 0))  \(percent(row.satisfactionRate))  \(percent(row.completionRate))")
        }
    }

    static func shanghai(_ date: Date?) -> String {
        date.map { CivilDate.shanghaiText($0) } ?? "-"
    }
}

private final class StepCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
