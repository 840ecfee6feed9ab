import ArgumentParser
import Foundation
import Ingestion
import Tables

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List, show and retry ingestion jobs.",
        discussion: """
            A job is one file's way from the landing zone to its table: pending, scanning, \
            queued, running, completed; or quarantined, failed, dead (after its attempts).

              lakegate jobs list --state dead
              lakegate jobs show 3f2a…
              lakegate jobs retry 3f2a…          a failed or dead job gets its attempts back
              lakegate jobs requeue-dead         every dead job, and the queue's dead letters
            """,
        subcommands: [JobsListCommand.self, JobsShowCommand.self, JobsRetryCommand.self, JobsRequeueDeadCommand.self])
}

struct JobsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Jobs, newest first.")
    @OptionGroup var settings: ConfigArguments
    @Option(help: "Only jobs in this state (pending, scanning, queued, running, completed, quarantined, failed, dead).")
    var state: String?
    @Option(help: "Only this client's jobs.") var client: String?
    @Option(help: "At most this many.") var limit = 50

    func run() async throws {
        let wanted = try state.map { name in
            guard let state = JobState(rawValue: name) else { throw ValidationError("no such state: \(name)") }
            return state
        }
        try await settings.withRuntime { runtime in
            let jobs = try await runtime.store.jobs(state: wanted, client: client, limit: limit)
            if jobs.isEmpty { Console.note("no jobs") }
            for job in jobs {
                var line = "\(job.id)  \(job.state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))  \(job.landingKey)"
                if let table = job.table { line += "  -> \(table)" }
                if let rows = job.rows { line += " (\(rows) rows)" }
                if let error = job.lastError, job.state != .completed { line += "  [\(error.prefix(120))]" }
                print(line)
            }
        }
    }
}

struct JobsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One job in full, with its verdicts.")
    @OptionGroup var settings: ConfigArguments
    @Argument(help: "The job id.") var id: String

    func run() async throws {
        try await settings.withRuntime { runtime in
            guard let job = try await runtime.store.job(id) else { throw CommandError(message: "no job \(id)") }
            print(JobText.describe(job))
            for verdict in try await runtime.store.verdicts(id) {
                print("verdict:      \(verdict.verdict)\(verdict.detail.map { " (\($0))" } ?? "") by \(verdict.scanner)"
                    + " \(verdict.engineVersion ?? "") db \(verdict.databaseVersion ?? "?") at \(JobText.time(verdict.scannedAt))"
                    + " sha256 \(verdict.sha256)")
            }
            for release in try await runtime.store.releases(id) {
                print("released:     by \(release.by) at \(JobText.time(release.at)): \(release.reason)")
            }
        }
    }
}

struct JobsRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Queue a failed or dead job again, with its attempts reset.")
    @OptionGroup var settings: ConfigArguments
    @Argument(help: "The job id.") var id: String

    func run() async throws {
        try await settings.withRuntime { runtime in
            guard let job = try await runtime.store.job(id) else { throw CommandError(message: "no job \(id)") }
            guard job.trustedKey != nil else {
                throw CommandError(message: "job \(id) is \(job.state.rawValue) and has no trusted copy: only scanned, clean files are retried")
            }
            guard try await runtime.requeue(job, from: [.failed, .dead], changes: [.attempts(0), .lastError(nil)]) else {
                throw CommandError(message: "job \(id) is \(job.state.rawValue): only failed or dead jobs are retried")
            }
            print("job \(id) queued again")
        }
    }
}

struct JobsRequeueDeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue-dead", abstract: "Queue every dead job again (and clear the queue's dead letters).")
    @OptionGroup var settings: ConfigArguments

    func run() async throws {
        try await settings.withRuntime { runtime in
            var count = 0
            for job in try await runtime.store.jobs(state: .dead, limit: 100_000) {
                if try await runtime.requeue(job, from: [.dead], changes: [.attempts(0), .lastError(nil)]) { count += 1 }
            }
            let letters = try await runtime.queue.requeueDead(jobId: nil)
            print("\(count) dead jobs queued again (\(letters) dead letters returned to the queue)")
        }
    }
}

struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Look at quarantined files and release one (audited).",
        discussion: """
            Infected and unscannable files wait in quarantine with their verdict. Nothing leaves \
            quarantine without a release, which names a reason and is recorded with who did it.

              lakegate quarantine list
              lakegate quarantine show 3f2a…
              lakegate quarantine release 3f2a… --reason "false positive, ticket SEC-42"
            """,
        subcommands: [QuarantineListCommand.self, QuarantineShowCommand.self, QuarantineReleaseCommand.self])
}

