import DemandDomain
import Foundation
import InputValidation
import Kafka
import LocalStack
import Logging
import NIOHTTP1
import PlatformAPI
import PlatformEvents
import PlatformWire
import Synchronization
import Tenancy
import Testing

extension EndToEnd {
    @Suite("Crashes, bad messages, clean stops")
    struct ResilienceTests {
        @Test("An undecodable or unknown message goes to the dead-letter topic with its reason; consumers carry on")
        func deadLetters() async throws {
            let stack = try await TestStack.shared.start()
            let logger = Logger(label: "e2e")
            let producer = try KafkaProducer(
                configuration: .init(bootstrapServers: stack.environment.kafkaBootstrapServers!, clientID: "e2e"), logger: logger)
            let marker = UUID().uuidString
            let unknownType = CloudEvent(source: "/test", type: "cn.qyfw.demand.teleported.v1", subject: marker, time: Date(),
                tenant: "maojian", data: ["x": 1])
            let reports = await producer.send([
                KafkaProducerMessage(topic: Topics.dispatchInbox("maojian"), key: marker, value: Array("garbage \(marker)".utf8)),
                KafkaProducerMessage(topic: Topics.dispatchInbox("maojian"), key: marker, value: Array(try EventCoding.encode(unknownType))),
                KafkaProducerMessage(topic: Topics.handlingInbox("shiyan"), key: marker, value: Array("{\"id\": 1}".utf8)),
            ])
            #expect(reports.allSatisfy { (try? $0.get()) != nil })
            await producer.shutdown()
            let county = try await readDeadLetters(stack, tenant: "maojian", key: marker, count: 2)
            #expect(Set(county.compactMap { $0.header("dlq-reason-code")?.stringValue }) == ["UNDECODABLE_ENVELOPE", "UNKNOWN_EVENT_TYPE"])
            #expect(county.allSatisfy { $0.header("dlq-consumer")?.stringValue == "inbox" })
            let city = try await readDeadLetters(stack, tenant: "shiyan", key: marker, count: 1)
            #expect(city.first?.header("dlq-topic")?.stringValue == Topics.handlingInbox("shiyan"))
            // The consumers went on: a journey through both still completes.
            let closed = try await TestStack.shared.runner().districtJourney()
            #expect(closed.state == .closed)
        }

