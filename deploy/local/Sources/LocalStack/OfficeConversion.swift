import Foundation

/// Opens Office files the platform writes with LibreOffice, headless, as the tests check them: a
/// workbook converted to CSV shows the cells LibreOffice read, a document converted to PDF and
/// then to text and PNG shows what a person would see. `deploy/local/test` installs LibreOffice and
/// poppler-utils.
public enum OfficeConversion {
    /// Converts `data` (written as `name`) to `format` (`pdf`, or `csv` with the UTF-8 comma filter)
    /// and returns the converted file's bytes. Each call has its own LibreOffice profile, so
    /// conversions may run side by side.
    public static func convert(_ data: [UInt8], name: String, to format: String) async throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("office-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent(name)
        try Data(data).write(to: input)
        // 44 = comma, 34 = double quote, 76 = UTF-8.
        let target = format == "csv" ? "csv:Text - txt - csv (StarCalc):44,34,76" : format
        _ = try await runToCompletion(try executable("soffice"), [
            "-env:UserInstallation=file://\(folder.path)/profile", "--headless", "--norestore",
            "--convert-to", target, "--outdir", folder.path, input.path,
        ])
        let output = input.deletingPathExtension().appendingPathExtension(format)
        guard let converted = FileManager.default.contents(atPath: output.path) else {
            throw StackError("LibreOffice wrote no \(format) for \(name)")
        }
        return converted
    }

    /// The text of a PDF, page by page in the order it was written (`pdftotext -raw`: a table cell by cell).
    public static func pdfText(_ pdf: Data) async throws -> String {
        try await withPDF(pdf) { path in try await runToCompletion(try executable("pdftotext"), ["-raw", path, "-"]) }
    }

    /// How many pages a PDF has (`pdfinfo`).
    public static func pageCount(_ pdf: Data) async throws -> Int {
        let info = try await withPDF(pdf) { path in try await runToCompletion(try executable("pdfinfo"), [path]) }
        let line = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }
        return line.flatMap { Int($0.dropFirst("Pages:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
    }

    /// Writes each page of a PDF as `<prefix>-<n>.png` (150 dpi) into `folder`, to be looked at.
    public static func savePages(_ pdf: Data, to folder: String, prefix: String) async throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try await withPDF(pdf) { path in
            try await runToCompletion(try executable("pdftoppm"), ["-png", "-r", "150", path, "\(folder)/\(prefix)"])
        }
    }

    private static func withPDF<T>(_ pdf: Data, _ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("office-\(UUID().uuidString).pdf").path
        try pdf.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    private static func executable(_ name: String) throws -> String {
        for folder in ["/usr/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return "\(folder)/\(name)"
        }
        throw StackError("\(name) is not installed (deploy/local/test installs libreoffice and poppler-utils)")
    }
}
