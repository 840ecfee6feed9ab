#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered writes to standard output, flushed in large blocks (printing row by row through
/// `print` would dominate the cost of `cat`).
struct StandardOutput {
    private var buffer: [UInt8] = []
    private let threshold = 1 << 16

    mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= threshold { flush() }
    }

    mutating func write(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        if buffer.count >= threshold { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + done, raw.count - done)
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    // The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
                    exit(0)
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Messages for people: to standard error, and progress only when it is a terminal.
enum Console {
    static let isTerminal = isatty(2) != 0

    static func error(_ message: String) {
        FileHandleStandardError.write("lakegate: error: \(message)\n")
    }

    static func note(_ message: String) {
        FileHandleStandardError.write(message + "\n")
    }

    /// Rewrites one status line in place on a terminal; silent otherwise.
    static func progress(_ message: String) {
        guard isTerminal else { return }
        FileHandleStandardError.write("\r\u{1B}[2K" + message)
    }

    /// Bytes to standard output, all of them (a closed pipe ends the process quietly).
    static func writeOut(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    exit(errno == EPIPE ? 0 : 1)
                }
                offset += written
            }
        }
    }

    static func endProgress() {
        guard isTerminal else { return }
        FileHandleStandardError.write("\r\u{1B}[2K")
    }
}

enum FileHandleStandardError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
    }
}

/// Human-readable byte counts: 1.5 MiB.
func formatBytes(_ count: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(count)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if unit == 0 { return "\(count) B" }
    let rounded = (value * 10).rounded() / 10
    return "\(rounded) \(units[unit])"
}

/// Parses sizes such as `128MiB`, `64M`, `1048576`, `1.5GB` (K/M/G are binary multiples).
func parseByteSize(_ text: String) -> Int? {
    let lower = text.lowercased().trimmingCharacters(in: " ")
    let multipliers: [(String, Double)] = [
        ("gib", 1_073_741_824), ("gb", 1_073_741_824), ("g", 1_073_741_824),
        ("mib", 1_048_576), ("mb", 1_048_576), ("m", 1_048_576),
        ("kib", 1024), ("kb", 1024), ("k", 1024), ("b", 1),
    ]
    for (suffix, multiplier) in multipliers where lower.hasSuffix(suffix) {
        guard let number = Double(lower.dropLast(suffix.count)), number > 0 else { return nil }
        return Int(number * multiplier)
    }
    return Int(lower).flatMap { $0 > 0 ? $0 : nil }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice = slice.dropFirst() }
        while slice.last == set { slice = slice.dropLast() }
        return String(slice)
    }
}

/// A command that cannot do its work, with the reason for the user (exit status 1).
struct CommandError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
