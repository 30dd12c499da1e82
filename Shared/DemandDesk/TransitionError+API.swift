import DemandDomain
import Hummingbird
import InputValidation
import ServiceRuntime

/// A refused transition as the client hears it: 409 for the wrong state, 403 for the wrong
/// person, 422 for unacceptable content.
extension TransitionError: APIErrorConvertible {
    public var apiError: APIError {
        let status: HTTPResponse.Status =
            switch self {
            case .notAllowedInState, .alreadyCreated: .conflict
            case .roleNotAllowed, .notAParty: .forbidden
            case .invalid: .unprocessableContent
            }
        var issues: [FieldIssue] = []
        if case .invalid(let issue) = self { issues = [issue] }
        return APIError(status, code: code, message: message, issues: issues)
    }
}
