import Testing

@testable import JSONFormat

// MARK: Visitors

/// One parse event, with strings copied out.
enum Event: Hashable, CustomStringConvertible {
    case beginObject, endObject, beginArray, endArray
    case key([UInt8])
    case string([UInt8])
    case number(String, JSONNumberKind)
    case bool(Bool)
    case null

    static func key(_ s: String) -> Event { .key(Array(s.utf8)) }
    static func string(_ s: String) -> Event { .string(Array(s.utf8)) }
    static func int(_ s: String) -> Event { .number(s, .integer) }
    static func decimal(_ s: String) -> Event { .number(s, .decimal) }

    var description: String {
        switch self {
        case .beginObject: "{"
        case .endObject: "}"
        case .beginArray: "["
        case .endArray: "]"
        case .key(let k): "key(\(String(decoding: k, as: UTF8.self)))"
        case .string(let s): "string(\(String(decoding: s, as: UTF8.self)))"
        case .number(let n, let kind): "\(kind)(\(n))"
        case .bool(let b): "\(b)"
        case .null: "null"
        }
    }
}

/// Records every event.
struct Recorder: JSONVisitor {
    var events: [Event] = []
    mutating func beginObject() { events.append(.beginObject) }
    mutating func key(_ utf8: UnsafeRawBufferPointer) { events.append(.key(Array(utf8))) }
    mutating func endObject() { events.append(.endObject) }
    mutating func beginArray() { events.append(.beginArray) }
    mutating func endArray() { events.append(.endArray) }
    mutating func string(_ utf8: UnsafeRawBufferPointer) { events.append(.string(Array(utf8))) }
    mutating func number(_ text: UnsafeRawBufferPointer, kind: JSONNumberKind) {
        events.append(.number(String(decoding: text, as: UTF8.self), kind))
    }
    mutating func bool(_ value: Bool) { events.append(.bool(value)) }
    mutating func null() { events.append(.null) }
}

/// Tallies values and keeps strings, keys and numbers for comparison.
struct Tally: JSONVisitor {
    var objects = 0, arrays = 0, trues = 0, falses = 0, nulls = 0
    var keys: [String] = []
    var strings: [String] = []
    var numbers: [Double] = []
    var integers = 0, decimals = 0
    mutating func beginObject() { objects += 1 }
    mutating func key(_ utf8: UnsafeRawBufferPointer) { keys.append(String(decoding: utf8, as: UTF8.self)) }
    mutating func endObject() {}
    mutating func beginArray() { arrays += 1 }
    mutating func endArray() {}
    mutating func string(_ utf8: UnsafeRawBufferPointer) { strings.append(String(decoding: utf8, as: UTF8.self)) }
    mutating func number(_ text: UnsafeRawBufferPointer, kind: JSONNumberKind) {
        numbers.append(Double(String(decoding: text, as: UTF8.self))!)
        if kind == .integer { integers += 1 } else { decimals += 1 }
    }
    mutating func bool(_ value: Bool) { if value { trues += 1 } else { falses += 1 } }
    mutating func null() { nulls += 1 }
}

// MARK: Helpers

/// The events of parsing `bytes` with a fresh parser.
func events(_ bytes: [UInt8], limits: JSONLimits = .init()) throws -> [Event] {
    var parser = JSONParser(limits: limits)
    var recorder = Recorder()
    try bytes.withUnsafeBytes { try parser.parse($0, into: &recorder) }
    return recorder.events
}

func events(_ text: String, limits: JSONLimits = .init()) throws -> [Event] {
    try events(Array(text.utf8), limits: limits)
}

/// The JSONError thrown when parsing `bytes`, or nil (recording an issue for other errors).
func parseError(
    _ bytes: [UInt8], limits: JSONLimits = .init(), baseOffset: Int = 0, baseLine: Int = 1,
    baseColumn: Int = 1
) -> JSONError? {
    var parser = JSONParser(limits: limits)
    var recorder = Recorder()
    do {
        try bytes.withUnsafeBytes {
            try parser.parse($0, baseOffset: baseOffset, baseLine: baseLine, baseColumn: baseColumn, into: &recorder)
        }
        return nil
    } catch let error as JSONError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

func parseError(_ text: String, limits: JSONLimits = .init()) -> JSONError? {
    parseError(Array(text.utf8), limits: limits)
}

/// A record as plain values, for comparisons.
struct FramedRecord: Hashable, CustomStringConvertible {
    var text: String
    var offset: Int
    var line: Int
    var column: Int
    var description: String { "\(offset)@\(line):\(column) \(text)" }
}

/// Frames `input` fed in chunks cut at `cuts` (ascending positions), returning the records and
/// the error, if any.
func frame(
    _ input: [UInt8], layout: JSONLayout, limits: JSONLimits = .init(), cuts: [Int] = []
) -> (records: [FramedRecord], error: JSONError?) {
    var framer = JSONRecordFramer(layout: layout, limits: limits)
    var records: [FramedRecord] = []
    func take(_ record: JSONRecord) {
        records.append(
            FramedRecord(
                text: String(decoding: record.bytes, as: UTF8.self), offset: record.offset,
                line: record.line, column: record.column))
    }
    do {
        var start = 0
        for end in cuts + [input.count] where end >= start {
            input[start..<end].withUnsafeBytes { framer.append($0) }
            start = end
            while let record = try framer.nextRecord() { take(record) }
        }
        try framer.finish()
        while let record = try framer.nextRecord() { take(record) }
        return (records, nil)
    } catch let error as JSONError {
        return (records, error)
    } catch {
        Issue.record("unexpected error \(error)")
        return (records, nil)
    }
}

func frame(_ text: String, layout: JSONLayout, limits: JSONLimits = .init(), cuts: [Int] = [])
    -> (records: [FramedRecord], error: JSONError?)
{
    frame(Array(text.utf8), layout: layout, limits: limits, cuts: cuts)
}

/// The shared conformance data, found from this file: `<package>/../shared/conformance/json`.
let conformanceDirectory: String = {
    var path = "\(#filePath)"
    for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }  // the package root
    return path + "/../shared/conformance/json"
}()

/// A deterministic random number generator (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
