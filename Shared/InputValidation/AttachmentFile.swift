/// A file attached to a demand (002 §13: 附件): PDF, JPEG, PNG or an Office document, known by its
/// first bytes (a renamed program is not a PDF because its name ends in `.pdf`), up to 10 MiB.
public struct AttachmentFile: Sendable, Hashable {
    public var filename: String
    public var contentType: String

    public static let maxSize = 10 * 1024 * 1024
    public static let maxPerDemand = 10
    public static let filenameLimit = 100

    /// Checks the name and the bytes; the name loses any folder a browser put before it.
    public init(filename: String, bytes: some Collection<UInt8>) throws(ValidationError) {
        let name = String(filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "").trimmingWhitespace
        var issues = IssueCollector()
        if name.isEmpty || name.count > Self.filenameLimit || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            issues.add("INVALID_FILENAME", "filename", "附件名称须为1至\(Self.filenameLimit)个字，且不含控制字符")
        }
        let type = Self.contentType(extension: name.split(separator: ".").last.map { $0.lowercased() } ?? "", bytes: bytes)
        if type == nil {
            issues.add("UNSUPPORTED_FILE_TYPE", "file", "附件只能是PDF、JPG、PNG图片或Word、Excel、PowerPoint文件")
        }
        if bytes.count > Self.maxSize {
            issues.add("ATTACHMENT_TOO_LARGE", "file", "单个附件不能超过10MB")
        }
        try issues.finish()
        self.filename = name
        self.contentType = type!
    }

    static let office: [String: String] = [
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ]
    static let legacyOffice: [String: String] = [
        "doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
    ]

    /// By the file's signature; Office files are zip or OLE containers, told apart by their extension.
    static func contentType(extension fileExtension: String, bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(8))
        if head.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return office[fileExtension] }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return legacyOffice[fileExtension] }
        return nil
    }
}
