import ArgumentParser
import DataGenerators
import StorageLocal
import Tables

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic test data for demos, tests and benchmarks: web events, vehicle files, a wide CSV.",
        discussion: """
            The data is deterministic: the same --seed (default 42) gives the same bytes on every \
            run and machine, and the first N records do not depend on how many follow.

            Examples:
              lakegate generate events --count 1000000 --output events.ndjson
              lakegate generate events --count 5 --seed 7 | jq .
              lakegate generate vehicles --files 12 --out vehicles/
              lakegate generate csv --rows 100000 --output orders.csv --delimiter ';'
            """,
        subcommands: [GenerateEventsCommand.self, GenerateVehiclesCommand.self, GenerateCSVCommand.self]
    )
}

/// Options every generator takes.
struct GeneratorArguments: ParsableArguments {
    @Option(help: "Seed of the pseudo-random generator: the same seed gives the same bytes.")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp(
            "UTC time of the first record, YYYY-MM-DD[THH:MM[:SS[.fff]]][Z] (default: 2026-03-01 for events, else 2026-01-01).",
            valueName: "time"))
    var start: String?

    func validate() throws {
        if let start, CivilTime.parse(start) == nil {
            throw ValidationError("--start takes a UTC time such as 2026-01-01 or 2026-01-01T08:30:00")
        }
    }

    /// Milliseconds since the epoch of --start, or `fallback`.
    func startTime(default fallback: Int) -> Int {
        start.flatMap(CivilTime.parse) ?? fallback
    }
}

/// Where a stream of generated records goes.
struct GeneratedOutputArguments: ParsableArguments {
    @Option(
        name: [.short, .long],
        help: ArgumentHelp("Write to this file (it appears only when complete), or - for standard output.", valueName: "file"),
        completion: .file())
    var output = "-"

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    func validate() throws {
        if output != "-" && !force && fileExists(output) { throw ValidationError("\(output) exists; pass --force to replace it") }
    }

    /// Writes `total` records, which `produce(count, &buffer)` appends to a buffer in blocks of
    /// about 1 MiB; shows progress on a terminal and a summary at the end.
    func write(records total: Int, noun: String, prefix: [UInt8] = [],
               _ produce: (_ count: Int, _ out: inout [UInt8]) -> Void) throws {
        let clock = ContinuousClock()
        let started = clock.now
        var lastDraw = started
        let toStandardOutput = output == "-"
        // Progress would garble data printed on the same terminal.
        let showProgress = Console.isTerminal && !(toStandardOutput && isatty(1) != 0)
        let sink: LocalFileSink? = toStandardOutput ? nil : try LocalFileSink(path: output)
        var standardOutput = StandardOutput()
        var block: [UInt8] = prefix
        block.reserveCapacity(1 << 21)
        var done = 0
        var written = 0
        // Records per block: small at first, then sized from the bytes per record seen so far.
        var perBlock = 64
        do {
            while done < total || !block.isEmpty {
                let count = min(perBlock, total - done)
                let before = block.count
                produce(count, &block)
                done += count
                if count > 0 { perBlock = max(1, min(1 << 20, (1 << 20) * count / max(1, block.count - before))) }
                if let sink {
                    try block.withUnsafeBytes { try sink.write($0) }
                } else {
                    standardOutput.append(block)
                    standardOutput.flush()
                }
                written += block.count
                block.removeAll(keepingCapacity: true)
                let now = clock.now
                if showProgress && now - lastDraw > .milliseconds(200) {
                    lastDraw = now
                    let seconds = max(0.001, (now - started).seconds)
                    let percent = total > 0 ? done * 100 / total : 100
                    Console.progress(
                        "\(done) / \(total) \(noun) (\(percent)%), \(formatBytes(written)), "
                            + "\(formatBytes(Int(Double(written) / seconds)))/s")
                }
            }
            try sink?.commit()
        } catch {
            sink?.abort()
            throw error
        }
        Console.endProgress()
        if Console.isTerminal && !(toStandardOutput && isatty(1) != 0) {
            let seconds = max(0.001, (clock.now - started).seconds)
            let target = toStandardOutput ? "standard output" : output
            Console.note(
                "wrote \(target): \(total) \(noun), \(formatBytes(written)) in \(String(format2: seconds)) s "
                    + "(\(formatBytes(Int(Double(written) / seconds)))/s)")
        }
    }
}

