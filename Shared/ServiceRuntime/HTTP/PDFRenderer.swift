import Foundation
import Hummingbird
import Logging
import OfficeDocuments

/// Renders the platform's Word documents as PDF with LibreOffice headless
/// (`soffice --convert-to pdf`), so every form and briefing can be downloaded both ways from the
/// same layout. One conversion runs at a time (LibreOffice is heavy, and its profile is shared);
/// the others wait their turn. Without LibreOffice (`OFFICE_CONVERTER=off`, or no executable at
/// the configured path) a PDF request gets 503 `PDF_UNAVAILABLE` and the Word download still works.
public final class PDFRenderer: Sendable {
    private let executable: String?
    private let profile: URL
    private let timeout: Duration
    private let logger: Logger
    private let turn = TurnGate()

    public init(executable: String?, timeout: Duration = .seconds(90), logger: Logger) {
        self.executable = executable.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
        self.profile = FileManager.default.temporaryDirectory.appendingPathComponent("pdf-renderer-\(getpid())-\(UUID().uuidString)")
        self.timeout = timeout
        self.logger = logger
    }

    public var isAvailable: Bool { executable != nil }

    public static let unavailable = APIError(.serviceUnavailable, code: "PDF_UNAVAILABLE", message: "暂时无法生成PDF文件，请下载Word版本")

    public func pdf(_ document: WordDocument) async throws -> [UInt8] {
        guard let executable else { throw Self.unavailable }
        await turn.enter()
        do {
            let pdf = try await convert(document, with: executable)
            await turn.leave()
            return pdf
        } catch {
            await turn.leave()
            throw error
        }
    }

    private func convert(_ document: WordDocument, with executable: String) async throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("document.docx")
        try Data(document.bytes).write(to: input)
        let started = ContinuousClock.now
        let status = try await run(executable, [
            "-env:UserInstallation=file://\(profile.path)", "--headless", "--norestore", "--nologo",
            "--convert-to", "pdf", "--outdir", folder.path, input.path,
        ])
        guard status == 0, let pdf = FileManager.default.contents(atPath: folder.appendingPathComponent("document.pdf").path) else {
            logger.error("PDF conversion failed", metadata: ["status": "\(status)"])
            throw Self.unavailable
        }
        logger.debug("PDF rendered", metadata: ["duration": "\(ContinuousClock.now - started)", "bytes": "\(pdf.count)"])
        return Array(pdf)
    }

    /// Runs the converter to its end, killing it if it outlasts the timeout.
    private func run(_ executable: String, _ arguments: [String]) async throws -> Int32 {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = arguments
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        child.environment = ["HOME": profile.path, "PATH": "/usr/bin:/bin"]
        let watchdog = Task { [timeout, logger] in
            try await Task.sleep(for: timeout)
            logger.error("PDF conversion timed out; stopping it")
            child.terminate()
        }
        defer { watchdog.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            child.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try child.run()
            } catch {
                child.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}

/// Lets one caller in at a time, in order of arrival.
actor TurnGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}

extension RouterMethods {
    /// Serves one Word document at `<path>.docx` and, rendered, at `<path>.pdf`.
    @discardableResult
    public func document(
        _ path: String, pdf renderer: PDFRenderer,
        _ make: @escaping @Sendable (Request, Context) async throws -> (document: WordDocument, name: String)
    ) -> Self {
        get(RouterPath("\(path).docx")) { request, context -> Response in
            let (document, name) = try await make(request, context)
            return Download.word(document, name: name)
        }
        get(RouterPath("\(path).pdf")) { request, context -> Response in
            let (document, name) = try await make(request, context)
            return Download.file(ByteBuffer(bytes: try await renderer.pdf(document)), name: "\(name).pdf")
        }
        return self
    }
}
