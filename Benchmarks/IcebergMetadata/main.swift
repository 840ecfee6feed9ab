// Reads and writes Iceberg metadata files as a commit does (TableMetadata(jsonBytes:), then
// jsonBytes), and the same through a full JSON parse and print (how every commit did it before
// the lists that grow with history were read from their text): microseconds per file.
//
//     iceberg-metadata-bench FILE… [--rounds N]
import Foundation
import Iceberg

var paths: [String] = []
var roundsGiven: Int?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--rounds", let value = arguments.popFirst().flatMap({ Int($0) }) { roundsGiven = value } else { paths.append(argument) }
}
let rounds = max(1, roundsGiven ?? 2000)
guard !paths.isEmpty else {
    FileHandle.standardError.write(Data("usage: iceberg-metadata-bench FILE… [--rounds N]\n".utf8))
    exit(2)
}

/// The median over five runs of `rounds` calls, in microseconds per call.
func microseconds(rounds: Int, _ body: () throws -> Int) rethrows -> Double {
    var runs: [Double] = []
    var sink = 0
    for _ in 0..<5 {
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<rounds { sink &+= try body() }
        let elapsed = clock.now - start
        runs.append((Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(rounds))
    }
    if sink == 42 { print("") }  // uses the results, so the work is not optimized away
    return runs.sorted()[2]
}

print("file                                  bytes  snapshots  read+write µs  full parse+print µs")
for path in paths {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    let snapshots = try TableMetadata(jsonBytes: bytes).snapshots.count
    let ours = try microseconds(rounds: rounds) { try TableMetadata(jsonBytes: bytes).jsonBytes.count }
    let full = try microseconds(rounds: rounds) { try TableMetadata(json: try IcebergJSON.parse(bytes)).json.bytes.count }
    let name = URL(fileURLWithPath: path).lastPathComponent.prefix(36)
    print(
        "\(name.padding(toLength: 36, withPad: " ", startingAt: 0)) \(String(bytes.count).leftPadded(7)) "
            + "\(String(snapshots).leftPadded(10)) \(String(format: "%14.1f", ours)) \(String(format: "%20.1f", full))")
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
