/// A table as a CSV file offices open in Excel and WPS: UTF-8 with a byte-order mark, CRLF lines,
/// quoted where it must be, and no cell that a spreadsheet would run as a formula.
public enum CSVText {
    public static func of(_ table: ReportTable) -> String {
        let lines = [table.header.map(field)] + table.rows.map { $0.map(field) }
        return "\u{FEFF}" + lines.map { $0.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Numbers are written as they are (a negative count is no formula); text is guarded.
    static func field(_ cell: ReportTable.Cell) -> String {
        if case .text(let text) = cell { field(text) } else { cell.displayText }
    }

    static func field(_ value: String) -> String {
        let text = FormulaGuard.neutralised(value)
        // By scalars: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}

/// A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel and
/// WPS once it is typed or imported (`=HYPERLINK(…)`): a leading apostrophe makes it text, as OWASP
/// advises. Workbook cells are typed as text and need no guard; CSV cells do.
public enum FormulaGuard {
    public static func neutralised(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }
}
