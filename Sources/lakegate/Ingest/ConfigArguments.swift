import ArgumentParser
import Foundation
import Ingestion
import LakegateConfiguration

/// `--config` for every ingestion command: lakegate.yaml, else the embedded defaults under
/// `--data-dir` (a DuckLake and zones in ./lakegate-data, clamd on 127.0.0.1:3310).
struct ConfigArguments: ParsableArguments {
    @Option(help: ArgumentHelp("The configuration file (default: ./lakegate.yaml when it exists, else the embedded defaults).", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("The data folder of the embedded defaults, when there is no configuration file.", valueName: "dir"))
    var dataDir: String = "lakegate-data"

    @Option(help: ArgumentHelp("clamd's address, overriding the configuration: unix:/path or tcp://host:port.", valueName: "address"))
    var clamd: String?

    func load() throws -> LakegateConfiguration {
        var configuration: LakegateConfiguration
        if let config {
            configuration = try LakegateConfiguration.load(path: config)
        } else if FileManager.default.fileExists(atPath: "lakegate.yaml") {
            configuration = try LakegateConfiguration.load(path: "lakegate.yaml")
        } else {
            configuration = LakegateConfiguration(dataDirectory: dataDir)
        }
        if let clamd {
            guard let address = ClamdAddress(parsing: clamd) else {
                throw ValidationError("--clamd takes unix:/path or tcp://host:port, not '\(clamd)'")
            }
            configuration.scanner.clamd = address
        }
        return configuration
    }

    /// Runs `body` with an open runtime, closed afterwards whatever happens; errors become one
    /// line on standard error.
    func withRuntime(_ body: (Runtime) async throws -> Void) async throws {
        try await reportingErrors {
            let runtime = try await Runtime.open(try load())
            do {
                try await body(runtime)
            } catch {
                await runtime.close()
                throw error
            }
            await runtime.close()
        }
    }
}

/// SIGTERM and SIGINT set the flag (the first time; a second SIGINT ends the process at once).
enum StopSignals {
    nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []

    static func install(_ flag: StopFlag) {
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if flag.isSet && signalNumber == SIGINT { exit(130) }
                Console.note("stopping: finishing the jobs in hand (Ctrl-C again to quit at once)")
                flag.set()
            }
            source.resume()
            sources.append(source)
        }
    }
}