struct GenerateEventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Write nested web-analytics events as NDJSON (about 560 bytes each).",
        discussion: """
            Each line is one event: event_id (a UUID), event_type (page_view, click, scroll, \
            search, add_to_cart, video_play, form_submit, login, purchase, signup, logout), \
            event_time and received_at (ISO-8601, UTC, milliseconds), user {id, session_id, \
            user_agent {browser, version, os, device}}, location {country, city, lat, lon}, metrics \
            {duration_ms, scroll_depth, clicks}, value (a price for purchases and carts; otherwise \
            absent or null), tags (0 to 4 strings) and page {url, referrer}.

            Users and pages follow Zipf-like popularity, a few browsers dominate, sessions end after \
            30 idle minutes, events arrive slightly out of order, and traffic follows the time of \
            day (about a million events per simulated day). Cities include non-ASCII names and a \
            few tags need JSON escapes.

            Examples:
              lakegate generate events --count 1000000 --output events.ndjson
              lakegate generate events --count 100000 --seed 7 | gzip > events.ndjson.gz
              lakegate generate events --count 10 --start 2026-06-01T09:00:00
            """
    )

    @Option(help: "Number of events.")
    var count: Int

    @Option(help: "Number of distinct users the events come from.")
    var users = 50_000

    @OptionGroup var generator: GeneratorArguments

    @OptionGroup var destination: GeneratedOutputArguments

    func validate() throws {
        if count < 0 { throw ValidationError("--count must be zero or more") }
        if users < 1 || users > 1_000_000 { throw ValidationError("--users is between 1 and 1000000") }
    }

    func run() throws {
        try reportingErrors {
            var events = WebEventGenerator(
                seed: generator.seed, start: generator.startTime(default: WebEventGenerator.defaultStart), users: users)
            try destination.write(records: count, noun: "events") { count, out in events.append(count: count, to: &out) }
        }
    }
}

struct GenerateCSVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv",
        abstract: "Write a wide, typed CSV of orders (24 columns, with a header).",
        discussion: """
            Columns: order_id, customer_id, quantity and rating (integers), order_number (beyond \
            32 bits), unit_price (decimal text with two digits), discount, total, weight_kg, \
            latitude and longitude (doubles), is_gift and is_returned (true/false), order_date \
            (YYYY-MM-DD), created_at (ISO-8601 with Z), shipped_at (YYYY-MM-DD HH:MM:SS, no \
            zone), country, city, product, category, email, status and notes (short and long \
            strings; some need quotes for commas, quotes or line breaks) and session_id (a UUID). \
            Empty fields are nulls (discount, is_gift, shipped_at, rating and notes have them).

            Examples:
              lakegate generate csv --rows 1000000 --output orders.csv
              lakegate generate csv --rows 1000 --delimiter '\\t' --output orders.tsv
            """
    )

    @Option(help: "Number of data rows (the header is extra).")
    var rows: Int

    @Option(help: ArgumentHelp("Field delimiter: , ; | or \\t (tab).", valueName: "char"))
    var delimiter = ","

    @OptionGroup var generator: GeneratorArguments

    @OptionGroup var destination: GeneratedOutputArguments

    var delimiterByte: UInt8? {
        let byte: UInt8? = delimiter == "\\t" || delimiter == "tab" ? 0x09 : (delimiter.utf8.count == 1 ? delimiter.utf8.first : nil)
        return byte.flatMap { WideCSVGenerator.delimiters.contains($0) ? $0 : nil }
    }

    func validate() throws {
        if rows < 0 { throw ValidationError("--rows must be zero or more") }
        if delimiterByte == nil { throw ValidationError("--delimiter is one of , ; | or \\t") }
    }

    func run() throws {
        try reportingErrors {
            var csv = WideCSVGenerator(
                seed: generator.seed, start: generator.startTime(default: WideCSVGenerator.defaultStart),
                delimiter: delimiterByte!)
            var header: [UInt8] = []
            csv.appendHeader(to: &header)
            try destination.write(records: rows, noun: "rows", prefix: header) { count, out in csv.append(rows: count, to: &out) }
        }
    }
}