        func readDeadLetters(_ stack: PlatformStack, tenant: TenantID, key: String, count: Int) async throws -> [KafkaConsumerMessage] {
            let consumer = try KafkaConsumer(
                configuration: .init(bootstrapServers: stack.environment.kafkaBootstrapServers!, groupID: "e2e-dlq-\(UUID())",
                    clientID: "e2e-dlq", overrides: ["session.timeout.ms": "6000"]),
                logger: Logger(label: "e2e"))
            try consumer.subscribe(topics: [Topics.deadLetter(tenant)])
            let found = Mutex<[KafkaConsumerMessage]>([])
            let reader = Task {
                for try await message in consumer.messages where message.keyString == key {
                    if found.withLock({ $0.append(message); return $0.count }) >= count { break }
                }
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, found.withLock({ $0.count }) < count { try await Task.sleep(for: .milliseconds(100)) }
            reader.cancel()
            _ = await reader.result
            try await consumer.close()
            return found.withLock { $0 }
        }

        @Test("kill -9 of each kind of process with demands in flight: every demand still ends where it should, once")
        func crashSafety() async throws {
            let stack = try await TestStack.shared.start()
            let runner = try await TestStack.shared.runner()
            let client = runner.client
            let cast = runner.cast

            func crash(_ name: String) async throws {
                let process = stack.process(name)
                await process.kill9()
                try await Task.sleep(for: .milliseconds(300))
                try process.start()
                try await process.waitUntilReady(timeout: .seconds(60))
            }

            // intake: approvals committed, their hand-off still in the outbox when it dies.
            var district: [UUID] = []
            for _ in 0..<3 {
                let submitted = try await client.submit(cast.enterprise, form: JourneyRunner.sampleForm())
                _ = try await client.approve(cast.cadre, submitted.id)
                district.append(submitted.id)
            }
            try await crash("intake-maojian")
            for id in district { _ = try await runner.waitAtDispatch(cast.countyDispatcher, tier: "maojian", id, state: .awaitingDispatch) }

            // dispatch: routings committed, assignments on their way to handling.
            for id in district.prefix(2) { _ = try await client.route(cast.countyDispatcher, id, lead: "maojian-jxj") }
            try await crash("dispatch-maojian")
            // handling: dies before or while it consumes the assignments.
            _ = try await client.route(cast.countyDispatcher, district[2], lead: "maojian-jxj")
            try await crash("handling")
            for id in district {
                _ = try await runner.waitAtHandling(cast.countyUnit, id, state: .awaitingSignature)
                _ = try await client.handle(cast.countyUnit, id, .sign, ["note": "已签收"])
                _ = try await client.handle(cast.countyUnit, id, .result, ["resultClass": "A", "answer": "已解决"])
            }
            try await crash("handling")
            for id in district {
                let closed = try await client.handle(cast.enterprise, id, .rating, JourneyRunner.RatingBody(satisfied: true, comment: nil))
                #expect(kinds(closed) == ["submit", "approve", "dispatch", "sign", "submitResult", "rate"], "history of \(id)")
            }

            // The city: escalations in flight when the city's intake dies, then its dispatch.
            var escalated: [UUID] = []
            for _ in 0..<2 {
                let county = try await runner.submitAndApprove()
                _ = try await client.escalate(cast.countyDispatcher, county.id, suggestion: "需市级协调")
                escalated.append(county.id)
            }
            try await crash("intake-shiyan")
            var cityCopies: [UUID] = []
            for id in escalated { cityCopies.append(try await runner.cityCopy(of: id).id) }
            for id in cityCopies { _ = try await client.route(cast.cityDispatcher, id, lead: "sy-jxj") }
            try await crash("dispatch-shiyan")
            for id in cityCopies {
                _ = try await runner.waitAtHandling(cast.cityUnit, id, state: .awaitingSignature)
                _ = try await client.handle(cast.cityUnit, id, .sign, ["note": "已签收"])
                _ = try await client.handle(cast.cityUnit, id, .result, ["resultClass": "A", "answer": "已解决"])
                _ = try await client.handle(cast.enterprise, id, .rating, JourneyRunner.RatingBody(satisfied: true, comment: nil))
            }
            // The outcome reaches the county dispatch even though it dies meanwhile.
            try await crash("dispatch-maojian")
            for (county, city) in zip(escalated, cityCopies) {
                let closedCounty = try await runner.waitAtDispatch(cast.countyDispatcher, tier: "maojian", county, state: .closed)
                #expect(kinds(closedCounty) == ["submit", "approve", "escalate", "recordEscalationOutcome", "recordEscalationOutcome"])
                let closedCity = try await client.handlingDemand(cast.cityOffice, city)
                #expect(kinds(closedCity) == ["receiveEscalation", "dispatch", "sign", "submitResult", "rate"])
                // Exactly one city copy per escalation, even with the city's intake killed.
                let copies: [PlatformClient.QueueItem] = try await client.call("copies", .GET, stack.url(.handling),
                    "/ledger?origin=\(county)", token: cast.cityOffice.token)
                #expect(copies.count == 1)
            }
        }

        @Test("A second replica of each service starts, is ready, and stops cleanly on SIGTERM")
        func replicasStartAndStop() async throws {
            let stack = try await TestStack.shared.start()
            for name in ["intake-maojian", "dispatch-shiyan", "handling", "notifier", "reporting"] {
                let original = stack.process(name)
                let port = try freeLocalPort()
                var environment = original.environment
                environment["HTTP_PORT"] = String(port)
                let replica = ServiceProcess(name: "\(name)-replica", executable: original.executable, environment: environment,
                    port: port, logPath: original.logPath.replacingOccurrences(of: ".log", with: "-replica.log"))
                try replica.start()
                try await replica.waitUntilReady(timeout: .seconds(60))
                let (health, _) = try await PlatformClient(stack: stack).raw("healthz", .GET, replica.baseURL + "/healthz", token: nil)
                #expect(health == 200)
                let started = ContinuousClock.now
                let status = await replica.stop(timeout: .seconds(30))
                #expect(status == 0, "\(name) replica exited with \(String(describing: status))")
                #expect(ContinuousClock.now - started < .seconds(25))
            }
        }
    }
}
