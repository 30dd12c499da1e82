import DemandDomain
import DemandStore
import Foundation
import InputValidation
import LocalStack
import Logging
import Messaging
import OfficeDocuments
import PlatformEvents
import PostgresNIO
import PostgresStorage
import Tenancy
import Testing

/// The office's supervision ladder as handling stores it, on a real Postgres: numbered urge
/// letters and their printout, the 挂牌督办 list, and the weekly follow-up list.
@Suite("Supervision ladder in the store", .enabled(if: StackEnvironment.current.hasPostgres))
struct SupervisionLadderTests {
    let history = ReportingHistory()
    let logger = ReportingHistory.quietLogger("supervision-test")

    var office: Actor { Actor(role: .office, tenant: history.countyA, id: "office-a", name: "甲区双千办") }
    var cityOffice: Actor { Actor(role: .office, tenant: history.city, id: "office-c", name: "测试市双千办") }

    /// A county demand signed on 1 March 2024 and never answered: long overdue by now.
    func signed(_ sequence: Int) throws -> Demand {
        let county = history.countyA
        let enterprise = Actor(role: .enterprise, tenant: county, id: "e1", enterpriseID: "ent-a")
        let party = EnterpriseParty(id: "ent-a", tenant: county, pairedCadreID: nil)
        let a = ReportingHistory.at
        return try history.play(county, [
            (.submit(Submission(content: history.content(), enterprise: party,
                registrationNumber: history.number(county, .registration, sequence))), enterprise, a("2024-02-29", 9)),
            (.dispatch(Assignment(leadUnit: history.unit("a-u1", county), number: history.number(county, .dispatch, sequence))),
                Actor(role: .dispatcher, tenant: county, id: "d"), a("2024-02-29", 11)),
            (.sign(Signature()), Actor(role: .unitAdmin, tenant: county, id: "ua1", unitID: "a-u1"), a("2024-03-01", 9)),
        ]).0
    }

    func urge(_ demand: Demand, by actor: Actor, note: String, recorder: DemandRecorder, in database: Database) async throws -> Demand {
        let tier = try #require(history.rules.tree[actor.tenant])
        let logger = self.logger
        return try await database.transaction { connection in
            let number = try await DocumentNumbers.next(.urge, for: tier, at: Date(), on: connection, logger: logger)
            let stored = try #require(try await recorder.repository.load(demand.id, forUpdate: true, on: connection))
            return try await recorder.apply(.urge(UrgeLetter(note: note, number: number)), to: stored, by: actor, on: connection).demand
        }
    }

    func list(_ filter: DemandFilter, recorder: DemandRecorder, in database: Database) async throws -> Set<UUID> {
        let scope = history.rules.policy.scope(for: Principal(subject: "office-a", role: .office, tenant: history.countyA))
        let logger = self.logger
        return Set(try await database.transaction { connection in
            try await scope.enter(on: connection, logger: logger)
            return try await recorder.repository.list(in: scope, filter: filter, on: connection)
        }.map(\.id))
    }

