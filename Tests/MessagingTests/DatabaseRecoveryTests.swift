import Foundation
import LocalStack
import PostgresNIO
import PostgresStorage
import Synchronization
import Testing

/// A Postgres cluster of the test's own, so that restarting it disturbs no other suite.
struct ScratchPostgres {
    let directory: String
    let port: Int
    private let binaries: String

    static func start() async throws -> ScratchPostgres {
        let binaries = try #require(ProcessInfo.processInfo.environment["POSTGRES_BIN_DIR"], "POSTGRES_BIN_DIR is not set")
        let directory = "/tmp/scratch-postgres-\(UUID().uuidString.prefix(8))"
        let port = Int.random(in: 40000...49999)
        let postgres = ScratchPostgres(directory: directory, port: port, binaries: binaries)
        try await postgres.shell("mkdir -p '\(directory)' && chown postgres '\(directory)' 2>/dev/null; true", asPostgres: false)
        try await postgres.shell("'\(binaries)/initdb' -D '\(directory)/db' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null")
        try await postgres.pgCtl("start -o \"-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories='\(directory)'\"")
        return postgres
    }

    /// A fast restart: every open connection is cut, as after a crash or a failover.
    func restart() async throws { try await pgCtl("-m fast restart") }

    func stop() async {
        try? await pgCtl("-m fast stop")
        try? await shell("rm -rf '\(directory)'", asPostgres: false)
    }

    func settings(maximumConnections: Int) -> PostgresSettings {
        PostgresSettings(host: "127.0.0.1", port: port, username: "postgres", password: "", database: "postgres",
            schema: "public", maximumConnections: maximumConnections)
    }

    private func pgCtl(_ arguments: String) async throws {
        try await shell("'\(binaries)/pg_ctl' -D '\(directory)/db' -l '\(directory)/postgres.log' -w -t 60 \(arguments) >/dev/null")
    }

    /// Runs a command (as the postgres user when this runs as root, since Postgres refuses root)
    /// with every inherited descriptor closed, so the daemon it may start holds none of ours: Foundation
    /// learns that the child ended when the child's end of a socket pair closes. This loop used to
    /// spare descriptor 255; a postmaster once kept a socket there and the suite waited for good.
    private func shell(_ command: String, asPostgres: Bool = true) async throws {
        let asUser = asPostgres && getuid() == 0 ? "exec su postgres -s /bin/sh -c \"$0\"" : "exec /bin/sh -c \"$0\""
        let script = "for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\" 2>/dev/null; done; \(asUser)"
        _ = try await runToCompletion("/bin/bash", ["-c", script, command])
    }
}

@Suite("Postgres connection pool", .enabled(if: environment.hasPostgres))
struct DatabaseRecoveryTests {
    @Test("A connection asked for while one is held is refused at once, not left to deadlock")
    func nestedLeaseIsRefused() async throws {
        try await withDatabase(schema: "public") { database in
            await #expect(throws: NestedLeaseError.self) {
                try await database.transaction { _ in try await database.query("SELECT 1") }
            }
            await #expect(throws: NestedLeaseError.self) {
                try await database.withConnection { _ in
                    try await database.transaction { connection in try await connection.execute("SELECT 1", logger: testLogger) }
                }
            }
            // Leases one after another, and side by side, stay allowed.
            try await database.transaction { connection in try await connection.execute("SELECT 1", logger: testLogger) }
            async let first = database.withConnection { connection in try await connection.execute("SELECT 1", logger: testLogger) }
            async let second = database.withConnection { connection in try await connection.execute("SELECT 1", logger: testLogger) }
            _ = try await (first, second)
        }
    }

    @Test("Every worker makes progress again after two fast Postgres restarts")
    func poolServesEveryWorkerAfterRestarts() async throws {
        let postgres = try await ScratchPostgres.start()
        do {
            try await runWorkers(through: postgres)
        } catch {
            await postgres.stop()
            throw error
        }
        await postgres.stop()
    }

    private func runWorkers(through postgres: ScratchPostgres) async throws {
        let database = Database(settings: postgres.settings(maximumConnections: 4), logger: testLogger)
        let workers = 8
        let completed = Tally(workers: workers)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await database.query("CREATE TABLE IF NOT EXISTS ticks (worker int NOT NULL)")
            for worker in 0..<workers {
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            try await database.transaction { connection in
                                try await connection.execute("INSERT INTO ticks VALUES (\(worker))", logger: testLogger)
                            }
                            completed.count(worker)
                        } catch {
                            try? await Task.sleep(for: .milliseconds(50))
                        }
                    }
                }
            }
            try await Task.sleep(for: .seconds(1))
            try await postgres.restart()
            try await Task.sleep(for: .seconds(1))
            try await postgres.restart()
            let afterRestarts = completed.counts
            let everyoneProgressed = try await eventually(within: 60) {
                zip(completed.counts, afterRestarts).allSatisfy { $0 >= $1 + 20 }
            }
            #expect(everyoneProgressed, "transactions per worker: before \(afterRestarts), now \(completed.counts)")
        }
    }
}

/// Transactions completed per worker.
private final class Tally: Sendable {
    private let state: Mutex<[Int]>

    init(workers: Int) { state = Mutex([Int](repeating: 0, count: workers)) }

    var counts: [Int] { state.withLock { $0 } }
    func count(_ worker: Int) { state.withLock { $0[worker] += 1 } }
}
