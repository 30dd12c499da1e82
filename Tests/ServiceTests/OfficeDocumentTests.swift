import Foundation
import HTTPTypes
import LocalStack
import Logging
@testable import OfficeDocuments
import ServiceRuntime
import Testing

/// The files offices download: CSV as Excel reads it, and workbooks and Word documents opened by
/// LibreOffice headless (the workbook's cells read back, the document rendered to PDF and its text
/// read). With `DOCUMENT_PREVIEW_DIR` set, the PDF pages are also written there as PNG to be looked at.
@Suite("Office documents")
struct OfficeDocumentTests {
    @Test("CSV is UTF-8 with a byte-order mark, quoted where it must be")
    func csvEncoding() {
        let table = ReportTable(title: "t", header: ["名称", "意见"], rows: [["茅箭区", "答复含糊, 要求\"重新办理\"\n另附"], ["郧阳区", "a\r\nb"]])
        let text = CSVText.of(table)
        #expect(Array(text.utf8).prefix(3) == [0xEF, 0xBB, 0xBF])
        #expect(text.dropFirst() == "名称,意见\r\n茅箭区,\"答复含糊, 要求\"\"重新办理\"\"\n另附\"\r\n郧阳区,\"a\r\nb\"\r\n")
    }

    @Test("CSV cells a spreadsheet would run as formulas are written as text",
        arguments: [
            ("=HYPERLINK(\"http://x\",\"点此\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"点此\"\")\""), ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("+86 138", "'+86 138"), ("-1+2", "'-1+2"), ("\tcmd", "'\tcmd"), ("\r=1", "\"'\r=1\""), ("满意=好", "满意=好"), ("12", "12"),
        ])
    func csvFormulasNeutralised(cell: String, written: String) {
        #expect(CSVText.field(cell) == written)
    }

    @Test("Rates are shown to one decimal place; whole decimals without a point")
    func cellText() {
        #expect(ReportTable.Cell.percent(0.875).displayText == "87.5%")
        #expect(ReportTable.Cell.percent(2.0 / 3).displayText == "66.7%")
        #expect(ReportTable.Cell.percent(0).displayText == "0.0%")
        #expect(ReportTable.Cell.decimal(3).displayText == "3")
        #expect(ReportTable.Cell.decimal(2.5).displayText == "2.5")
        #expect(ReportTable.Cell.decimal(7.0 / 3).displayText == "2.33")
    }

    @Test("ZIP entries carry the IEEE CRC-32")
    func crc() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test("Column names run A…Z, AA…")
    func columns() {
        #expect([0, 25, 26, 27, 51, 52, 701, 702].map(Workbook.columnName) == ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"])
    }

    @Test("A workbook read by LibreOffice has the cells the CSV has")
    func workbookRoundTrip() async throws {
        let table = ReportTable(title: "承办单位/统计:2026[11]", header: ["名称", "受理", "满意率", "平均工作日", "电话", "意见"], rows: [
            ["十堰市住建局", .integer(12), .percent(0.875), .decimal(7.0 / 3), "13800000000", "=HYPERLINK(\"x\")"],
            ["茅箭区<经信>&局", .integer(0), .empty, .decimal(3), "0719-8888888", "第一行\n第二行"],
            ["带\u{1}控制符", .integer(-4), .percent(1), .empty, "", "\"引号\",逗号"],
        ])
        let workbook = Workbook.bytes(of: table)
        let csv = try await OfficeConversion.convert(workbook, name: "units.xlsx", to: "csv")
        let read = String(decoding: csv, as: UTF8.self)
        let expected = CSVText.of(table).dropFirst()  // no byte-order mark from LibreOffice
            .replacingOccurrences(of: "'=HYPERLINK", with: "=HYPERLINK")  // typed as text, so unguarded
            .replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\u{1}", with: "")
        #expect(read.replacingOccurrences(of: "\r\n", with: "\n") == expected)
    }

