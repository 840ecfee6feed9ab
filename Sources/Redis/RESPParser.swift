/// An incremental RESP parser: a pure state machine over bytes, no I/O. Feed it whatever arrived
/// (`append`), then take complete values (`next`) until it answers nil (it needs more bytes).
/// Aggregates under construction stay on a stack between calls, so a reply split into many reads
/// is parsed once, not again from its start.
///
/// Every size the peer controls is checked against `Limits` before anything is allocated for it;
/// a malformed or oversized reply throws a `RedisError` (`.protocolError`, `.limitExceeded`) with
/// the byte offset, and the parser stays failed: the byte stream cannot be trusted past that point.
public struct RESPParser: Sendable {
    public struct Limits: Sendable, Hashable {
        /// The longest bulk string (and blob error, verbatim string). Redis's own cap is 512 MiB.
        public var maxBulkLength: Int
        /// The most elements in one array, set or push; a map counts keys and values.
        public var maxAggregateCount: Int
        /// How deeply aggregates may nest.
        public var maxDepth: Int
        /// The longest header or simple line (simple strings, errors, numbers), without CRLF.
        public var maxLineLength: Int

        public init(
            maxBulkLength: Int = 512 * 1024 * 1024, maxAggregateCount: Int = 1 << 20, maxDepth: Int = 32,
            maxLineLength: Int = 64 * 1024
        ) {
            self.maxBulkLength = min(maxBulkLength, 512 * 1024 * 1024)
            self.maxAggregateCount = maxAggregateCount
            self.maxDepth = maxDepth
            self.maxLineLength = maxLineLength
        }
    }

    private enum AggregateKind: Sendable {
        case array, set, push, map
    }

    private struct Aggregate: Sendable {
        var kind: AggregateKind
        var remaining: Int
        var items: [RESPValue]
    }

    private enum Element {
        case value(RESPValue)
        case aggregateStarted
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    /// The next unread byte of `buffer`.
    private var position = 0
    /// Bytes already dropped from the front of `buffer`, so offsets count from the first byte ever fed.
    private var dropped = 0
    /// Where the search for the current line's CRLF stopped, so a long line arriving in pieces is
    /// scanned once.
    private var scannedUpTo = 0
    private var stack: [Aggregate] = []
    private var failure: RedisError?

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes received but not yet consumed by a complete value.
    public var bufferedByteCount: Int { buffer.count - position }

    /// Whether a value has been started and not finished (an open aggregate or buffered bytes).
    public var isMidValue: Bool { !stack.isEmpty || position < buffer.count }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete value, or nil when more bytes are needed.
    public mutating func next() throws(RedisError) -> RESPValue? {
        if let failure { throw failure }
        do {
            while true {
                guard let element = try parseElement() else {
                    compact()
                    return nil
                }
                guard case .value(var value) = element else { continue }
                // Fold the finished value into the open aggregates, closing each that is now full.
                while !stack.isEmpty {
                    let top = stack.count - 1
                    stack[top].items.append(value)
                    stack[top].remaining -= 1
                    guard stack[top].remaining == 0 else { break }
                    value = Self.finish(stack.removeLast())
                }
                if stack.isEmpty {
                    compact()
                    return value
                }
            }
        } catch {
            failure = error
            throw error
        }
    }

    private static func finish(_ aggregate: Aggregate) -> RESPValue {
        switch aggregate.kind {
        case .array: return .array(aggregate.items)
        case .set: return .set(aggregate.items)
        case .push: return .push(aggregate.items)
        case .map:
            var pairs: [RESPPair] = []
            pairs.reserveCapacity(aggregate.items.count / 2)
            var index = 0
            while index + 1 < aggregate.items.count {
                pairs.append(RESPPair(key: aggregate.items[index], value: aggregate.items[index + 1]))
                index += 2
            }
            return .map(pairs)
        }
    }

    private var offset: Int { dropped + position }

    private func protocolError(_ message: String, at offset: Int? = nil) -> RedisError {
        RedisError(.protocolError, message, offset: offset ?? self.offset)
    }

    private func limitError(_ message: String) -> RedisError {
        RedisError(.limitExceeded, message, offset: offset)
    }

    /// Finds the CRLF ending the line that starts at `position`; nil when it has not arrived.
    private mutating func lineEnd() throws(RedisError) -> Int? {
        var index = max(scannedUpTo, position)
        let end = buffer.count
        while index + 1 < end {
            if buffer[index] == 13 {  // \r
                guard buffer[index + 1] == 10 else { throw protocolError("a carriage return not followed by a line feed") }
                // The type byte does not count toward the line's length.
                guard index - position - 1 <= limits.maxLineLength else {
                    throw limitError("a line longer than \(limits.maxLineLength) bytes")
                }
                scannedUpTo = 0
                return index
            }
            index += 1
        }
        scannedUpTo = index
        guard end - position - 1 <= limits.maxLineLength + 1 else {
            throw limitError("a line longer than \(limits.maxLineLength) bytes")
        }
        return nil
    }

