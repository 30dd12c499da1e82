import DemandDomain
import Foundation
import InputValidation
import Tenancy

/// A message for the phone network.
public struct OutgoingSMS: Sendable {
    public var id: UUID
    public var to: MobileNumber
    public var text: String
}

/// What a gateway said about a message it was given.
public enum SMSGatewayError: Error, Sendable, CustomStringConvertible {
    /// Worth trying again later: the gateway did not take it (down, overloaded, refused the connection).
    case temporary(String)
    /// The request went out but no answer came back (the connection broke, the answer timed out): the
    /// gateway may have taken it. Sending again at once could text the person twice, so the delivery
    /// report decides, and without one the reconciliation sends it again later.
    case uncertain(String)
    /// Will never work (refused number, bad credentials); the message is marked failed.
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let reason): "temporary: \(reason)"
        case .uncertain(let reason): "uncertain: \(reason)"
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
