import Logging
import PostgresNIO

/// Writes that may wait a few milliseconds for company: each caller's write joins the writes of
/// the callers that came meanwhile, `writeAll` records the whole group in one transaction (in as
/// few statements as it can), and each caller returns once that transaction committed. Many small
/// writes arriving together (delivery reports, send outcomes) cost one commit instead of one each.
///
/// When a group fails, its writes are tried again one transaction each, so that a write that
/// cannot succeed fails only its own caller.
public actor GroupCommitter<Write: Sendable> {
    public typealias WriteAll = @Sendable ([Write], PostgresConnection) async throws -> Void

    private let database: Database
    private let gathering: Duration
    private let writeAll: WriteAll
    private var waiting: [(write: Write, done: CheckedContinuation<Void, any Error>)] = []

    public init(database: Database, gathering: Duration, writeAll: @escaping WriteAll) {
        self.database = database
        self.gathering = gathering
        self.writeAll = writeAll
    }

    /// Records `write` in a transaction shared with the writes that arrive within the gathering time.
    public func run(_ write: Write) async throws {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((write, continuation))
            if waiting.count == 1 { Task { await self.commitAfterGathering() } }
        }
    }

    private func commitAfterGathering() async {
        try? await Task.sleep(for: gathering)
        let group = waiting
        waiting = []
        let writeAll = self.writeAll
        do {
            try await database.transaction { connection in try await writeAll(group.map(\.write), connection) }
            for member in group { member.done.resume() }
        } catch where group.count > 1 {
            database.logger.warning("A group of writes failed; writing them one by one", metadata: ["error": "\(error)"])
            for member in group {
                do {
                    try await database.transaction { connection in try await writeAll([member.write], connection) }
                    member.done.resume()
                } catch {
                    member.done.resume(throwing: error)
                }
            }
        } catch {
            group.first?.done.resume(throwing: error)
        }
    }
}