struct QuarantineListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Quarantined jobs, newest first.")
    @OptionGroup var settings: ConfigArguments
    @Option(help: "At most this many.") var limit = 50

    func run() async throws {
        try await settings.withRuntime { runtime in
            let jobs = try await runtime.store.jobs(state: .quarantined, limit: limit)
            if jobs.isEmpty { Console.note("quarantine is empty") }
            for job in jobs { print("\(job.id)  \(job.landingKey)  \(job.lastError ?? "")") }
        }
    }
}

struct QuarantineShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A quarantined job, its verdicts and its copy.")
    @OptionGroup var settings: ConfigArguments
    @Argument(help: "The job id.") var id: String

    func run() async throws {
        try await settings.withRuntime { runtime in
            guard let job = try await runtime.store.job(id) else { throw CommandError(message: "no job \(id)") }
            print(JobText.describe(job))
            if let key = job.quarantineKey.flatMap({ try? ObjectKey($0) }) {
                print("copy:         \(runtime.zones.quarantine.url(of: key))")
            }
            for verdict in try await runtime.store.verdicts(id) {
                print("verdict:      \(verdict.verdict) \(verdict.detail ?? "") (\(verdict.scanner), at \(JobText.time(verdict.scannedAt)))")
            }
        }
    }
}

struct QuarantineReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "Trust a quarantined file after all, with a reason on record, and load it.")
    @OptionGroup var settings: ConfigArguments
    @Argument(help: "The job id.") var id: String
    @Option(help: "Why this file may be trusted (required; kept with the release).") var reason: String
    @Option(help: "Who releases it (default: the OS user).") var by: String?

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespaces).count < 3 { throw ValidationError("--reason must say why") }
    }

    func run() async throws {
        try await settings.withRuntime { runtime in
            let user = by ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            let trusted = try await QuarantineRelease(runtime: runtime).release(id, reason: reason, by: user)
            print("job \(id) released by \(user) and queued; trusted copy \(trusted)")
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Zones, queue depth, jobs by state and the last errors.")
    @OptionGroup var settings: ConfigArguments

    func run() async throws {
        try await settings.withRuntime { runtime in
            print("landing:     \(runtime.zones.landing.rootURL)")
            print("trusted:     \(runtime.zones.trusted.rootURL)")
            print("quarantine:  \(runtime.zones.quarantine.rootURL)")
            print("lake:        \(runtime.configuration.lake)")
            print("scanner:     \(runtime.scanner.name)")
            do {
                let depth = try await runtime.queue.depth()
                print("queue:       \(runtime.queue.name): \(depth.ready) ready, \(depth.leased) leased, \(depth.delayed) delayed, \(depth.dead) dead")
            } catch {
                print("queue:       \(runtime.queue.name): unavailable (\(error))")
            }
            print("jobs:        \(Self.format(try await runtime.store.counts()))")
            let alerts = try await runtime.store.alerts(limit: 5)
            if !alerts.isEmpty { print("last errors:") }
            for alert in alerts { print("  \(JobText.time(alert.at))  \(alert.component): \(alert.message.prefix(200))") }
        }
    }

    static func format(_ counts: [JobState: Int]) -> String {
        let parts = JobState.allCases.compactMap { state in counts[state].map { "\($0) \(state.rawValue)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}

enum JobText {
    static func describe(_ job: Job) -> String {
        var lines = [
            "job:          \(job.id)", "state:        \(job.state.rawValue)", "client:       \(job.client)",
            "landing:      \(job.zone)\(job.landingKey) (\(job.landingSize) bytes)", "sha256:       \(job.sha256)",
            "attempts:     \(job.attempts) loads, \(job.scanAttempts) scans without a verdict",
        ]
        if let key = job.trustedKey { lines.append("trusted:      \(key)") }
        if let key = job.quarantineKey { lines.append("quarantine:   \(key)") }
        if let table = job.table { lines.append("table:        \(table)\(job.snapshot.map { " (snapshot \($0))" } ?? "")") }
        if let rows = job.rows { lines.append("rows:         \(rows)") }
        if let error = job.lastError { lines.append("last error:   \(error)") }
        lines.append("created:      \(time(job.createdAt)), updated \(time(job.updatedAt))")
        return lines.joined(separator: "\n")
    }

    static func time(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
