import OfficeDocuments

extension Briefing {
    /// The briefing as the office sends it: a Word document, A4 portrait, in the layout of an
    /// official document, with the same sections as the page (categories as a table, not a chart).
    func wordDocument() -> WordDocument {
        var blocks: [WordDocument.Block] = [.title(title), .subtitle("（\(report.period.label)）"), .paragraph(periodLine)]
        if let figures = report.total ?? report.tiers.first {
            blocks += [.heading("一、总体情况"), .paragraph(summary(figures))]
        }
        for (index, section) in sections.enumerated() {
            blocks.append(.heading(section.heading))
            blocks.append(section.table.rows.isEmpty ? .paragraph("无。") : .table(wordTable(section.table)))
            if index == 0, let note = countingNote { blocks.append(.note(note)) }
        }
        blocks.append(.heading("六、诉求类别分布"))
        blocks.append(.table(wordTable(TextTable(
            header: ["类别", "件数"], rows: categoryCounts.map { [$0.name, String($0.count)] }, nameColumns: 1))))
        if let line = recipientsLine { blocks.append(.paragraph(line)) }
        return WordDocument(blocks)
    }

    /// Name columns get twice the width of figure columns; 小五 type so ten columns fit the page.
    private func wordTable(_ table: TextTable) -> WordDocument.Table {
        let width = WordDocument([]).textWidth
        let shares = table.header.indices.map { $0 < table.nameColumns ? 2 : 1 }
        let unit = width / shares.reduce(0, +)
        let header = table.header.map { WordDocument.Cell.label($0) }
        let rows = table.rows.map { row in
            row.enumerated().map { column, text in
                WordDocument.Cell(text, alignment: column < table.nameColumns ? .left : .center)
            }
        }
        return WordDocument.Table(columnWidths: shares.map { $0 * unit }, rows: [header] + rows, fontHalfPoints: 18)
    }
}
