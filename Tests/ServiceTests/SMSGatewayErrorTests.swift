import AsyncHTTPClient
import Foundation
@testable import NotifierService
import Testing

@Suite("Kannel call failures")
struct SMSGatewayErrorTests {
    @Test("A call that broke after the request went out is uncertain; a refused or missing connection is temporary")
    func classification() {
        for error in [HTTPClientError.remoteConnectionClosed, .readTimeout, .deadlineExceeded] {
            guard case .uncertain = KannelGateway.classify(error) else {
                Issue.record("\(error) should be uncertain: smsbox may have taken the message")
                continue
            }
        }
        for error: any Error in [HTTPClientError.connectTimeout, URLError(.cannotConnectToHost)] {
            guard case .temporary = KannelGateway.classify(error) else {
                Issue.record("\(error) should be temporary: Kannel never had the message")
                continue
            }
        }
    }
}
