import Foundation

extension LoadReport {
    /// The human summary: per round throughput, costs and latencies, memory, ceilings, targets.
    public var summary: String {
        var lines: [String] = []
        lines.append("\nLoad benchmark, \(processorCount) cores, \(String(format: "%.0f", memoryGiB)) GiB; \(settings.actors) actors; mix \(settings.mix)")
        if let ceilings {
            lines.append(String(format: "Machine ceilings: Postgres %.0f commits/s (pgbench), Kafka %.0f messages/s (1 KiB, acks=all)",
                ceilings.postgresCommitsPerSecond, ceilings.kafkaMessagesPerSecond))
        }
        if let resting {
            lines.append(String(format: "At rest (%.0f s without journeys): platform CPU %.1f ms/s: ", resting.seconds,
                resting.platformCPUPerSecond) + Self.programList(resting.cpuMillisecondsPerSecond, unit: "ms/s"))
        }
        for round in rounds {
            lines.append("\n== \(round.storedDemands) demands stored ==")
            if let saturation = round.saturation { lines += saturationLines(saturation) }
            if let half = round.halfLoad { lines += halfLoadLines(half) }
        }
        lines.append("\nMemory (RSS)                     peak MiB   steady MiB")
        for service in memory {
            lines.append(service.service.padding(toLength: 32, withPad: " ", startingAt: 0)
                + String(format: "%9.1f   %10@", service.peakMiB, service.steadyMiB.map { String(format: "%.1f", $0) } ?? "-"))
        }
        lines.append("\nTargets")
        for target in targets {
            let verdict = target.met ? "met" : "MISSED by \(target.shortBy ?? "?")"
            lines.append("  \(target.name): \(target.measured) (goal \(target.goal)) — \(verdict)")
        }
        return lines.joined(separator: "\n")
    }

    func saturationLines(_ saturation: Saturation) -> [String] {
        var lines = [String(format: "Saturation: %d journeys in %.1f s = %.1f journeys/s (%d failed)",
            saturation.journeys, saturation.seconds, saturation.journeysPerSecond, saturation.failed)]
        var costs = String(format: "  Postgres: %.1f commits/journey, %.0f commits/s", saturation.postgresCommitsPerJourney,
            saturation.postgresCommitsPerSecond)
        if let ceilings {
            costs += String(format: " = %.1f%% of pgbench", saturation.postgresCommitsPerSecond / ceilings.postgresCommitsPerSecond * 100)
        }
        lines.append(costs)
        var kafka = String(format: "  Kafka: %.1f messages/journey, %.0f messages/s", saturation.kafkaMessagesPerJourney,
            saturation.kafkaMessagesPerSecond)
        if let ceilings {
            kafka += String(format: " = %.1f%% of the produce ceiling", saturation.kafkaMessagesPerSecond / ceilings.kafkaMessagesPerSecond * 100)
        }
        lines.append(kafka)
        lines.append("  CPU per journey: " + Self.programList(saturation.cpuMillisecondsPerJourney, unit: "ms"))
        if let resting {
            let share = resting.platformCPUPerSecond / saturation.journeysPerSecond
            lines.append(String(format: "  of the platform's %.1f ms per journey, %.1f ms is what it spends at rest (%.1f ms/s) over %.1f journeys/s",
                saturation.platformCPUPerJourney, share, resting.platformCPUPerSecond, saturation.journeysPerSecond))
        }
        if let statements = saturation.postgresStatements, !statements.isEmpty {
            lines.append("  Postgres statements per journey (calls, execution ms, planning ms, statement):")
            lines += statements.prefix(30).map {
                String(format: "    %6.1f %7.2f %6.2f  %@", $0.calls, $0.milliseconds, $0.planningMilliseconds ?? 0, String($0.statement.prefix(110)))
            }
        }
        if let profile = saturation.profile {
            lines.append("  perf profile (share, program, library):")
            lines += profile.byProgramAndLibrary.prefix(12).map { "    " + $0 }
            lines.append("  perf profile (share, program, function):")
            lines += profile.byFunction.prefix(15).map { "    " + $0 }
        }
        return lines
    }

    func halfLoadLines(_ half: HalfLoad) -> [String] {
        var lines = [String(format: "Half load: %.1f journeys/s asked, %.1f/s done, %d journeys (%d failed, %d not started)",
            half.targetJourneysPerSecond, half.journeysPerSecond, half.journeys, half.failed, half.skipped)]
        lines.append(Self.latencyHeader("API call"))
        lines += half.apiCalls.map(Self.latencyLine)
        lines.append(Self.latencyHeader("Read waiting for a hand-off"))
        lines += half.waitingReads.map(Self.latencyLine)
        lines.append(Self.latencyHeader("Kafka hop (outbox → inbox)"))
        lines += half.kafkaHops.map(Self.latencyLine)
        lines.append(Self.latencyHeader("Portal page (HTML to the last byte)"))
        lines += half.portalPages.map(Self.latencyLine)
        lines.append(Self.latencyHeader("The office page's API calls, one at a time"))
        lines += half.portalPageCalls.map(Self.latencyLine)
        if let sms = half.submitToFirstSMS {
            lines.append(Self.latencyHeader("SMS"))
            lines.append(Self.latencyLine(sms))
        }
        if half.demandsWithoutSMS > 0 { lines.append("  \(half.demandsWithoutSMS) demands had no SMS accepted") }
        return lines
    }

    static func programList(_ programs: [Saturation.ProgramCPU], unit: String) -> String {
        programs.prefix(8).map { String(format: "%@ %.1f %@", $0.program, $0.milliseconds, unit) }.joined(separator: ", ")
    }

    static func latencyHeader(_ title: String) -> String {
        "  " + title.padding(toLength: 44, withPad: " ", startingAt: 0) + "   count   p50 ms   p99 ms  p99.9 ms   max ms"
    }

    static func latencyLine(_ summary: LatencySummary) -> String {
        "  " + summary.name.padding(toLength: 44, withPad: " ", startingAt: 0)
            + String(format: "%8llu %8.1f %8.1f %9.1f %8.1f", summary.count, summary.p50, summary.p99, summary.p999, summary.max)
    }
}
