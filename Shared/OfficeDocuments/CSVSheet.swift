#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A sheet an office saved from Excel or WPS as CSV: "CSV UTF-8" (with or without a byte-order mark)
/// or plain "CSV", which Chinese Windows writes in GBK. Cells are split as RFC 4180 says (quotes,
/// doubled quotes, line breaks inside quotes); a sheet saved as tab-separated text reads too.
public struct CSVSheet: Sendable, Equatable {
    /// Rows in order, each with the line it starts on in the file (1 is the header's).
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var cells: [String]
    }

    public var rows: [Row]

    /// Nil when the bytes are neither UTF-8 nor GB 18030 (a superset of GBK), e.g. an .xlsx file.
    public init?(bytes: [UInt8]) {
        guard let text = Self.text(of: bytes) else { return nil }
        self.init(text: text)
    }

    public init(text: String) {
        rows = Self.parse(text)
    }

    static func text(of bytes: [UInt8]) -> String? {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) { return text }
        return GB18030.decode(Array(body))
    }

    private static func parse(_ text: String) -> [Row] {
        let scalars = Array(text.unicodeScalars)
        let firstLine = scalars.prefix { $0 != "\n" && $0 != "\r" }
        let separator: Unicode.Scalar = firstLine.count(where: { $0 == "\t" }) > firstLine.count(where: { $0 == "," }) ? "\t" : ","
        var rows: [Row] = []
        var cells: [String] = []
        var cell = String.UnicodeScalarView()
        var quoted = false
        var line = 1
        var rowLine = 1
        var index = 0
        func endCell() {
            cells.append(String(cell).trimmingSpaces)
            cell = String.UnicodeScalarView()
        }
        func endRow() {
            endCell()
            if cells.contains(where: { !$0.isEmpty }) { rows.append(Row(line: rowLine, cells: cells)) }
            cells = []
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if quoted {
                if scalar == "\"" {
                    if index < scalars.count, scalars[index] == "\"" {
                        cell.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    cell.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where cell.allSatisfy({ $0 == " " }):
                cell = String.UnicodeScalarView()
                quoted = true
            case separator:
                endCell()
            case "\r", "\n":
                if scalar == "\r", index < scalars.count, scalars[index] == "\n" { index += 1 }
                endRow()
                line += 1
                rowLine = line
            default:
                cell.append(scalar)
            }
        }
        if !cell.isEmpty || !cells.isEmpty { endRow() }
        return rows
    }
}

extension String {
    /// Without the spaces (ASCII and full-width) and tabs a spreadsheet leaves around a cell.
    fileprivate var trimmingSpaces: String {
        let blank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{3000}" || $0 == "\u{A0}" }
        var view = Substring(self).unicodeScalars
        while let first = view.first, blank(first) { view.removeFirst() }
        while let last = view.last, blank(last) { view.removeLast() }
        return String(view)
    }
}

/// GB 18030 (which GBK and GB 2312 are subsets of) to Unicode through the C library's iconv.
enum GB18030 {
    static func decode(_ bytes: [UInt8]) -> String? {
        let converter = iconv_open("UTF-8", "GB18030")
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = bytes.map { CChar(bitPattern: $0) }
        // A GB 18030 character of 1, 2 or 4 bytes is at most 4 bytes of UTF-8.
        var output = [CChar](repeating: 0, count: bytes.count * 2 + 4)
        let outputCapacity = output.count
        var inputLeft = input.count
        var outputLeft = outputCapacity
        let result = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inputPointer = inputBuffer.baseAddress
                var outputPointer = outputBuffer.baseAddress
                return iconv(converter, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
            }
        }
        guard result != -1, inputLeft == 0 else { return nil }
        let written = output.prefix(outputCapacity - outputLeft).map { UInt8(bitPattern: $0) }
        return String(validating: written, as: UTF8.self)
    }
}
