/// A Word document (.docx, Office Open XML) in the layout of official documents (GB/T 9704):
/// A4 with 37/35/28/26 mm margins, a 宋体 bold title and 仿宋 body text, and bordered tables
/// whose cells may span columns or rows as the seeds' forms do. Word and WPS open it; so does
/// LibreOffice, which the tests use to turn it into PDF.
public struct WordDocument: Sendable {
    public var blocks: [Block]
    public var landscape: Bool

    public init(landscape: Bool = false, _ blocks: [Block]) {
        self.blocks = blocks
        self.landscape = landscape
    }

    public enum Block: Sendable {
        /// The document's title: centred, 二号 (22 pt) bold.
        case title(String)
        /// A line under the title (a document number, a period): centred, 三号 (16 pt).
        case subtitle(String)
        /// A line on its own at the left (a form's `交办编号：` or `交办单位（盖章）：`).
        case line(String)
        /// A first-level heading of the body (`一、总体情况`): 黑体.
        case heading(String)
        /// Body text, first line indented two characters.
        case paragraph(String)
        /// A note under a form, smaller.
        case note(String)
        /// The issuer and date at the foot of a letter, right-aligned, one line each.
        case closing(String)
        case table(Table)
    }

    /// A bordered table on a grid of columns (widths in twentieths of a point).
    public struct Table: Sendable {
        public var columnWidths: [Int]
        public var rows: [[Cell]]
        /// 小四 (12 pt) by default; wide tables use 小五 (9 pt).
        public var fontHalfPoints: Int
        /// Rows (by index) that keep room to write in by hand or for long text, in twips; others are 0.8 cm at least.
        public var minimumHeights: [Int: Int]

        public init(columnWidths: [Int], rows: [[Cell]], fontHalfPoints: Int = 24, minimumHeights: [Int: Int] = [:]) {
            self.columnWidths = columnWidths
            self.rows = rows
            self.fontHalfPoints = fontHalfPoints
            self.minimumHeights = minimumHeights
        }
    }

    public struct Cell: Sendable, ExpressibleByStringLiteral {
        public var text: String
        /// How many grid columns the cell covers.
        public var columns: Int
        public var rowSpan: RowSpan
        public var isLabel: Bool
        public var alignment: Alignment

        public enum RowSpan: Sendable { case single, starts, continues }
        public enum Alignment: String, Sendable { case left, center, right }

        public init(_ text: String, columns: Int = 1, rowSpan: RowSpan = .single, label: Bool = false,
            alignment: Alignment = .left)
        {
            self.text = text
            self.columns = columns
            self.rowSpan = rowSpan
            self.isLabel = label
            self.alignment = alignment
        }

        public init(stringLiteral value: String) { self.init(value) }

        /// A form's label: centred and bold.
        public static func label(_ text: String, columns: Int = 1, rowSpan: RowSpan = .single) -> Cell {
            Cell(text, columns: columns, rowSpan: rowSpan, label: true, alignment: .center)
        }
    }

    public static let contentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    public var bytes: [UInt8] {
        var archive = ZipArchive()
        archive.add("[Content_Types].xml", Self.contentTypes)
        archive.add("_rels/.rels", Self.packageRelationships)
        archive.add("word/document.xml", documentXML)
        archive.add("word/_rels/document.xml.rels", Self.documentRelationships)
        archive.add("word/styles.xml", Self.styles)
        return archive.bytes
    }

    /// Twentieths of a point across the text block (A4 less the margins).
    public var textWidth: Int { landscape ? 16838 - 2098 - 1984 : 11906 - 1588 - 1474 }

    // MARK: The body

    var documentXML: String {
        var xml = XMLText.declaration
            + "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>"
        for block in blocks { xml += Self.xml(block) }
        return xml + sectionProperties + "</w:body></w:document>"
    }

    private var sectionProperties: String {
        let size = landscape ? "<w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/>" : "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
        let margins = landscape
            ? "<w:pgMar w:top=\"1588\" w:right=\"1984\" w:bottom=\"1474\" w:left=\"2098\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>"
            : "<w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>"
        return "<w:sectPr>\(size)\(margins)</w:sectPr>"
    }

    private static func xml(_ block: Block) -> String {
        switch block {
        case .title(let text):
            paragraph(text, style: "Title")
        case .subtitle(let text):
            paragraph(text, style: "Subtitle")
        case .line(let text):
            paragraph(text, style: "FormLine")
        case .heading(let text):
            paragraph(text, style: "Heading1", properties: twoCharacterIndent)
        case .paragraph(let text):
            text.split(separator: "\n", omittingEmptySubsequences: false).map {
                paragraph(String($0), style: nil, properties: twoCharacterIndent)
            }.joined()
        case .note(let text):
            text.split(separator: "\n").map { paragraph(String($0), style: "Note") }.joined()
        case .closing(let text):
            text.split(separator: "\n").map { paragraph(String($0), style: "Closing") }.joined()
        case .table(let table):
            xml(table)
        }
    }

    /// Body text and headings start two characters in. Set on each paragraph: LibreOffice does not
    /// take it from the default paragraph style.
    private static let twoCharacterIndent = "<w:ind w:firstLine=\"640\"/>"

