import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PlatformWire

/// A read of one record that the caller may ask to hold until the record differs from what it read
/// last: `If-None-Match` with the tag of its last answer, and `Prefer: wait=<seconds>` (RFC 7240).
///
/// The answer comes as soon as the record's representation has another tag than the caller's (or,
/// with no tag, as soon as the record exists), and otherwise when the wait is over: 304 Not
/// Modified, or the read's 404 for a record still not there. Without a wait it is a plain
/// conditional read. The tag (`ETag`) is a hash of the answer's bytes, so any change the caller
/// could see changes it. A caller that waits for a hand-off makes one request instead of a look
/// every few milliseconds.
public struct ConditionalRead: Sendable {
    /// The longest wait honoured.
    public static let longestWait = Duration.seconds(10)

    /// The tags the caller holds (`*` for any).
    public var knownTags: Set<String>
    public var wait: Duration

    public init(_ request: Request) {
        knownTags = Set(request.headers[values: .ifNoneMatch].flatMap { field in
            field.split(separator: ",").map { tag in
                let trimmed = tag.trimmingCharacters(in: .whitespaces)
                return trimmed.hasPrefix("W/") ? String(trimmed.dropFirst(2)) : trimmed
            }
        })
        wait = request.preferredWait
    }

    /// Answers with what `read` represents, once it differs from what the caller holds or the wait
    /// is over; `name` is the record as its writers note it (``ChangeFeed``).
    public func respond(
        watching name: String, in feed: ChangeFeed, _ read: @Sendable () async throws -> Representation
    ) async throws -> Response {
        let until = ContinuousClock.now + wait
        while true {
            let subscription = wait > .zero ? feed.subscribe(name) : nil
            defer { subscription?.end() }
            let current: Result<Representation, any Error>
            do {
                current = .success(try await read())
            } catch let missing as any HTTPResponseError where missing.status == .notFound {
                current = .failure(missing)
            }
            switch current {
            case .success(let representation) where !holds(representation.tag):
                return representation.response(status: .ok)
            case .failure(let missing) where !knownTags.isEmpty:
                throw missing  // gone, or out of sight, since the caller read it
            default:
                break
            }
            let left = until - .now
            guard let subscription, left > .zero, await subscription.changed(within: left) else {
                return try current.get().response(status: .notModified)
            }
        }
    }

    private func holds(_ tag: String) -> Bool {
        knownTags.contains(tag) || knownTags.contains("*")
    }
}

/// A record as one answer shows it: its JSON, the answer's headers, and its tag.
public struct Representation: Sendable {
    public var body: ByteBuffer
    public var headers: HTTPFields
    public var tag: String

    /// `value` as JSON in the platform's coding, with `headers` besides the content type.
    public init(encoding value: some Encodable, headers: HTTPFields = [:]) throws {
        let data = try EventCoding.encoder().encode(value)
        body = ByteBuffer(bytes: data)
        self.headers = headers
        self.headers[.contentType] = "application/json; charset=utf-8"
        tag = Self.tag(of: data)
    }

    func response(status: HTTPResponse.Status) -> Response {
        var headers = headers
        headers[.eTag] = tag
        return status == .notModified
            ? Response(status: status, headers: headers)
            : Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// A strong entity tag from the bytes (FNV-1a, 64 bits: the same in every process, unlike `Hasher`).
    static func tag(of data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "\"\(String(hash, radix: 16))\""
    }
}

extension HTTPField.Name {
    public static let prefer = Self("Prefer")!
    public static let preferenceApplied = Self("Preference-Applied")!
}

extension Request {
    /// How long the caller would wait for a change (`Prefer: wait=<seconds>`, at most
    /// ``ConditionalRead/longestWait``); zero when it did not ask.
    public var preferredWait: Duration {
        let seconds = preference("wait").flatMap { Int($0) }.map { max($0, 0) } ?? 0
        return min(.seconds(seconds), ConditionalRead.longestWait)
    }

    /// The value of a preference the caller stated (`Prefer: respond-async, wait=5`, RFC 7240), ""
    /// for one without a value, nil when not stated; names compare without case.
    public func preference(_ name: String) -> String? {
        for field in headers[values: .prefer] {
            for preference in field.split(separator: ",") {
                let token = preference.split(separator: ";").first ?? ""
                let parts = token.split(separator: "=", maxSplits: 1)
                guard let key = parts.first?.trimmingCharacters(in: .whitespaces), key.lowercased() == name.lowercased() else { continue }
                return parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["\""]) : ""
            }
        }
        return nil
    }
}
