import AsyncHTTPClient
import DemandDomain
import Foundation
import InputValidation
import LocalStack
import NIOCore
import NIOHTTP1
import PlatformAPI
import Tenancy

/// The tier office reading the web platform while journeys run (issue "The web platform": page p99
/// under 150 ms): its dashboard and a page of its overdue list, each HTML the portal renders from
/// the services' answers, timed from request to the last byte. One person, a page about every
/// quarter of a second, as someone paging through lists would.
struct PortalReader: Sendable {
    let base: String
    let book: LatencyBook
    /// Times, one by one after each pair of pages, the API calls the office's page makes, so that a
    /// slow page can be told from its slowest call.
    let client: PlatformClient
    let calls: LatencyBook

    static let calls: [(name: String, call: @Sendable (PlatformClient, Session, String) async throws -> Void)] = [
        ("api for the page: figures of the month", { client, session, month in _ = try await client.figures(session, query: "?month=\(month)") }),
        ("api for the page: six months received and closed", { client, session, month in
            let last = CalendarMonth(month)!
            _ = try await client.figureMonths(session, query: "?from=\(last.adding(months: -5))&to=\(last)")
        }),
        ("api for the page: unit ranking", { client, session, month in _ = try await client.unitRanking(session, query: "?month=\(month)") }),
        ("api for the page: cadre figures", { client, session, month in _ = try await client.cadreFigures(session, query: "?month=\(month)") }),
        ("api for the page: list, newest 51", { client, session, _ in _ = try await client.dispatchList(session, query: "?limit=51&offset=0") }),
        ("api for the page: list, overdue, page 2", { client, session, _ in
            _ = try await client.dispatchList(session, query: "?overdue=true&limit=51&offset=50")
        }),
        ("api for the page: ledger, flagged", { client, session, _ in _ = try await client.ledger(session, query: "?flagged=true") }),
        ("api for the page: ledger, follow-up due", { client, session, _ in _ = try await client.ledger(session, query: "?followUpDue=true") }),
        ("api for the page: ledger, class-B promises", { client, session, _ in
            _ = try await client.ledger(session, query: "?awaitingCompletion=true")
        }),
    ]

    /// The list page shows the list alone (paging and filters leave the month's figures out).
    static let pages = [("portal: office dashboard (/home)", "/home"), ("portal: office list, overdue, page 2", "/home?overdue=1&page=2")]
    static let pause = Duration.milliseconds(250)

    /// Reads the pages in turn until `duration` has passed; answers how many it read.
    func read(for duration: Duration) async throws -> Int {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            let count = try await read(with: client, for: duration)
            try await client.shutdown()
            return count
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func read(with http: HTTPClient, for duration: Duration) async throws -> Int {
        let session = try await logIn(http)
        let office = try await client.login(tier: "maojian", login: "茅箭区双千办", password: Cast.demoPassword)
        let month = CalendarMonth(CivilDate(Date())).description
        let end = ContinuousClock.now + duration
        var count = 0
        while ContinuousClock.now < end {
            for (name, path) in Self.pages {
                var request = HTTPClientRequest(url: base + path)
                request.headers.add(name: "Cookie", value: session)
                let start = ContinuousClock.now
                let response = try await http.execute(request, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 16 << 20)
                guard response.status == .ok, body.readableBytes > 0 else { throw StackError("the portal answered \(path) with \(response.status)") }
                book.record(name, ContinuousClock.now - start)
                count += 1
                try await Task.sleep(for: Self.pause)
            }
            for (name, call) in Self.calls {
                let start = ContinuousClock.now
                try await call(client, office, month)
                calls.record(name, ContinuousClock.now - start)
            }
        }
        return count
    }

    /// Logs in through the login form as 茅箭区's office (its double-submit token from the login
    /// cookie), and answers the session cookie.
    private func logIn(_ client: HTTPClient) async throws -> String {
        let page = try await client.execute(HTTPClientRequest(url: base + "/login"), timeout: .seconds(30))
        _ = try await page.body.collect(upTo: 4 << 20)
        guard let token = Self.cookie("portal_login", in: page.headers) else { throw StackError("the login page set no login cookie") }
        var request = HTTPClientRequest(url: base + "/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Cookie", value: "portal_login=\(token)")
        let fields = ["tier": "maojian", "unit": "tier:maojian", "login": "茅箭区双千办", "password": Cast.demoPassword, "loginToken": token]
        var form = URLComponents()
        form.queryItems = fields.map { URLQueryItem(name: $0.key, value: $0.value) }
        let body = form.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        request.body = .bytes(ByteBuffer(string: body))
        let answer = try await client.execute(request, timeout: .seconds(30))
        _ = try await answer.body.collect(upTo: 4 << 20)
        guard let session = Self.cookie("portal_session", in: answer.headers) else {
            throw StackError("the office could not log in to the portal (\(answer.status))")
        }
        return "portal_session=\(session)"
    }

    static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        for line in headers["set-cookie"] {
            guard let pair = line.split(separator: ";").first, pair.hasPrefix("\(name)=") else { continue }
            return String(pair.dropFirst(name.count + 1))
        }
        return nil
    }
}
