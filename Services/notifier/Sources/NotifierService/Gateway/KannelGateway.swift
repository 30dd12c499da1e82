import AsyncHTTPClient
import DemandDomain
import Foundation
import InputValidation
import NIOCore
import NIOHTTP1
import Tenancy

/// Kannel's smsbox HTTP `sendsms` interface: UTF-8 text sent as UCS-2 (`coding=2`) so Chinese
/// arrives intact; long texts are split into concatenated SMS by Kannel (`concatenation`,
/// `max-messages` of the sendsms-user). The final delivery reports (`dlr-mask` 19: delivered,
/// failed, rejected by the network) call back `dlr-url` with the message id; the intermediate ones
/// (buffered, submitted) would tell nothing the sendsms answer did not (the gateway has it), at an
/// HTTP call and a database write each.
public struct KannelGateway: SMSGateway {
    public struct Settings: Sendable {
        public var sendSMSURL: String
        public var username: String
        public var password: String
        /// Sender number shown to recipients.
        public var sender: String
        /// Base of the notifier's delivery-report endpoint, as Kannel reaches it.
        public var deliveryReportBaseURL: String
        /// Shared secret Kannel echoes back on delivery reports.
        public var deliveryReportKey: String
        public var timeout: Duration
    }

    let settings: Settings
    let client: HTTPClient

    /// Kannel's report types 1 (delivered), 2 (failed) and 16 (rejected by the network).
    static let finalReports = 1 | 2 | 16

    public init(settings: Settings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
    }

    /// Kannel substitutes %d (report type) and %A (the SMSC's answer).
    func deliveryReportURL(for id: UUID) -> String {
        "\(settings.deliveryReportBaseURL)/sms/delivery-reports?intent=\(id.uuidString)&key=\(settings.deliveryReportKey)&type=%d&answer=%A"
    }

    public func send(_ message: OutgoingSMS) async throws(SMSGatewayError) {
        var components = URLComponents(string: settings.sendSMSURL)
        components?.percentEncodedQueryItems = [
            ("username", settings.username), ("password", settings.password), ("from", settings.sender),
            ("to", message.to.digits), ("charset", "UTF-8"), ("coding", "2"), ("text", message.text), ("dlr-mask", String(Self.finalReports)),
            ("dlr-url", deliveryReportURL(for: message.id)),
        ].map { URLQueryItem(name: $0.0, value: Self.encode($0.1)) }
        guard let url = components?.string else { throw .permanent("bad sendsms URL \(settings.sendSMSURL)") }
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let status: UInt
        let answer: String
        do {
            let response = try await client.execute(request, timeout: .init(settings.timeout))
            status = response.status.code
            answer = String(buffer: try await response.body.collect(upTo: 64 * 1024))
        } catch {
            throw Self.classify(error)
        }
        // 202 "0: Accepted for delivery" or "3: Queued for later delivery" (no SMSC connected yet).
        if (200..<300).contains(status), answer.hasPrefix("0:") || answer.hasPrefix("3:") { return }
        if status >= 500 || answer.contains("Sending failed") { throw .temporary("Kannel answered \(status) \(answer)") }
        throw .permanent("Kannel refused it: \(status) \(answer)")
    }

    /// A failed call: after the request was written (the connection closed, the answer timed out)
    /// smsbox may already have passed the message on, so it is uncertain; anything else (refused,
    /// no connection) means Kannel never had it.
    static func classify(_ error: any Error) -> SMSGatewayError {
        let mayHaveArrived: [HTTPClientError] = [.remoteConnectionClosed, .readTimeout, .deadlineExceeded]
        if let error = error as? HTTPClientError, mayHaveArrived.contains(error) {
            return .uncertain("Kannel gave no answer: \(error)")
        }
        return .temporary("Kannel unreachable: \(error)")
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Query encoding strict enough for Kannel (`+` and `&` in texts must not pass through).
    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .milliseconds(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
