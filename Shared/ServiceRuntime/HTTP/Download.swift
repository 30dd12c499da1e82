import Foundation
import HTTPTypes
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
        case .csv: file(ByteBuffer(string: CSVText.of(table)), name: "\(name).csv")
        case .xlsx: file(ByteBuffer(bytes: Workbook.bytes(of: table)), name: "\(name).xlsx")
        }
    }

    public static func word(_ document: WordDocument, name: String) -> Response {
        file(ByteBuffer(bytes: document.bytes), name: "\(name).docx")
    }

    /// A download named `name` (ASCII, so every browser keeps it), typed by its extension.
    public static func file(_ body: ByteBuffer, name: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType(of: name), .contentDisposition: "attachment; filename=\"\(name)\""],
            body: .init(byteBuffer: body))
    }

    /// A file a person uploaded, under its own name (RFC 6266: UTF-8, percent-encoded), with its
    /// checked type, never sniffed by the browser.
    public static func uploaded(_ body: ByteBuffer, filename: String, contentType: String) -> Response {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "attachment"
        return Response(status: .ok, headers: [
            .contentType: contentType, .contentDisposition: "attachment; filename*=UTF-8''\(encoded)",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff", .cacheControl: "private, no-store",
        ], body: .init(byteBuffer: body))
    }

    /// The media type of a downloaded file, by its extension.
    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "csv": "text/csv; charset=utf-8"
        case "xlsx": Workbook.contentType
        case "docx": WordDocument.contentType
        case "pdf": "application/pdf"
        default: "application/octet-stream"
        }
    }
}
