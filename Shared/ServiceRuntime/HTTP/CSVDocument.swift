import Foundation
import Hummingbird

/// A CSV file as offices open it in Excel and WPS: UTF-8 with a byte-order mark, CRLF lines, quoted
/// where it must be, and no cell that a spreadsheet would run as a formula.
public enum CSVDocument {
    public static func text(header: [String], rows: [[String]]) -> String {
        "\u{FEFF}" + ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    public static func field(_ value: String) -> String {
        let text = neutralised(value)
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel
    /// and WPS (`=HYPERLINK(…)`): a leading apostrophe makes it text, as OWASP advises.
    public static func neutralised(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }

    /// The file as a download named `<name>.csv`.
    public static func response(header: [String], rows: [[String]], name: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name).csv\""],
            body: .init(byteBuffer: ByteBuffer(string: text(header: header, rows: rows))))
    }
}
