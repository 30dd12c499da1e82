import DemandDomain
import Foundation
import NIOHTTP1
import PlatformAPI
import Tenancy

/// The people of the demo directory (`deploy/local/directory`), logged in.
public struct Cast: Sendable {
    public var enterprise: Session
    public var cadre: Session
    public var countyDispatcher: Session
    public var countyUnit: Session
    /// A second district unit, for journeys routed to the wrong unit first.
    public var countyOtherUnit: Session
    public var countyOffice: Session
    public var cityDispatcher: Session
    public var cityUnit: Session
    public var cityOffice: Session

    /// The demo's initial password (README): the same for every demo account.
    public static let demoPassword = "Demo@2026"

    /// 茅箭区 people and 十堰市 people of the demo directory.
    public static func login(_ client: PlatformClient, enterpriseName: String = "十堰示范汽车零部件有限公司", cadre: String = "李明远")
        async throws -> Cast
    {
        let password = demoPassword
        async let enterprise = client.login(tier: "maojian", login: enterpriseName, password: password)
        async let cadreSession = client.login(tier: "maojian", login: cadre, password: password)
        async let countyDispatcher = client.login(tier: "maojian", login: "茅箭区分办员", password: password)
        async let countyUnit = client.login(tier: "maojian", login: "茅箭区经信局管理员", password: password)
        async let countyOtherUnit = client.login(tier: "maojian", login: "茅箭区住建局管理员", password: password)
        async let countyOffice = client.login(tier: "maojian", login: "茅箭区双千办", password: password)
        async let cityDispatcher = client.login(tier: "shiyan", login: "市经信组分办员", password: password)
        async let cityUnit = client.login(tier: "shiyan", login: "十堰市经信局管理员", password: password)
        async let cityOffice = client.login(tier: "shiyan", login: "十堰市双千办", password: password)
        return try await Cast(
            enterprise: enterprise, cadre: cadreSession, countyDispatcher: countyDispatcher, countyUnit: countyUnit,
            countyOtherUnit: countyOtherUnit, countyOffice: countyOffice, cityDispatcher: cityDispatcher, cityUnit: cityUnit, cityOffice: cityOffice)
    }
}

/// Polls until `body` returns a value (the services talk over Kafka, so a step shows up a moment
/// after the previous one); throws if it never does. The pause between polls starts at `interval`
/// and grows by half each time up to `longest`.
public func eventually<T: Sendable>(
    _ what: String,
    timeout: Duration = .seconds(30),
    every interval: Duration = .milliseconds(100),
    upTo longest: Duration? = nil,
    _ body: @Sendable () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    var pause = interval
    while ContinuousClock.now < deadline {
        do {
            if let value = try await body() { return value }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: pause)
        pause = min(pause * 1.5, longest ?? interval)
    }
    throw StackError("timed out waiting for \(what)\(lastError.map { " (last error: \($0))" } ?? "")")
}

