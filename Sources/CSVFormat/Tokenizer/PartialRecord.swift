/// Follows a record that a chunk boundary cut, one byte at a time, across as many chunks as it
/// takes: it finds where the record ends and raises the errors that its bytes so far already
/// prove (a field or record past its bound, too many fields, a bad closing quote), identical to
/// those `scanRecords` raises for the same record in one piece, so that the tokenizer's buffered
/// tail stays bounded. Only cut records pass through here, so speed matters little.
struct PartialRecord {
    enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted, escapeInQuoted
    }

    /// Input offset of the record's first byte.
    let offset: Int
    /// Current physical line.
    var line: Int
    /// Line where the current field starts.
    var fieldLine: Int
    /// Fields ended so far.
    var fieldCount = 0
    var fieldBytes = 0
    var recordBytes = 0
    var state = State.fieldStart
    /// The previous byte inside quotes was a CR (an LF after it ends no new line).
    var previousCR = false

    init(offset: Int, line: Int) {
        self.offset = offset
        self.line = line
        self.fieldLine = line
    }

    /// Takes `base[start..<end]`; returns the position just after the record's terminator, or
    /// nil when all of it belongs to the record.
    mutating func advance(_ base: UnsafeRawPointer, from start: Int, to end: Int,
                          _ engine: TokenizerEngine) throws(CSVError) -> Int? {
        let delimiter = engine.delimiter
        let quote = engine.quoteKey
        let escape = engine.escapeKey
        var i = start
        while i < end {
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            i += 1
            switch state {
            case .fieldStart, .unquoted:
                if b == delimiter || b == lfByte || b == crByte {
                    if try endField(terminator: b, engine) { return i }
                } else {
                    if state == .fieldStart {
                        fieldLine = line
                        state = UInt16(b) == quote ? .quoted : .unquoted
                        previousCR = false
                    }
                    try count(engine)
                }
            case .quoted:
                try count(engine)
                if UInt16(b) == quote {
                    state = .quoteInQuoted
                } else if UInt16(b) == escape {
                    state = .escapeInQuoted
                } else if b == lfByte {
                    if !previousCR { line += 1 }
                } else if b == crByte {
                    line += 1
                }
                previousCR = b == crByte
            case .escapeInQuoted:
                try count(engine)
                if b == lfByte || b == crByte { line += 1 }
                previousCR = b == crByte
                state = .quoted
            case .quoteInQuoted:
                if UInt16(b) == quote {
                    try count(engine)
                    previousCR = false
                    state = .quoted
                } else if b == delimiter || b == lfByte || b == crByte {
                    if try endField(terminator: b, engine) { return i }
                } else {
                    try count(engine)
                    throw .invalidQuote(line: line, offset: offset, column: fieldCount + 1)
                }
            }
        }
        return nil
    }

    /// One more byte in the current field.
    private mutating func count(_ engine: TokenizerEngine) throws(CSVError) {
        fieldBytes += 1
        recordBytes += 1
        if fieldBytes > engine.maxFieldBytes {
            throw .fieldTooLong(limit: engine.maxFieldBytes, line: fieldLine, offset: offset, column: fieldCount + 1)
        }
    }

    /// A delimiter or line end; returns whether the record ended.
    private mutating func endField(terminator: UInt8, _ engine: TokenizerEngine) throws(CSVError) -> Bool {
        if recordBytes > engine.maxRecordBytes {
            throw .recordTooLong(limit: engine.maxRecordBytes, line: line, offset: offset, column: fieldCount + 1)
        }
        fieldCount += 1
        if terminator != engine.delimiter { return true }
        if fieldCount >= engine.maxFields {
            throw .tooManyFields(limit: engine.maxFields, line: line, offset: offset)
        }
        recordBytes += 1
        fieldBytes = 0
        state = .fieldStart
        return false
    }
}
