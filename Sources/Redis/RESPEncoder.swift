/// Writes RESP. Commands go to the server as arrays of bulk strings, so any argument (binary, with
/// CRLF inside) is safe; `encode(_:)` writes any value, for tests and fake servers.
public enum RESPEncoder {
    /// One command, e.g. ["XADD", "s", "*", "job_id", "42"].
    public static func command(_ arguments: [String]) -> [UInt8] {
        var out: [UInt8] = []
        appendCommand(arguments.map { Array($0.utf8) }, to: &out)
        return out
    }

    /// One command with binary arguments.
    public static func command(bytes arguments: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        appendCommand(arguments, to: &out)
        return out
    }

    public static func appendCommand(_ arguments: [[UInt8]], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 16 + arguments.reduce(0) { $0 + $1.count + 16 })
        appendHeader(UInt8(ascii: "*"), arguments.count, to: &out)
        for argument in arguments {
            appendHeader(UInt8(ascii: "$"), argument.count, to: &out)
            out.append(contentsOf: argument)
            out.append(13)
            out.append(10)
        }
    }

    /// Any value. Simple strings and errors must not hold CR or LF (RESP has no escape for them);
    /// use a bulk string for such text.
    public static func encode(_ value: RESPValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    public static func append(_ value: RESPValue, to out: inout [UInt8]) {
        switch value {
        case .simpleString(let text): appendLine(UInt8(ascii: "+"), text, to: &out)
        case .error(let text): appendLine(UInt8(ascii: "-"), text, to: &out)
        case .integer(let number): appendLine(UInt8(ascii: ":"), String(number), to: &out)
        case .bulkString(nil): appendLine(UInt8(ascii: "$"), "-1", to: &out)
        case .bulkString(let bytes?): appendBlob(UInt8(ascii: "$"), bytes, to: &out)
        case .array(nil): appendLine(UInt8(ascii: "*"), "-1", to: &out)
        case .array(let items?): appendAggregate(UInt8(ascii: "*"), items, to: &out)
        case .null: appendLine(UInt8(ascii: "_"), "", to: &out)
        case .boolean(let flag): appendLine(UInt8(ascii: "#"), flag ? "t" : "f", to: &out)
        case .double(let number):
            let text = number.isNaN ? "nan" : number.isInfinite ? (number < 0 ? "-inf" : "inf") : "\(number)"
            appendLine(UInt8(ascii: ","), text, to: &out)
        case .bigNumber(let digits): appendLine(UInt8(ascii: "("), digits, to: &out)
        case .verbatimString(let text): appendBlob(UInt8(ascii: "="), Array("txt:\(text)".utf8), to: &out)
        case .map(let pairs):
            appendHeader(UInt8(ascii: "%"), pairs.count, to: &out)
            for pair in pairs {
                append(pair.key, to: &out)
                append(pair.value, to: &out)
            }
        case .set(let items): appendAggregate(UInt8(ascii: "~"), items, to: &out)
        case .push(let items): appendAggregate(UInt8(ascii: ">"), items, to: &out)
        }
    }

    private static func appendAggregate(_ type: UInt8, _ items: [RESPValue], to out: inout [UInt8]) {
        appendHeader(type, items.count, to: &out)
        for item in items { append(item, to: &out) }
    }

    private static func appendBlob(_ type: UInt8, _ bytes: [UInt8], to out: inout [UInt8]) {
        appendHeader(type, bytes.count, to: &out)
        out.append(contentsOf: bytes)
        out.append(13)
        out.append(10)
    }

    private static func appendHeader(_ type: UInt8, _ count: Int, to out: inout [UInt8]) {
        appendLine(type, String(count), to: &out)
    }

    private static func appendLine(_ type: UInt8, _ text: String, to out: inout [UInt8]) {
        out.append(type)
        out.append(contentsOf: text.utf8)
        out.append(13)
        out.append(10)
    }
}
