import DemandDomain
import Foundation

/// A message for the phone network.
public struct OutgoingSMS: Sendable {
    public var id: UUID
    public var to: MobileNumber
    public var text: String
}

/// What a gateway said about a message it was given.
public enum SMSGatewayError: Error, Sendable, CustomStringConvertible {
    /// Worth trying again later (gateway down, timeout, overload).
    case temporary(String)
    /// Will never work (refused number, bad credentials); the message is marked failed.
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let reason): "temporary: \(reason)"
        case .permanent(let reason): "permanent: \(reason)"
        }
    }
}

/// Something that takes SMS for delivery: Kannel's smsbox here; an SMPP or CMPP link or a cloud
/// provider can be added behind the same protocol.
public protocol SMSGateway: Sendable {
    /// Hands one message over. Returns when the gateway accepted it; its delivery report, carrying
    /// the message id, arrives later through the delivery-report endpoint.
    func send(_ message: OutgoingSMS) async throws(SMSGatewayError)
}