    @Test("Urge letters are numbered per urging tier and year and print as the 催办函; 挂牌督办 and follow-ups have their lists")
    func ladder() async throws {
        try await history.withDemandStore("ladder", logger: logger) { database in
            let recorder = DemandRecorder(rules: history.rules, ownedSteps: [.sign, .result, .rating], source: "test", logger: logger)
            let first = try signed(1)
            let second = try signed(2)
            for demand in [first, second] {
                _ = try await database.transaction { connection in try await recorder.receive(DemandRecord(demand), on: connection) }
            }

            // Two letters from the county office, one from the city's: each tier counts its own.
            let urged = try await urge(first, by: office, note: "请于3日内答复企业", recorder: recorder, in: database)
            let again = try await urge(second, by: office, note: "请加快办理", recorder: recorder, in: database)
            let fromCity = try await urge(first, by: cityOffice, note: "市双千办催办", recorder: recorder, in: database)
            let year = CivilDate(Date()).year
            #expect(urged.status.lastUrge?.number?.description == "甲服企办催（\(year)）第1号")
            #expect(again.status.lastUrge?.number?.sequence == 2)
            #expect(fromCity.status.lastUrge?.number == DocumentNumber(office: "测试", kind: .urge, year: year, sequence: 1))
            #expect(fromCity.status.urgeCount == 2)

            let view = DemandView(urged, rules: history.rules)
            let letter = try #require(DemandForms.urgeLetter(view, issuer: "甲区"))
            let pdf = try await OfficeConversion.convert(letter.bytes, name: "urge-letter.docx", to: "pdf")
            if let folder = ProcessInfo.processInfo.environment["DOCUMENT_PREVIEW_DIR"] {
                try await OfficeConversion.savePages(pdf, to: folder, prefix: "urge-letter")
            }
            let text = try await OfficeConversion.pdfText(pdf).filter { !$0.isWhitespace }
            for expected in ["催办函", "第1号", "单位a-u1：", "测试企业有限公司", "协调贷款", "已超期", "请于3日内答复企业", "甲区服务企业发展领导小组办公室"] {
                #expect(text.contains(expected), "the letter lacks \(expected): \(text)")
            }

            // 挂牌督办: listed apart until it closes.
            var flagged = DemandFilter()
            flagged.flaggedOnly = true
            #expect(try await list(flagged, recorder: recorder, in: database).isEmpty)
            _ = try await database.transaction { connection in
                try await recorder.perform(.flagSupervision(SupervisionFlag(reason: "重点项目")), on: second.id, by: office, on: connection)
            }
            #expect(try await list(flagged, recorder: recorder, in: database) == [second.id])

            // Weekly follow-up: both were never followed up; one followed up now drops out of the list.
            var due = DemandFilter()
            due.followUpDueBefore = Date().addingTimeInterval(-DemandFilter.followUpInterval)
            #expect(try await list(due, recorder: recorder, in: database) == [first.id, second.id])
            _ = try await database.transaction { connection in
                try await recorder.perform(.recordFollowUp(FollowUp(way: .weekly, note: "已协调银行对接")), on: first.id, by: office,
                    on: connection)
            }
            #expect(try await list(due, recorder: recorder, in: database) == [second.id])

            // Closing ends the 挂牌督办 listing; the flag stays on the record.
            let closed = try await database.transaction { connection in
                let unit = Actor(role: .unitAdmin, tenant: history.countyA, id: "ua1", unitID: "a-u1")
                _ = try await recorder.perform(.submitResult(ResultReport(resultClass: .a, answer: "已放贷")), on: second.id, by: unit,
                    on: connection)
                let enterprise = Actor(role: .enterprise, tenant: history.countyA, id: "e1", enterpriseID: "ent-a")
                return try await recorder.perform(.rate(Rating(satisfied: true)), on: second.id, by: enterprise, on: connection).demand
            }
            #expect(closed.state == .closed && closed.status.flag != nil)
            #expect(try await list(flagged, recorder: recorder, in: database).isEmpty)

            // A class-B answer: on the ledger of promises, and still followed up, after closing.
            let unit = Actor(role: .unitAdmin, tenant: history.countyA, id: "ua1", unitID: "a-u1")
            let enterprise = Actor(role: .enterprise, tenant: history.countyA, id: "e1", enterpriseID: "ent-a")
            let classB = ResultReport(resultClass: .b, answer: "已列入授信计划", plan: "分两期放贷", plannedCompletion: CivilDate(Date()).adding(days: 40))
            _ = try await database.transaction { connection in
                _ = try await recorder.perform(.submitResult(classB), on: first.id, by: unit, on: connection)
                return try await recorder.perform(.rate(Rating(satisfied: true)), on: first.id, by: enterprise, on: connection)
            }
            var promises = DemandFilter()
            promises.awaitingCompletionOnly = true
            #expect(try await list(promises, recorder: recorder, in: database) == [first.id])
            var dueLater = DemandFilter()
            dueLater.followUpDueBefore = Date().addingTimeInterval(60)
            #expect(try await list(dueLater, recorder: recorder, in: database) == [first.id], "a closed class-B demand is still followed up")
            _ = try await database.transaction { connection in
                try await recorder.perform(.reportCompletion(CompletionReport(text: "两期贷款均已发放")), on: first.id, by: unit, on: connection)
            }
            #expect(try await list(promises, recorder: recorder, in: database).isEmpty)
            #expect(try await list(dueLater, recorder: recorder, in: database).isEmpty)
        }
    }
}
