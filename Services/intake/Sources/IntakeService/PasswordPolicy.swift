import DemandDomain
import HTTPTypes
import InputValidation
import ServiceRuntime
import Tenancy

/// What a password people choose must be: 8 to 64 characters, with letters and digits, and not the
/// one it replaces. Returns the problem in Chinese, or nil.
enum PasswordPolicy {
    static func problem(with password: String, current: String) -> String? {
        guard (8...64).contains(password.count) else { return "新密码须为8至64位" }
        guard password.contains(where: \.isLetter), password.contains(where: \.isNumber) else { return "新密码须同时包含字母和数字" }
        guard password != current else { return "新密码不能与当前密码相同" }
        return nil
    }

    /// A first password for a new account or a reset one: ten letters and digits, none that read
    /// alike (0/o, 1/l/i), so that it can be read out over the phone; it must be changed at first login.
    static func drawInitialPassword() -> String {
        let letters = Array("abcdefghjkmnpqrstuvwxyz")
        let digits = Array("23456789")
        var generator = SystemRandomNumberGenerator()
        var characters = (0..<7).map { _ in letters.randomElement(using: &generator)! }
            + (0..<3).map { _ in digits.randomElement(using: &generator)! }
        characters.shuffle(using: &generator)
        return String(characters)
    }
}

extension APIError {
    static let wrongPassword = APIError(.unprocessableContent, code: "WRONG_PASSWORD", message: "当前密码不正确",
        issues: [FieldIssue(code: "WRONG_PASSWORD", field: "currentPassword", message: "当前密码不正确")])

    static func weakPassword(_ problem: String) -> APIError {
        APIError(.unprocessableContent, code: "WEAK_PASSWORD", message: problem,
            issues: [FieldIssue(code: "WEAK_PASSWORD", field: "newPassword", message: problem)])
    }
}
