import Hummingbird
import OfficeDocuments

/// Files people take away: a report table as CSV or as an Excel workbook, a form as a Word document.
public enum Download {
    /// The two forms of every table download, by file extension.
    public enum TableFormat: String, CaseIterable, Sendable {
        case csv, xlsx
    }

    public static func table(_ table: ReportTable, name: String, format: TableFormat) -> Response {
        switch format {
        case .csv:
            file(ByteBuffer(string: CSVText.of(table)), type: "text/csv; charset=utf-8", name: "\(name).csv")
        case .xlsx:
            file(ByteBuffer(bytes: Workbook.bytes(of: table)), type: Workbook.contentType, name: "\(name).xlsx")
        }
    }

    public static func word(_ document: WordDocument, name: String) -> Response {
        file(ByteBuffer(bytes: document.bytes), type: WordDocument.contentType, name: "\(name).docx")
    }

    /// A download named `name` (ASCII, so every browser keeps it).
    public static func file(_ body: ByteBuffer, type: String, name: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""],
            body: .init(byteBuffer: body))
    }
}
