import DemandDomain
import Foundation
import Hummingbird
import InputValidation
import MultipartKit
import PlatformAPI
import Tenancy

/// Request context of the portal: the session the cookie names, if it is live.
public struct PortalContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var session: PortalSession?
    /// The address of the connection's peer, passed on to intake so that its login lock counts per address.
    public var peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        session = nil
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Forms are small; attachments come with their own limit.
    public var maxUploadSize: Int { 256 * 1024 }

    public func requireSession() throws -> PortalSession {
        guard let session else { throw PortalError.loginRequired }
        return session
    }

    /// The session, if the person's role is one of `roles`; else a 403 page.
    public func requireRole(_ roles: Set<Role>) throws -> PortalSession {
        let session = try requireSession()
        guard roles.contains(session.api.role) else { throw PortalError.forbidden }
        return session
    }
}

/// Why a page cannot be shown; each becomes a page in Chinese (or a redirect to the login page).
public enum PortalError: Error, Equatable {
    case loginRequired
    case forbidden
    case notFound
    /// A form without its CSRF token, or with another session's.
    case staleForm
    case badRequest(String)
}

/// An `application/x-www-form-urlencoded` body: every value of every field, in order.
public struct FormData: Sendable {
    private var fields: [String: [String]] = [:]

    init(fields: [String: [String]]) {
        self.fields = fields
    }

    public init(parsing body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The field's first value, trimmed; nil when absent or blank.
    public subscript(_ name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    public func all(_ name: String) -> [String] { fields[name] ?? [] }

    /// Every field as typed, for re-rendering a form that was refused.
    public var values: [String: String] { fields.compactMapValues(\.first) }
}

extension Request {
    /// The form body; 413 over the context's limit, or over `limit` for a form that carries a file.
    func form(context: PortalContext, upTo limit: Int? = nil) async throws -> FormData {
        var request = self
        let buffer = try await request.collectBody(upTo: limit ?? context.maxUploadSize)
        return FormData(parsing: String(buffer: buffer))
    }

    /// A `multipart/form-data` body (a form with a file input); 413 over `limit`, 400 when it is not one.
    func uploadForm(upTo limit: Int) async throws -> UploadForm {
        guard let type = headers[.contentType], let boundary = UploadForm.boundary(of: type) else {
            throw PortalError.badRequest("表单格式不正确")
        }
        var request = self
        let buffer = try await request.collectBody(upTo: limit)
        do {
            return try UploadForm(parsing: buffer, boundary: boundary)
        } catch {
            throw PortalError.badRequest("表单格式不正确")
        }
    }
}

/// A `multipart/form-data` body: its text fields, and its files by field name.
public struct UploadForm: Sendable {
    public struct File: Sendable {
        public var filename: String
        public var bytes: [UInt8]
    }

    public var fields: FormData
    public var files: [String: File]

    init(parsing body: ByteBuffer, boundary: String) throws {
        var parts: [(headers: [String: String], body: [UInt8])] = []
        var headers: [String: String] = [:]
        var bytes: [UInt8] = []
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in bytes += chunk.readableBytesView }
        parser.onPartComplete = {
            parts.append((headers, bytes))
            headers = [:]
            bytes = []
        }
        try parser.execute(body)
        var fields: [String: [String]] = [:]
        var files: [String: File] = [:]
        for part in parts {
            let disposition = Self.parameters(of: part.headers["content-disposition"] ?? "")
            guard let name = disposition["name"] else { continue }
            if let filename = disposition["filename"] {
                files[name] = File(filename: filename, bytes: part.body)
            } else {
                fields[name, default: []].append(String(decoding: part.body, as: UTF8.self))
            }
        }
        self.fields = FormData(fields: fields)
        self.files = files
    }

    static func boundary(of contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        return parameters(of: contentType)["boundary"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `form-data; name="sheet"; filename="名单.csv"` → name and filename (quotes removed).
    static func parameters(of header: String) -> [String: String] {
        var result: [String: String] = [:]
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            var value = pair[1]
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            result[pair[0].lowercased()] = value
        }
        return result
    }
}