    /// Parses one element at `position`: a whole scalar, or the header of a non-empty aggregate
    /// (pushed on the stack). Consumes nothing and returns nil when its bytes are incomplete.
    private mutating func parseElement() throws(RedisError) -> Element? {
        guard let cr = try lineEnd() else { return nil }
        let type = buffer[position]
        let content = (position + 1)..<cr
        let afterLine = cr + 2
        switch type {
        case UInt8(ascii: "+"):
            return consumeLine(afterLine, .simpleString(text(content)))
        case UInt8(ascii: "-"):
            return consumeLine(afterLine, .error(text(content)))
        case UInt8(ascii: ":"):
            return consumeLine(afterLine, .integer(try integer(content)))
        case UInt8(ascii: "_"):
            guard content.isEmpty else { throw protocolError("a RESP3 null with content") }
            return consumeLine(afterLine, .null)
        case UInt8(ascii: "#"):
            guard content.count == 1, buffer[content.lowerBound] == UInt8(ascii: "t") || buffer[content.lowerBound] == UInt8(ascii: "f")
            else { throw protocolError("a RESP3 boolean that is neither t nor f") }
            return consumeLine(afterLine, .boolean(buffer[content.lowerBound] == UInt8(ascii: "t")))
        case UInt8(ascii: ","):
            guard !content.isEmpty, let value = Double(text(content)) else { throw protocolError("a RESP3 double that is not a number") }
            return consumeLine(afterLine, .double(value))
        case UInt8(ascii: "("):
            let digits = text(content)
            let body = digits.hasPrefix("-") || digits.hasPrefix("+") ? digits.dropFirst() : Substring(digits)
            guard !body.isEmpty, body.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                throw protocolError("a RESP3 big number that is not an integer")
            }
            return consumeLine(afterLine, .bigNumber(digits))
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            let length = try integer(content)
            if length == -1, type == UInt8(ascii: "$") { return consumeLine(afterLine, .bulkString(nil)) }
            guard length >= 0 else { throw protocolError("a negative string length") }
            guard length <= limits.maxBulkLength else {
                throw limitError("a string of \(length) bytes (the limit is \(limits.maxBulkLength))")
            }
            let count = Int(length)
            guard buffer.count - afterLine >= count + 2 else { return nil }
            guard buffer[afterLine + count] == 13, buffer[afterLine + count + 1] == 10 else {
                throw protocolError("a string not followed by CRLF", at: dropped + afterLine + count)
            }
            let bytes = Array(buffer[afterLine..<(afterLine + count)])
            let value: RESPValue
            switch type {
            case UInt8(ascii: "$"): value = .bulkString(bytes)
            case UInt8(ascii: "!"): value = .error(String(decoding: bytes, as: UTF8.self))
            default:
                guard bytes.count >= 4, bytes[3] == UInt8(ascii: ":") else {
                    throw protocolError("a RESP3 verbatim string without its format prefix")
                }
                value = .verbatimString(String(decoding: bytes[4...], as: UTF8.self))
            }
            return consumeLine(afterLine + count + 2, value)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"):
            let declared = try integer(content)
            if declared == -1, type == UInt8(ascii: "*") { return consumeLine(afterLine, .array(nil)) }
            guard declared >= 0 else { throw protocolError("a negative element count") }
            let isMap = type == UInt8(ascii: "%")
            let elements = isMap ? declared.multipliedReportingOverflow(by: 2) : (partialValue: declared, overflow: false)
            guard !elements.overflow, elements.partialValue <= limits.maxAggregateCount else {
                throw limitError("an aggregate of \(declared) elements (the limit is \(limits.maxAggregateCount))")
            }
            let kind: AggregateKind =
                switch type {
                case UInt8(ascii: "*"): .array
                case UInt8(ascii: "~"): .set
                case UInt8(ascii: ">"): .push
                default: .map
                }
            if elements.partialValue == 0 {
                return consumeLine(afterLine, Self.finish(Aggregate(kind: kind, remaining: 0, items: [])))
            }
            guard stack.count < limits.maxDepth else {
                throw limitError("aggregates nested deeper than \(limits.maxDepth)")
            }
            let count = Int(elements.partialValue)
            var items: [RESPValue] = []
            items.reserveCapacity(min(count, 1024))  // the count is the peer's word: grow past this as items arrive
            stack.append(Aggregate(kind: kind, remaining: count, items: items))
            position = afterLine
            return .aggregateStarted
        case UInt8(ascii: "|"):
            throw protocolError("RESP3 attributes are not supported")
        default:
            throw protocolError("unknown RESP type byte \(type)")
        }
    }

    private mutating func consumeLine(_ next: Int, _ value: RESPValue) -> Element {
        position = next
        return .value(value)
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: buffer[range], as: UTF8.self)
    }

    /// A signed decimal Int64, strictly: an optional sign and at least one digit, nothing else.
    private func integer(_ range: Range<Int>) throws(RedisError) -> Int64 {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, buffer[index] == UInt8(ascii: "-") || buffer[index] == UInt8(ascii: "+") {
            negative = buffer[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < range.upperBound else { throw protocolError("a number without digits") }
        var value: Int64 = 0
        while index < range.upperBound {
            let byte = buffer[index]
            guard byte >= 48, byte <= 57 else { throw protocolError("a number with a non-digit") }
            let digit = Int64(byte - 48)
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negatively so Int64.min fits.
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw protocolError("a number beyond 64 bits") }
            value = next
            index += 1
        }
        return value
    }

    /// Drops consumed bytes once they are worth moving.
    private mutating func compact() {
        guard position > 0 else { return }
        if position == buffer.count {
            dropped += position
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            position = 0
            scannedUpTo = 0
        } else if position >= 4096, position * 2 >= buffer.count {
            dropped += position
            if scannedUpTo > 0 { scannedUpTo -= position }
            buffer.removeFirst(position)
            position = 0
        }
    }
}
