/// Writes indented JSON (two spaces), the way people and many exporters print it: the caller
/// says where keys, elements and containers begin and end and appends the scalars to `bytes`.
struct PrettyJSON {
    var bytes: [UInt8] = []
    private var depth = 0
    private var first = true

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Starts a member of the current object: separator, line break, indentation, `"name": `.
    mutating func key(_ name: StaticString) {
        element()
        bytes.append(UInt8(ascii: "\""))
        bytes.ascii(name)
        bytes.ascii("\": ")
    }

    /// Starts an element of the current array.
    mutating func element() {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        newline()
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Ends the document with a line break.
    mutating func finish() {
        precondition(depth == 0, "unclosed container")
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
        first = true
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        if !first { newline() }  // an empty container stays on one line: {} or []
        first = false
        bytes.append(bracket)
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<depth { bytes.ascii("  ") }
    }
}
