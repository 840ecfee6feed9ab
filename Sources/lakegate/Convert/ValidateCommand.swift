import ArgumentParser
import Columnar
import FileFormats

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check that files read cleanly, without writing anything.",
        discussion: """
            Reads each file as `convert` would (same format, schema and CSV options) and reports \
            every bad record with its file, line, byte offset and reason, up to --max-report. \
            Exit status 0 when every file is valid, 1 otherwise.

            Examples:
              lakegate validate events.ndjson
              lakegate validate lineitem.csv --delimiter '|' --no-header
            """
    )

    @Argument(help: "Files to check.", completion: .file())
    var files: [String]

    @OptionGroup var read: InputReadArguments

    @Option(help: "Bad records reported at most per file.")
    var maxReport = 20

    func run() throws {
        var failed = false
        let explicit: Schema?
        do {
            explicit = try read.explicitSchema()
        } catch {
            Console.error("\(error)")
            throw ExitCode(1)
        }
        for path in files {
            let badRecords = try BadRecordLog(policy: BadRecordPolicy(maxErrors: .max))
            var records = 0
            do {
                let producer = try read.producer(for: path, explicit: explicit, badRecords: badRecords)
                try producer.run { _ in }
                records = producer.progress.records
            } catch {
                Console.error("\(path): \(error)")
                failed = true
                continue
            }
            if badRecords.count > 0 {
                failed = true
                for error in badRecords.reported.prefix(maxReport) { Console.error("\(error.with(path: path))") }
                if badRecords.count > maxReport { Console.error("\(path): \(badRecords.count - maxReport) more bad records") }
                Console.note("\(path): \(badRecords.count) of \(records) records are bad")
            } else if Console.isTerminal {
                Console.note("\(path): valid, \(records) records")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
