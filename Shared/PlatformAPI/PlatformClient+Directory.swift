import DemandDomain
import Foundation
import InputValidation
import PlatformEvents
import PlatformWire
import Tenancy

extension PlatformClient {
    /// What intake did with a sheet of the directory (see `POST /admin/directory/sheets/{kind}`).
    public struct DirectorySheetImport: Decodable, Sendable {
        public struct RefusedRow: Decodable, Sendable {
            public var line: Int
            public var name: String
            public var problems: [String]
        }

        public struct InitialPassword: Decodable, Sendable {
            public var unitName: String
            public var login: String
            public var password: String
        }

        public var kind: String
        public var imported: Bool
        public var rows: Int
        public var added: Int
        public var updated: Int
        public var refused: [RefusedRow]
        public var newLogins: Int
        public var initialPasswords: [InitialPassword]
    }

    /// Checks (`preview`) or imports a CSV sheet of the tier's enterprises (`enterprises`) or cadres (`cadres`).
    public func importDirectorySheet(_ session: Session, kind: String, csv: [UInt8], preview: Bool) async throws -> DirectorySheetImport {
        let operation = APIOperation.importDirectorySheet
        let path = operation.path.replacingOccurrences(of: "{kind}", with: kind) + (preview ? "?preview=true" : "")
        let answer = try await raw(operation.name, operation.method, resolve(operation.service, session.tier) + path,
            token: session.token, rawBody: csv, rawBodyType: "text/csv")
        return try EventCoding.decoder().decode(DirectorySheetImport.self, from: Self.success(operation.name, answer))
    }
}

extension PlatformClient {
    /// An enterprise's profile with the changes made on the platform (`GET /pairing/enterprises/{id}/profile`).
    public struct EnterpriseProfile: Decodable, Sendable {
        public struct Change: Decodable, Sendable {
            public var field: EnterpriseProfileField
            public var fieldName: String
            public var from: String
            public var to: String
            public var changedBy: String
            public var changedByRole: String
            public var changedAt: Date
        }

        public var enterprise: DirectoryEnterprise
        public var pairedCadreName: String?
        public var editable: Bool
        public var changes: [Change]
    }

    public func enterpriseProfile(_ session: Session, enterpriseID: String) async throws -> EnterpriseProfile {
        try await send(.enterpriseProfile, tier: session.tier, pathParameters: ["enterpriseID": enterpriseID], token: session.token)
    }

    public func changeEnterpriseProfile(_ session: Session, enterpriseID: String, _ input: EnterpriseProfileInput) async throws
        -> EnterpriseProfile
    {
        try await send(.changeEnterpriseProfile, tier: session.tier, pathParameters: ["enterpriseID": enterpriseID], token: session.token,
            body: input)
    }
}
