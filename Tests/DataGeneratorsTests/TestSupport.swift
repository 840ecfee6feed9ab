import Foundation

/// FNV-1a over bytes: a fingerprint for pinning generated output.
func fingerprint(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Splits NDJSON into lines (without their line ends).
func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
}

func parseObject(_ bytes: some Collection<UInt8>) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
    guard let object = value as? [String: Any] else { throw TestFailure("not a JSON object: \(text(Array(bytes)))") }
    return object
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Whether a JSON value is a number (JSONSerialization gives numbers and booleans as
/// NSNumber; booleans have the type code "c").
func isNumber(_ value: Any?) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) != "c"
}

func isBool(_ value: Any?) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c"
}

func isString(_ value: Any?) -> Bool { value is String }

func isNull(_ value: Any?) -> Bool { value is NSNull }

/// Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS.mmmZ`.
func milliseconds(_ iso: String) -> Int? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: iso).map { Int(($0.timeIntervalSince1970 * 1000).rounded()) }
}

/// The milliseconds of a JSON value that must be an ISO-8601 UTC timestamp string.
func time(_ value: Any?) throws -> Int {
    guard let string = value as? String, let result = milliseconds(string) else {
        throw TestFailure("not a timestamp: \(String(describing: value))")
    }
    return result
}
