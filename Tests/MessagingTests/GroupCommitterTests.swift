import Foundation
import LocalStack
import PostgresNIO
import PostgresStorage
import Testing

@Suite("Group commit", .enabled(if: environment.hasPostgres), .timeLimit(.minutes(2)))
struct GroupCommitterTests {
    /// The transaction a write ran in.
    static func transactionID(_ connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query("SELECT txid_current()", logger: testLogger)
        for try await id in rows.decode(Int64.self) { return id }
        throw CancellationError()
    }

    actor Transaction {
        var id: Int64 = 0
        func set(_ id: Int64) { self.id = id }
    }

    @Test("Writes arriving together commit in one transaction; each caller returns after it")
    func writesShareATransaction() async throws {
        try await withDatabase(schema: "public") { database in
            let committer = GroupCommitter(database: database, gathering: .milliseconds(200))
            let seen = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        let transaction = Transaction()
                        try await committer.run { connection in await transaction.set(try await Self.transactionID(connection)) }
                        return await transaction.id
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(seen.count == 5)
            #expect(Set(seen).count == 1, "five writes within the gathering time share one transaction: \(seen)")
        }
    }

    @Test("A write that fails fails only its caller; the others of its group are written")
    func failureStaysWithItsWrite() async throws {
        let table = uniqueName("group_commit")
        try await withDatabase(schema: "public") { database in
            try await database.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (value integer PRIMARY KEY)"))
            let committer = GroupCommitter(database: database, gathering: .milliseconds(200))
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for value in [1, 2, -1, 3] {
                    group.addTask {
                        do {
                            try await committer.run { connection in
                                // A negative value stands for a write that cannot succeed.
                                let sql = value < 0 ? "SELECT 1 / 0" : "INSERT INTO \(table) VALUES (\(value))"
                                try await connection.execute(PostgresQuery(unsafeSQL: sql), logger: testLogger)
                            }
                            return (value, true)
                        } catch {
                            return (value, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes == [1: true, 2: true, -1: false, 3: true])
            let stored = try await database.query(PostgresQuery(unsafeSQL: "SELECT value FROM \(table) ORDER BY value")).decode(Int.self)
            #expect(stored == [1, 2, 3])
            try await database.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"))
        }
    }
}
