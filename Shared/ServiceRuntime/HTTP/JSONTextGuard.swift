/// Finds control characters inside the strings of a JSON document, before it is decoded.
///
/// Every text the APIs store arrives in a JSON body, so this is the one place that keeps NUL
/// (which Postgres refuses) and other control characters out of names, forms, notes and logins.
/// Tab, line feed and carriage return stay allowed: people write paragraphs. Raw control bytes
/// below U+0020 are already invalid JSON; what matters here are the escapes (`\u0000`, `\b`, `\f`)
/// and DEL and the C1 controls (U+007F–U+009F), which JSON lets through unescaped.
enum JSONTextGuard {
    /// The first forbidden character found in a string of the document, if any.
    static func firstControlCharacter(in bytes: some Collection<UInt8>) -> UInt32? {
        var inString = false
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard inString else {
                if byte == UInt8(ascii: "\"") { inString = true }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = false
            case UInt8(ascii: "\\"):
                guard let escaped = iterator.next() else { return nil }
                switch escaped {
                case UInt8(ascii: "b"): return 0x08
                case UInt8(ascii: "f"): return 0x0C
                case UInt8(ascii: "u"):
                    var value: UInt32 = 0
                    for _ in 0..<4 {
                        guard let digit = iterator.next().flatMap(hexValue) else { return nil }  // malformed: the decoder says so
                        value = value << 4 | digit
                    }
                    if isForbidden(value) { return value }
                default:
                    break
                }
            case 0x7F:
                return 0x7F
            case 0xC2:
                // U+0080–U+009F are C2 80–C2 9F in UTF-8 (valid UTF-8 puts a continuation byte after C2).
                if let next = iterator.next(), (0x80...0x9F).contains(next) { return UInt32(next) }
            default:
                break
            }
        }
        return nil
    }

    static func isForbidden(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
