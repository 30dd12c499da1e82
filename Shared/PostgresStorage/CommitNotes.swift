import Synchronization

/// What a unit of work changed, noted as it runs (in its task or the task's children) for the
/// caller to act on once the work committed: wake the outbox relay only when messages were
/// recorded (an empty look is a transaction of its own), wake the readers waiting for a record.
///
/// A note is a name the writer and the waiting side agree on (`outbox`, `demand:<id>`). Noting
/// outside ``watching(_:)`` does nothing.
public final class CommitNotes: Sendable {
    @TaskLocal private static var current: CommitNotes?
    private let names = Mutex<Set<String>>([])

    /// Runs `body` and returns what it noted.
    public static func watching<Value>(_ body: () async throws -> Value) async rethrows -> (value: Value, notes: Set<String>) {
        let notes = CommitNotes()
        let value = try await $current.withValue(notes) { try await body() }
        return (value, notes.names.withLock { $0 })
    }

    /// Notes that the work in hand changed what `name` names.
    public static func note(_ name: String) {
        guard let current else { return }
        _ = current.names.withLock { $0.insert(name) }
    }
}