    private static func paragraph(_ text: String, style: String?, properties: String = "", runProperties: String = "")
        -> String
    {
        let styleXML = style.map { "<w:pStyle w:val=\"\($0)\"/>" } ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            "<w:t xml:space=\"preserve\">\(XMLText.escaped(String($0)))</w:t>"
        }
        let run = lines.isEmpty ? "" : "<w:r>\(runProperties.isEmpty ? "" : "<w:rPr>\(runProperties)</w:rPr>")"
            + lines.joined(separator: "<w:br/>") + "</w:r>"
        return "<w:p><w:pPr>\(styleXML)\(properties)</w:pPr>\(run)</w:p>"
    }

    private static func xml(_ table: Table) -> String {
        let border = "w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\""
        var xml = "<w:tbl><w:tblPr><w:tblW w:w=\"\(table.columnWidths.reduce(0, +))\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>"
            + "<w:tblBorders><w:top \(border)/><w:left \(border)/><w:bottom \(border)/><w:right \(border)/>"
            + "<w:insideH \(border)/><w:insideV \(border)/></w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
            + "<w:tblCellMar><w:left w:w=\"80\" w:type=\"dxa\"/><w:right w:w=\"80\" w:type=\"dxa\"/></w:tblCellMar>"
            + "</w:tblPr><w:tblGrid>"
        for width in table.columnWidths { xml += "<w:gridCol w:w=\"\(width)\"/>" }
        xml += "</w:tblGrid>"
        for (index, row) in table.rows.enumerated() {
            xml += "<w:tr><w:trPr><w:trHeight w:val=\"\(table.minimumHeights[index] ?? 454)\"/></w:trPr>"
            var column = 0
            for cell in row {
                let span = min(cell.columns, max(table.columnWidths.count - column, 1))
                let width = table.columnWidths.dropFirst(column).prefix(span).reduce(0, +)
                column += span
                xml += self.cell(cell, width: width, span: span, fontHalfPoints: table.fontHalfPoints)
            }
            xml += "</w:tr>"
        }
        return xml + "</w:tbl>" + paragraph("", style: nil)
    }

    private static func cell(_ cell: Cell, width: Int, span: Int, fontHalfPoints: Int) -> String {
        let merge = switch cell.rowSpan {
        case .single: ""
        case .starts: "<w:vMerge w:val=\"restart\"/>"
        case .continues: "<w:vMerge/>"
        }
        let properties = "<w:tcPr><w:tcW w:w=\"\(width)\" w:type=\"dxa\"/>"
            + (span > 1 ? "<w:gridSpan w:val=\"\(span)\"/>" : "") + merge + "<w:vAlign w:val=\"center\"/></w:tcPr>"
        let text = cell.rowSpan == .continues ? "" : cell.text
        let runProperties = (cell.isLabel ? "<w:b/>" : "") + "<w:sz w:val=\"\(fontHalfPoints)\"/>"
        return "<w:tc>\(properties)"
            + paragraph(text, style: "TableText", properties: "<w:jc w:val=\"\(cell.alignment.rawValue)\"/>", runProperties: runProperties)
            + "</w:tc>"
    }

    // MARK: The package parts

    private static let contentTypes = XMLText.declaration
        + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
        + "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
        + "</Types>"

    private static let packageRelationships = XMLText.declaration
        + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
        + "</Relationships>"

    private static let documentRelationships = XMLText.declaration
        + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        + "</Relationships>"

    private static func font(_ eastAsia: String) -> String {
        "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"\(eastAsia)\" w:cs=\"Times New Roman\"/>"
    }

    private static func style(_ id: String, _ name: String, paragraph: String, run: String) -> String {
        "<w:style w:type=\"paragraph\" w:styleId=\"\(id)\"><w:name w:val=\"\(name)\"/><w:basedOn w:val=\"Normal\"/>"
            + "<w:pPr>\(paragraph)</w:pPr><w:rPr>\(run)</w:rPr></w:style>"
    }

    /// 仿宋 三号 body with a fixed 28 pt line pitch; the title in 宋体 二号 bold; headings in 黑体.
    private static let styles = XMLText.declaration
        + "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
        + "<w:docDefaults><w:rPrDefault><w:rPr>\(font("仿宋"))<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>"
        + "<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>"
        + "<w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"560\" w:lineRule=\"exact\"/></w:pPr></w:pPrDefault></w:docDefaults>"
        + "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
        + "<w:pPr><w:jc w:val=\"both\"/></w:pPr></w:style>"
        + style("Title", "Title", paragraph: "<w:spacing w:before=\"240\" w:after=\"240\" w:line=\"700\" w:lineRule=\"exact\"/><w:ind w:firstLine=\"0\"/><w:jc w:val=\"center\"/>",
            run: font("宋体") + "<w:b/><w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/>")
        + style("Subtitle", "Subtitle", paragraph: "<w:spacing w:after=\"240\"/><w:ind w:firstLine=\"0\"/><w:jc w:val=\"center\"/>",
            run: "")
        + style("FormLine", "Form Line", paragraph: "<w:ind w:firstLine=\"0\"/><w:jc w:val=\"left\"/>",
            run: "<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/>")
        + style("Closing", "Closing", paragraph: "<w:ind w:firstLine=\"0\" w:right=\"640\"/><w:jc w:val=\"right\"/>", run: "")
        + style("Heading1", "heading 1", paragraph: "<w:keepNext/><w:outlineLvl w:val=\"0\"/>", run: font("黑体"))
        + style("Note", "Note", paragraph: "<w:spacing w:line=\"360\" w:lineRule=\"auto\"/><w:ind w:firstLine=\"0\"/><w:jc w:val=\"left\"/>",
            run: "<w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/>")
        + style("TableText", "Table Text", paragraph: "<w:spacing w:line=\"320\" w:lineRule=\"atLeast\"/><w:ind w:firstLine=\"0\"/>",
            run: "<w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>")
        + "</w:styles>"
}
