import Foundation
import LocalStack
import PostgresNIO
import PostgresStorage
import Testing

@Suite("Group commit", .enabled(if: environment.hasPostgres), .timeLimit(.minutes(2)))
struct GroupCommitterTests {
    /// The writes each `writeAll` call was given.
    actor Calls {
        var writes: [[Int]] = []
        func append(_ group: [Int]) { writes.append(group) }
    }

    @Test("Writes arriving together are recorded by one call in one transaction; each caller returns after it committed")
    func writesShareATransaction() async throws {
        let table = uniqueName("group_commit")
        try await withDatabase(schema: "public") { database in
            try await database.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (value integer PRIMARY KEY)"))
            let calls = Calls()
            let committer = GroupCommitter<Int>(database: database, gathering: .milliseconds(200)) { values, connection in
                await calls.append(values)
                var bindings = PostgresBindings()
                bindings.append(values)
                try await connection.execute(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(table) SELECT unnest($1::int[])", binds: bindings), logger: testLogger)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for value in 1...5 {
                    group.addTask {
                        try await committer.run(value)
                        // Another connection of the pool sees only committed rows.
                        let stored = try await database.query(
                            PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE value = \(value)")).decode(Int.self)
                        #expect(stored == [1], "write \(value) is committed when its caller returns")
                    }
                }
                try await group.waitForAll()
            }
            let seen = await calls.writes
            #expect(seen.count == 1, "five writes within the gathering time make one call: \(seen)")
            #expect(seen.first?.sorted() == [1, 2, 3, 4, 5])
            try await database.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"))
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