struct GenerateVehiclesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vehicles",
        abstract: "Write pairs of fleet telemetry files (events and status) as pretty-printed JSON.",
        discussion: """
            Writes --files pairs into DIR, one pair per --interval from --start (default \
            2026-01-01T00:00:00Z), named after the start of their window:

              vehicles_events_YYYYMMDDHHMMSS.json   {"vehicles_events": [{vehicle_id, event_time,
                                                     event_source, event_type, event_value,
                                                     event_extra_data}, ...]}
              vehicles_status_YYYYMMDDHHMMSS.json   {"vehicles_status": [{vehicle_id, report_time,
                                                     status_source, status}, ...]}

            event_value is a number or a string depending on event_type (speed, rpm, fuel_level, \
            position, door_open, fault_code, ...); event_extra_data is a nested object or null. \
            status is moving, idle, parked or maintenance, and events follow each vehicle's status. \
            Each file appears only when complete; existing files are kept unless --force.

            Examples:
              lakegate generate vehicles --files 12 --out vehicles/
              lakegate generate vehicles --files 288 --out day/ --start 2026-03-01
              lakegate generate vehicles --files 4 --out big/ --records-per-file 50000
              lakegate convert vehicles/vehicles_events_20260101000000.json -o ev.parquet
            """
    )

    @Option(help: "Number of file pairs.")
    var files: Int

    @Option(help: ArgumentHelp("Directory to write into (created if missing).", valueName: "dir"), completion: .directory)
    var out: String

    @Option(help: "Records in each file.")
    var recordsPerFile = 1000

    @Option(help: "Number of vehicles in the fleet.")
    var vehicles = 100

    @Option(help: ArgumentHelp("Seconds between file pairs.", valueName: "seconds"))
    var interval = 300

    @OptionGroup var generator: GeneratorArguments

    @Flag(help: "Replace files that exist.")
    var force = false

    func validate() throws {
        if files < 0 { throw ValidationError("--files must be zero or more") }
        if recordsPerFile < 0 { throw ValidationError("--records-per-file must be zero or more") }
        if vehicles < 1 || vehicles > 99_999 { throw ValidationError("--vehicles is between 1 and 99999") }
        if interval < 1 || interval > 86_400 * 366 { throw ValidationError("--interval is between 1 second and a year") }
        if !force {
            let start = generator.startTime(default: VehicleFileGenerator.defaultStart)
            for pair in 0..<files {
                let names = VehicleFileGenerator.fileNames(pair: pair, start: start, interval: interval * 1000)
                for name in [names.events, names.status] where fileExists(directory + name) {
                    throw ValidationError("\(directory + name) exists; pass --force to replace it")
                }
            }
        }
    }

    var directory: String { out.hasSuffix("/") ? out : out + "/" }

    func run() throws {
        try reportingErrors {
            let clock = ContinuousClock()
            let started = clock.now
            var fleet = VehicleFileGenerator(
                seed: generator.seed, start: generator.startTime(default: VehicleFileGenerator.defaultStart),
                recordsPerFile: recordsPerFile, vehicles: vehicles, interval: interval * 1000)
            try makeDirectories(out)
            var written = 0
            for pair in 0..<files {
                let (events, status) = fleet.nextPair()
                for file in [events, status] {
                    let sink = try LocalFileSink(path: directory + file.name)
                    do {
                        try file.bytes.withUnsafeBytes { try sink.write($0) }
                        try sink.commit()
                    } catch {
                        sink.abort()
                        throw error
                    }
                    written += file.bytes.count
                }
                Console.progress("\(pair + 1) / \(files) file pairs, \(formatBytes(written))")
            }
            Console.endProgress()
            if Console.isTerminal {
                let seconds = max(0.001, (clock.now - started).seconds)
                Console.note(
                    "wrote \(2 * files) files to \(out): \(files * recordsPerFile) events and as many status reports, "
                        + "\(formatBytes(written)) in \(String(format2: seconds)) s")
            }
        }
    }
}

/// Creates `path` and its missing parents, like `mkdir -p`.
private func makeDirectories(_ path: String) throws {
    do {
        try LocalObjectStore.makeDirectories(path)
    } catch {
        throw CommandError(message: error.description)
    }
}
