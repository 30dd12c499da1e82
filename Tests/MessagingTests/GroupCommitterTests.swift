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

    /// The transaction of each `writeAll` call and the writes it was given.
    actor Calls {
        var calls: [(transaction: Int64, writes: [Int])] = []
        func append(_ transaction: Int64, _ writes: [Int]) { calls.append((transaction, writes)) }
    }

    @Test("Writes arriving together are recorded by one call in one transaction; each caller returns after it")
    func writesShareATransaction() async throws {
        try await withDatabase(schema: "public") { database in
            let calls = Calls()
            let committer = GroupCommitter<Int>(database: database, gathering: .milliseconds(200)) { writes, connection in
                await calls.append(try await Self.transactionID(connection), writes)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for value in 1...5 { group.addTask { try await committer.run(value) } }
                try await group.waitForAll()
            }
            let seen = await calls.calls
            #expect(seen.count == 1, "five writes within the gathering time make one call: \(seen)")
            #expect(seen.first?.writes.sorted() == [1, 2, 3, 4, 5])
        }
    }

    @Test("A write that fails fails only its caller; the others of its group are written")
    func failureStaysWithItsWrite() async throws {
        let table = uniqueName("group_commit")
        try await withDatabase(schema: "public") { database in
            // A negative value stands for a write that cannot succeed; it fails the whole statement.
            try await database.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (value integer PRIMARY KEY CHECK (value > 0))"))
            let committer = GroupCommitter<Int>(database: database, gathering: .milliseconds(200)) { values, connection in
                var bindings = PostgresBindings()
                bindings.append(values)
                try await connection.execute(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(table) SELECT unnest($1::int[])", binds: bindings), logger: testLogger)
            }
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for value in [1, 2, -1, 3] {
                    group.addTask {
                        do {
                            try await committer.run(value)
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