    @Test("A Word form renders on one A4 page with its labels, merged cells and values")
    func wordForm() async throws {
        let document = WordDocument([
            .title("十堰市企业反映困难问题交办单"),
            .line("交办单位（盖章）：十堰市"),
            .line("交办编号：十服企办交（2026）第7号"),
            .table(WordDocument.Table(columnWidths: [1150, 2150, 2600, 1250, 1694], rows: [
                [.label("交办事项", rowSpan: .starts), .label("需要办理或协调解决事项"), WordDocument.Cell("协调办理施工许可 <加急> & 用电", columns: 3)],
                [.label("", rowSpan: .continues), .label("联系人"), "张三", .label("联系电话"), "13800000000"],
                [.label("备注"), WordDocument.Cell("第一行\n第二行", columns: 4)],
            ])),
            .note("注：1. 交办编号统一用：XX服企办交（20XX）第XX号；"),
        ])
        let pdf = try await OfficeConversion.convert(document.bytes, name: "slip.docx", to: "pdf")
        try await preview(pdf, "word-form")
        #expect(try await OfficeConversion.pageCount(pdf) == 1)
        let text = try await OfficeConversion.pdfText(pdf).filter { !$0.isWhitespace }
        for expected in ["十堰市企业反映困难问题交办单", "交办编号：十服企办交（2026）第7号", "交办事项", "需要办理或协调解决事项",
            "协调办理施工许可<加急>&用电", "13800000000", "第一行", "第二行", "备注"]
        {
            #expect(text.contains(expected), "missing \(expected)")
        }
    }

    @Test("A landscape report puts a wide table across the page")
    func landscape() async throws {
        let document = WordDocument(landscape: true, [
            .title("月度通报"), .heading("一、总体情况"), .paragraph("本期共受理企业诉求12件。"),
        ])
        let pdf = try await OfficeConversion.convert(document.bytes, name: "landscape.docx", to: "pdf")
        try await preview(pdf, "landscape")
        let text = try await OfficeConversion.pdfText(pdf).filter { !$0.isWhitespace }
        #expect(text.contains("一、总体情况") && text.contains("本期共受理企业诉求12件。"), "\(text)")
        #expect(document.textWidth > WordDocument([]).textWidth)
    }

    @Test("PDFs are rendered one at a time by LibreOffice; without it the answer is 503 PDF_UNAVAILABLE")
    func pdfRenderer() async throws {
        let renderer = PDFRenderer(executable: "/usr/bin/soffice", logger: Logger(label: "pdf"))
        let documents = (1...3).map { WordDocument([.title("第\($0)号"), .paragraph("正文\($0)")]) }
        // Asked together, rendered in turn, each its own.
        let pdfs = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for (index, document) in documents.enumerated() { group.addTask { (index, try await renderer.pdf(document)) } }
            return try await group.reduce(into: [Int: [UInt8]]()) { $0[$1.0] = $1.1 }
        }
        for index in 0..<3 {
            let pdf = Data(try #require(pdfs[index]))
            #expect(pdf.prefix(5) == Data("%PDF-".utf8))
            #expect(try await OfficeConversion.pdfText(pdf).filter { !$0.isWhitespace }.contains("第\(index + 1)号"))
        }
        let missing = PDFRenderer(executable: nil, logger: Logger(label: "pdf"))
        #expect(!missing.isAvailable)
        let refusal = await #expect(throws: APIError.self) { _ = try await missing.pdf(documents[0]) }
        #expect(refusal?.code == "PDF_UNAVAILABLE" && refusal?.status == .serviceUnavailable)
    }

    private func preview(_ pdf: Data, _ name: String) async throws {
        guard let folder = ProcessInfo.processInfo.environment["DOCUMENT_PREVIEW_DIR"] else { return }
        try await OfficeConversion.savePages(pdf, to: folder, prefix: name)
    }
}
