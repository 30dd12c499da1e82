import DemandDomain
import DemandStore
import Foundation
import Hummingbird
import InputValidation
import PlatformEvents
import PostgresNIO
import PostgresStorage
import ServiceRuntime
import Tenancy

/// 提示函 (001 六.3: 专班办可视工作情况向本级领导包联工作组发出提示函): the office reminds one of its
/// pairing groups — a unit of the tier — of work to get done, numbered per tier and year, and asks
/// for its feedback by a day. The unit's administrators are texted, read the letter and answer what
/// they did; the office sees which letters are answered, late or still open.
extension PairingDesk {
    static let promptLetterMigration = Migration(version: 28, name: "prompt letters", statements: [
        """
        CREATE TABLE prompt_letters (
            id uuid PRIMARY KEY,
            number text NOT NULL UNIQUE,
            unit_id text NOT NULL,
            subject text NOT NULL,
            body text NOT NULL,
            reply_by date NOT NULL,
            issued_by text NOT NULL,
            issued_by_name text,
            issued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            reply text,
            replied_by_name text,
            replied_at timestamptz
        )
        """,
        "CREATE INDEX prompt_letters_unit ON prompt_letters (unit_id, issued_at)",
    ])

    struct PromptLetter: Codable, Sendable, ResponseEncodable {
        var id: UUID
        var number: String
        var unitID: String
        var unitName: String
        var subject: String
        var body: String
        var replyBy: CivilDate
        var issuedBy: String?
        var issuedAt: Date
        var reply: String?
        var repliedBy: String?
        var repliedAt: Date?
        /// 已反馈, 逾期反馈, 待反馈 or 逾期未反馈.
        var status: String
    }

    func issuePromptLetter(_ input: PromptLetterInput, by principal: Principal) async throws -> PromptLetter {
        try principal.require(tier: tier, roles: [.office])
        let replyBy = try input.validated(today: CivilDate(Date()))
        let id = UUID()
        let letter = try await runtime.transaction { connection in
            guard let unit = try await intake.directory.unit(input.unitID, on: connection), unit.tenant == tier, unit.active else {
                throw APIError.invalid(code: "UNKNOWN_UNIT", message: "本级没有这个单位", field: "unitID")
            }
            let number = try await DocumentNumbers.next(.prompt, for: intake.tier, at: Date(), on: connection, logger: logger)
            try await connection.execute(
                """
                INSERT INTO prompt_letters (id, number, unit_id, subject, body, reply_by, issued_by, issued_by_name)
                VALUES (\(id), \(number.description), \(unit.id), \(input.subject.trimmingWhitespace), \(input.body.trimmingWhitespace),
                    \(replyBy.description)::date, \(principal.subject), \(principal.name))
                """, logger: logger)
            try await publishPairingEvent(EventType.promptLetterIssued, subject: unit.id, PromptLetterIssuedEvent(
                tenant: tier, letterID: id, number: number.description, unitID: unit.id, subject: input.subject.trimmingWhitespace,
                replyBy: replyBy), on: connection)
            return try await promptLetters(id: id, on: connection).first
        }
        guard let letter else { throw APIError.notFound("提示函") }
        logger.info("Prompt letter issued", metadata: ["number": "\(letter.number)", "unit": "\(letter.unitID)"])
        return letter
    }

    /// The office's and the inspector's: every letter of the tier; a unit's administrators: their unit's.
    func promptLetters(for principal: Principal) async throws -> [PromptLetter] {
        try principal.require(tier: tier, roles: [.office, .inspector, .unitAdmin, .countyAdmin])
        let unit = try principal.readableUnit()
        return try await runtime.database.withConnection { connection in
            try await promptLetters(unit: unit, on: connection)
        }
    }

    /// The unit answers what it did, once.
    func replyToPromptLetter(_ id: UUID, _ input: PromptLetterReply, by principal: Principal) async throws -> PromptLetter {
        try principal.require(tier: tier, roles: [.unitAdmin, .countyAdmin])
        let text = try input.validated()
        let unit = try principal.readableUnit()
        return try await runtime.transaction { connection in
            guard let letter = try await promptLetters(id: id, unit: unit, on: connection).first else {
                throw APIError.notFound("提示函")
            }
            guard letter.reply == nil else { throw APIError.conflict(code: "ALREADY_REPLIED", message: "该提示函已反馈") }
            try await connection.execute(
                """
                UPDATE prompt_letters SET reply = \(text), replied_by_name = \(principal.name), replied_at = clock_timestamp()
                WHERE id = \(id)
                """, logger: logger)
            guard let replied = try await promptLetters(id: id, on: connection).first else {
                throw APIError.notFound("提示函")
            }
            return replied
        }
    }

    private func promptLetters(id: UUID? = nil, unit: String? = nil, on connection: PostgresConnection) async throws -> [PromptLetter] {
        let rows = try await connection.query(
            """
            SELECT l.id, l.number, l.unit_id, coalesce(u.body->'unit'->>'name', l.unit_id), l.subject, l.body, l.reply_by::text,
                l.issued_by_name, l.issued_at, l.reply, l.replied_by_name, l.replied_at
            FROM prompt_letters l LEFT JOIN directory u ON u.key = 'unit:' || l.unit_id
            WHERE (\(id)::uuid IS NULL OR l.id = \(id)) AND (\(unit)::text IS NULL OR l.unit_id = \(unit))
            ORDER BY l.issued_at DESC LIMIT 500
            """, logger: logger)
        let today = CivilDate(Date())
        var letters: [PromptLetter] = []
        for try await (id, number, unitID, unitName, subject, body, replyBy, issuedBy, issuedAt, reply, repliedBy, repliedAt)
            in rows.decode((UUID, String, String, String, String, String, String, String?, Date, String?, String?, Date?).self)
        {
            guard let due = CivilDate(replyBy) else { continue }
            letters.append(PromptLetter(id: id, number: number, unitID: unitID, unitName: unitName, subject: subject, body: body,
                replyBy: due, issuedBy: issuedBy, issuedAt: issuedAt, reply: reply, repliedBy: repliedBy, repliedAt: repliedAt,
                status: Self.status(replyBy: due, repliedAt: repliedAt, today: today)))
        }
        return letters
    }

    static func status(replyBy: CivilDate, repliedAt: Date?, today: CivilDate) -> String {
        if let repliedAt { return CivilDate(repliedAt) > replyBy ? "逾期反馈" : "已反馈" }
        return today > replyBy ? "逾期未反馈" : "待反馈"
    }
}
