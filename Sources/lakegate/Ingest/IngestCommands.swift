import ArgumentParser
import Foundation
import Ingestion
import Tables

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest files now, through the same path as uploads: scan, trusted zone, table.",
        discussion: """
            Each FILE is copied into the landing zone under the client's prefix \
            (<client>/incoming/<name>), then found, scanned by clamd, copied to the trusted zone \
            (or to quarantine) and loaded into the client's table with its transforms, exactly \
            once. Without a configuration file the embedded defaults apply: zones and a DuckLake \
            under ./lakegate-data, clamd on 127.0.0.1:3310, table <client>.files.

              lakegate ingest events.ndjson --client acme
              lakegate ingest *.csv --client acme --config lakegate.yaml

            Exit status: 0 when every file is in its table; 2 when one was quarantined, \
            failed, or waits for the scanner (clamd down: it stays untrusted in the landing \
            zone and the next run scans it); 1 on any other error.
            """)

    @OptionGroup var settings: ConfigArguments

    @Option(help: "The client the files belong to (its prefix in the landing zone).")
    var client: String

    @Argument(help: "Files to ingest.")
    var files: [String]

    func run() async throws {
        var problems = 0
        try await settings.withRuntime { runtime in
            let landing = runtime.zones.landing
            var keys: [String] = []
            for file in files {
                let name = URL(fileURLWithPath: file).lastPathComponent
                let key = try ObjectKey("\(client)/incoming/\(name)")
                let writer = try landing.makeWriter(for: key)
                do {
                    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
                    defer { try? handle.close() }
                    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                        try chunk.withUnsafeBytes { try writer.write($0) }
                    }
                    try await writer.publish()
                } catch {
                    writer.abort()
                    throw CommandError(message: "\(file): cannot copy into the landing zone: \(error)")
                }
                keys.append(key.path)
            }
            let summary = try await IngestionService(runtime: runtime).drain(settle: 0)
            for (file, key) in zip(files, keys) {
                let job = try await runtime.store.latest(zone: landing.rootURL, landingKey: key)
                guard let job else {
                    print("\(file): not found in the landing zone (is \(client) a configured client?)")
                    problems += 1
                    continue
                }
                switch job.state {
                case .completed:
                    print("\(file): \(job.rows.map(String.init) ?? "already loaded,") rows into \(job.table ?? "?") (job \(job.id))")
                case .quarantined:
                    print("\(file): quarantined: \(job.lastError ?? "") (job \(job.id))")
                    problems += 1
                case .pending:
                    print("\(file): waiting for the scanner: \(job.lastError ?? "") (job \(job.id))")
                    problems += 1
                default:
                    print("\(file): \(job.state.rawValue): \(job.lastError ?? "") (job \(job.id))")
                    problems += 1
                }
            }
            Console.note("\(summary.completed) files, \(summary.rows) rows loaded")
        }
        if problems > 0 { throw ExitCode(2) }
    }
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole pipeline: discovery, scanning, workers and housekeeping.",
        discussion: """
            Watches the landing zone (every discovery.interval), scans new files with clamd, \
            moves them to the trusted zone or quarantine, and loads them with N workers \
            (default: the number of cores). SIGTERM or Ctrl-C stops it gracefully: each worker \
            finishes its job. With --once it processes what is there and exits.

              lakegate run                       embedded defaults under ./lakegate-data
              lakegate run --config lakegate.yaml --workers 4
              lakegate run --once                drain the landing zone, then exit
            """)

    @OptionGroup var settings: ConfigArguments

    @Option(help: "Workers (default: workers.count, or the number of cores).")
    var workers: Int?

    @Flag(help: "Process the files present now, then exit.")
    var once = false

    func run() async throws {
        try await settings.withRuntime { runtime in
            let service = IngestionService(runtime: runtime)
            if once {
                try await Reconciliation(runtime: runtime).sweep()
                let summary = try await service.drain(settle: 0)
                let counts = try await runtime.store.counts()
                print("\(summary.discovered) found, \(summary.completed) loaded (\(summary.rows) rows); jobs: \(StatusCommand.format(counts))")
                return
            }
            let count = workers ?? runtime.configuration.workers.effectiveCount(cores: ProcessInfo.processInfo.activeProcessorCount)
            Console.note("lakegate run: \(count) workers, landing \(runtime.zones.landing.rootURL), queue \(runtime.queue.name), scanner \(runtime.scanner.name)")
            var server: NotificationServer?
            if let listen = runtime.configuration.notifications.listen {
                server = try await NotificationServer.start(host: listen.host, port: listen.port, intake: runtime.notificationIntake())
                Console.note("S3 event notifications: POST to http://\(listen.host):\(server?.port ?? listen.port)/")
            }
            let stop = StopFlag()
            StopSignals.install(stop)
            await service.run(workers: count, scanning: true, idleExit: runtime.configuration.workers.idleExit, stop: stop)
            await server?.stop()
        }
    }
}

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run workers only: take jobs from the queue and load them (for scaling out).",
        discussion: """
            Workers read trusted files, apply the table's transforms and commit with the job id \
            as idempotency key. SIGTERM stops them gracefully (each finishes its job or its lease \
            runs out). With --idle-exit they exit after that long without work.

              lakegate worker --config lakegate.yaml --workers 2 --idle-exit 5m
            """)

    @OptionGroup var settings: ConfigArguments

    @Option(help: "Workers in this process (default: workers.count, or the number of cores).")
    var workers: Int?

    @Option(help: ArgumentHelp("Exit after this long without work (30s, 5m).", valueName: "duration"))
    var idleExit: String?

    func run() async throws {
        try await settings.withRuntime { runtime in
            let count = workers ?? runtime.configuration.workers.effectiveCount(cores: ProcessInfo.processInfo.activeProcessorCount)
            let idle = try idleExit.map(parseDuration) ?? runtime.configuration.workers.idleExit
            let stop = StopFlag()
            StopSignals.install(stop)
            await IngestionService(runtime: runtime).run(workers: count, scanning: false, idleExit: idle, stop: stop)
        }
    }
}

/// "250ms", "30s", "5m", "1h".
func parseDuration(_ text: String) throws -> Duration {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
    for (suffix, seconds) in units where text.hasSuffix(suffix) {
        if let value = Double(text.dropLast(suffix.count)), value >= 0 { return .milliseconds(Int64(value * seconds * 1000)) }
    }
    throw ValidationError("not a duration: '\(text)' (use 250ms, 30s, 5m, 1h)")
}
