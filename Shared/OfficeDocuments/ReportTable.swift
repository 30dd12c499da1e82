/// A report as offices take it away: a title, a header row and typed rows, written as CSV or as an
/// Excel workbook from the same cells, so the two downloads cannot disagree.
public struct ReportTable: Sendable, Equatable {
    public var title: String
    public var header: [String]
    public var rows: [[Cell]]

    public init(title: String, header: [String], rows: [[Cell]]) {
        self.title = title
        self.header = header
        self.rows = rows
    }

    /// One cell. Counts and rates are numbers in the workbook, so offices can sum and sort them.
    public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral {
        case text(String)
        case integer(Int)
        /// Shown and stored to two decimal places at most.
        case decimal(Double)
        /// A share between 0 and 1, shown with one decimal place (`87.5%`).
        case percent(Double)
        case empty

        public init(stringLiteral value: String) { self = .text(value) }

        /// The cell as CSV shows it (and as a spreadsheet formats the number).
        public var displayText: String {
            switch self {
            case .text(let text): text
            case .integer(let value): String(value)
            case .decimal(let value): Self.decimalText(value)
            case .percent(let value): Self.percentText(value)
            case .empty: ""
            }
        }

        /// A share as offices write it, one decimal place (`87.5%`): every figure shown anywhere uses this.
        public static func percentText(_ share: Double) -> String {
            let tenths = Int((share * 1000).rounded())
            return "\(tenths / 10).\(abs(tenths % 10))%"
        }

        static func decimalText(_ value: Double) -> String {
            let value = rounded(value)
            return value == value.rounded() ? String(Int(value)) : String(value)
        }

        static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
    }
}

extension ReportTable.Cell {
    /// Text, or empty when absent.
    public static func text(_ value: String?) -> Self { value.map { .text($0) } ?? .empty }
    /// A percentage, or empty when the rate has no denominator.
    public static func percent(_ share: Double?) -> Self { share.map { .percent($0) } ?? .empty }
    /// A decimal, or empty when absent.
    public static func decimal(_ value: Double?) -> Self { value.map { .decimal($0) } ?? .empty }
    public static func integer(_ value: Int?) -> Self { value.map { .integer($0) } ?? .empty }
}
