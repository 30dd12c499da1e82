import DemandDomain
import Foundation
import InputValidation
import LocalStack
import PlatformAPI
import Tenancy
import Testing

extension EndToEnd {
    /// schemathesis (PyPI) generates requests from each service's served OpenAPI document, with a
    /// real token: no answer may be a 5xx, and every answer (status, content type, body, headers)
    /// must be one the document lists; a request without its token must get 401.
    ///
    /// Left out: login and password change (generated failures would lock real demo accounts for
    /// 15 minutes), the caller's mobile number (a generated one would reroute the office's SMS),
    /// the directory import (it would load generated people into the shared stack) and the pairing
    /// reminders, appraisal requests and allocations (they would text or re-pair the demo's cadres
    /// and enterprises) exemptions and proposed changes of pairing, the office's reminders of periodic
    /// returns and its bulletin list and issue (they would text units and leaders); RequestDecodingTests, APIContractTests, PairingTests and
    /// ReturnsTests cover their bad input.
    @Suite("OpenAPI fuzzing")
    struct SchemathesisTests {
        static let checks = [
            "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
            "response_headers_conformance", "missing_required_header", "ignored_auth",
        ]

        func fuzz(_ service: String, token: String) async throws {
            let arguments = [
                "schemathesis", "run", service + "/openapi.yaml",
                "--header", "Authorization: Bearer \(token)",
                // Its own client address, so that nothing it does counts against the suite's logins.
                "--header", "X-Forwarded-For: 203.0.113.77",
                "--exclude-path", "/auth/login", "--exclude-path", "/me/password", "--exclude-path", "/me/phone", "--exclude-path", "/admin/directory", "--exclude-path", "/admin/directory/sheets/{kind}",
                // A reset would change a demo person's password under the other suites.
                "--exclude-path", "/accounts/{subject}/password-reset",
                "--exclude-path", "/pairing/reminders", "--exclude-path", "/pairing/appraisal-requests",
                "--exclude-path", "/pairing/allocations", "--exclude-path", "/pairing/cadres/{cadreID}/exemption",
                "--exclude-path", "/pairing/cadres/{cadreID}/deactivation", "--exclude-path", "/pairing/enterprises/{enterpriseID}/profile",
                "--exclude-path", "/pairing/proposals", "--exclude-path", "/pairing/proposals/{proposalID}/decision",
                "--exclude-path", "/returns/reminders", "--exclude-path", "/briefings/recipients", "--exclude-path", "/briefings/monthly/issue",
                "--phases", "examples,coverage,fuzzing", "--max-examples", "25", "--seed", "42", "--workers", "1",
                "--request-timeout", "10", "--checks", Self.checks.joined(separator: ","),
            ]
            let (status, output) = try await runCommand(arguments)
            #expect(status == 0, "schemathesis found problems at \(service):\n\(output)")
            #expect(output.contains("generated"), "schemathesis did not run at \(service):\n\(output)")
        }

        @Test("Every service answers generated requests as its document says, never with a 5xx")
        func everyService() async throws {
            let stack = try await TestStack.shared.start()
            let cast = try await TestStack.shared.people()
            try await fuzz(stack.url(.intake, tier: "maojian"), token: cast.countyOffice.token)
            try await fuzz(stack.url(.dispatch, tier: "maojian"), token: cast.countyDispatcher.token)
            try await fuzz(stack.url(.handling), token: cast.countyUnit.token)
            try await fuzz(stack.url(.notifier), token: cast.countyOffice.token)
            try await fuzz(stack.url(.reporting), token: cast.cityOffice.token)
        }
    }
}
