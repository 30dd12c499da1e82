import Foundation

/// What Kannel's fakesmsc (the phone network of the local stack) received, read from its log.
///
/// Each message is logged as `Got message N: <from to ucs-2 DATA>`, or for one part of a
/// concatenated SMS `Got message N: <from to udh UDH data DATA>`; DATA is the UCS-2 (UTF-16BE)
/// bytes, URL-encoded. Parts are put back together by their UDH reference and sequence.
public struct FakeSMSCLog: Sendable {
    public struct Message: Sendable, Hashable, CustomStringConvertible {
        public var from: String
        public var to: String
        public var text: String
        /// The line number of (the last part of) the message in the log.
        public var line: Int

        public var description: String { "\(to): \(text)" }
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Lines in the log now; pass it to ``messages(after:)`` to see only what comes later.
    public func lineCount() -> Int {
        guard let content = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        // Complete lines only: the next line written gets this index.
        return content.utf8.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }

    public func messages(after line: Int = 0) -> [Message] {
        guard let content = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var result: [Message] = []
        var parts: [String: [Int: [UInt8]]] = [:]
        for (index, rawLine) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index >= line {
            guard let start = rawLine.range(of: "Got message "), let open = rawLine[start.upperBound...].firstIndex(of: "<"),
                rawLine.hasSuffix(">")
            else { continue }
            let body = rawLine[rawLine.index(after: open)..<rawLine.index(before: rawLine.endIndex)]
            let fields = body.split(separator: " ", maxSplits: 3).map(String.init)
            guard fields.count == 4 else { continue }
            let (from, to) = (fields[0], fields[1])
            if fields[2] == "ucs-2" {
                result.append(Message(from: from, to: to, text: Self.ucs2(Self.percentDecoded(fields[3])), line: index))
            } else if fields[2] == "udh" {
                // "UDH data DATA": UDH 05 00 03 <reference> <total> <sequence>.
                let rest = fields[3].split(separator: " ", maxSplits: 2).map(String.init)
                guard rest.count == 3, rest[1] == "data" else { continue }
                let header = Self.percentDecoded(rest[0])
                guard header.count >= 6 else { continue }
                let key = "\(from)|\(to)|\(header[3])"
                parts[key, default: [:]][Int(header[5])] = Self.percentDecoded(rest[2])
                let total = Int(header[4])
                if let collected = parts[key], collected.count == total {
                    let bytes = (1...total).flatMap { collected[$0] ?? [] }
                    result.append(Message(from: from, to: to, text: Self.ucs2(bytes), line: index))
                    parts[key] = nil
                }
            }
        }
        return result
    }

    static func percentDecoded(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            // fakesmsc writes a 0x20 byte (the low half of 张, U+5F20) as "+", as in a URL's query.
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }

    static func ucs2(_ bytes: [UInt8]) -> String {
        var units: [UInt16] = []
        var index = 0
        while index + 1 < bytes.count {
            units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}
