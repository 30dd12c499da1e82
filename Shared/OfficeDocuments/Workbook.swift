/// A table as an Excel workbook (.xlsx, Office Open XML), one sheet: a bold header row that stays
/// in view while scrolling, text typed as text (a registration number or phone number is never
/// turned into a number), counts as numbers and rates as percentages.
public enum Workbook {
    public static let contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    public static func bytes(of table: ReportTable) -> [UInt8] {
        var archive = ZipArchive()
        archive.add("[Content_Types].xml", contentTypes)
        archive.add("_rels/.rels", packageRelationships)
        archive.add("xl/workbook.xml", workbook(sheetName: sheetName(table.title)))
        archive.add("xl/_rels/workbook.xml.rels", workbookRelationships)
        archive.add("xl/styles.xml", styles)
        archive.add("xl/worksheets/sheet1.xml", sheet(table))
        return archive.bytes
    }

    // MARK: The sheet

    /// Style indexes into `styles.xml`'s `cellXfs`.
    private enum Style: Int {
        case plain = 0, header = 1, percent = 2, wrapped = 3
    }

    static func sheet(_ table: ReportTable) -> String {
        var xml = XMLText.declaration
            + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            // Printed on A4 landscape, every column on one page's width, the title at the head of each page.
            + "<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>"
            + "<sheetViews><sheetView workbookViewId=\"0\">"
            + "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
            + "</sheetView></sheetViews><cols>"
        for (index, width) in columnWidths(table).enumerated() {
            xml += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" customWidth=\"1\"/>"
        }
        xml += "</cols><sheetData>"
        xml += row(1, table.header.map { ReportTable.Cell.text($0) }, style: .header)
        for (index, cells) in table.rows.enumerated() { xml += row(index + 2, cells, style: nil) }
        return xml + "</sheetData>"
            + "<pageMargins left=\"0.5\" right=\"0.5\" top=\"0.8\" bottom=\"0.6\" header=\"0.3\" footer=\"0.3\"/>"
            + "<pageSetup paperSize=\"9\" orientation=\"landscape\" fitToWidth=\"1\" fitToHeight=\"0\"/>"
            + "<headerFooter><oddHeader>&amp;C" + XMLText.escaped(table.title.split(separator: "&", omittingEmptySubsequences: false).joined(separator: "&&"))
            + "</oddHeader><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>"
    }

    private static func row(_ number: Int, _ cells: [ReportTable.Cell], style: Style?) -> String {
        var xml = "<row r=\"\(number)\">"
        for (index, cell) in cells.enumerated() {
            xml += self.cell(cell, reference: columnName(index) + String(number), style: style)
        }
        return xml + "</row>"
    }

    private static func cell(_ cell: ReportTable.Cell, reference: String, style: Style?) -> String {
        switch cell {
        case .empty:
            return ""
        case .text(let text):
            let style = style ?? (text.contains("\n") ? .wrapped : .plain)
            return "<c r=\"\(reference)\" t=\"inlineStr\" s=\"\(style.rawValue)\"><is><t xml:space=\"preserve\">"
                + XMLText.escaped(text) + "</t></is></c>"
        case .integer(let value):
            return "<c r=\"\(reference)\" s=\"\((style ?? .plain).rawValue)\"><v>\(value)</v></c>"
        case .decimal(let value):
            return "<c r=\"\(reference)\" s=\"\((style ?? .plain).rawValue)\"><v>\(ReportTable.Cell.rounded(value))</v></c>"
        case .percent(let value):
            return "<c r=\"\(reference)\" s=\"\(Style.percent.rawValue)\"><v>\(value)</v></c>"
        }
    }

    /// `A`, `B`, …, `Z`, `AA`, …
    static func columnName(_ index: Int) -> String {
        var index = index + 1
        var name = ""
        while index > 0 {
            let remainder = (index - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            index = (index - 1) / 26
        }
        return name
    }

    /// Wide enough for the longest line of each column (a CJK character counts twice), within reason.
    private static func columnWidths(_ table: ReportTable) -> [Int] {
        let columns = max(table.header.count, table.rows.map(\.count).max() ?? 0)
        return (0..<columns).map { column in
            let texts = [table.header[safe: column] ?? ""] + table.rows.compactMap { $0[safe: column]?.displayText }
            let widest = texts.flatMap { $0.split(separator: "\n") }.map(displayWidth).max() ?? 0
            return min(max(widest + 2, 6), 60)
        }
    }

    private static func displayWidth(_ text: Substring) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value > 0x2E80 ? 2 : 1) }
    }

    /// Excel refuses sheet names over 31 characters or with `[]:*?/\`.
    static func sheetName(_ title: String) -> String {
        let cleaned = String(title.unicodeScalars.filter { !"[]:*?/\\".unicodeScalars.contains($0) }.map(Character.init))
        return cleaned.isEmpty ? "Sheet1" : String(cleaned.prefix(31))
    }

    // MARK: The package parts

    private static let contentTypes = XMLText.declaration
        + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        + "</Types>"

    private static let packageRelationships = XMLText.declaration
        + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
        + "</Relationships>"

    private static func workbook(sheetName: String) -> String {
        XMLText.declaration
            + "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
            + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
            + "<sheets><sheet name=\"\(XMLText.escaped(sheetName))\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
    }

    private static let workbookRelationships = XMLText.declaration
        + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
        + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        + "</Relationships>"

    /// Fonts: 0 plain, 1 bold. Cell formats in `Style` order: plain, bold header with a fill,
    /// one-decimal percentage (custom format 164), wrapped text.
    private static let styles = XMLText.declaration
        + "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        + "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"0.0%\"/></numFmts>"
        + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"宋体\"/></font>"
        + "<font><b/><sz val=\"11\"/><name val=\"宋体\"/></font></fonts>"
        + "<fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>"
        + "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFE7EEF7\"/></patternFill></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"4\">"
        + "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\"/>"
        + "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyAlignment=\"1\"><alignment wrapText=\"1\" vertical=\"top\"/></xf>"
        + "</cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        + "</styleSheet>"
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
