import CSVFormat

/// One record as the tests compare it.
struct Rec: Hashable, CustomStringConvertible {
    var fields: [[UInt8]]
    var quoted: [Bool]
    var line: Int
    var offset: Int
    var index: Int

    init(_ record: borrowing CSVRecord) {
        fields = record.copyFields()
        quoted = []
        for i in 0..<record.count { quoted.append(record.wasQuoted(i)) }
        line = record.line
        offset = record.offset
        index = record.index
    }

    init(fields: [[UInt8]], quoted: [Bool], line: Int, offset: Int, index: Int) {
        self.fields = fields
        self.quoted = quoted
        self.line = line
        self.offset = offset
        self.index = index
    }

    var strings: [String] { fields.map { String(decoding: $0, as: UTF8.self) } }

    var description: String { "#\(index) line \(line) @\(offset) \(strings) quoted \(quoted)" }
}

/// Everything a tokenizer reported for an input: its records, then the error that stopped it.
struct Outcome: Hashable, CustomStringConvertible {
    var records: [Rec] = []
    var error: CSVError?

    var strings: [[String]] { records.map(\.strings) }

    var description: String {
        records.map(\.description).joined(separator: "\n") + (error.map { "\nerror: \($0)" } ?? "")
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Tokenizes `input` fed in pieces that end at `cuts` (sorted offsets), then finishes.
func tokenize(_ input: [UInt8], _ dialect: CSVDialect = CSVDialect(), cuts: [Int] = []) -> Outcome {
    var outcome = Outcome()
    var tokenizer = CSVTokenizer(dialect: dialect)
    let collect: (borrowing CSVRecord) throws -> Void = { outcome.records.append(Rec($0)) }
    do {
        try input.withUnsafeBytes { all in
            var start = 0
            for cut in cuts + [input.count] where cut >= start {
                try tokenizer.feed(UnsafeRawBufferPointer(rebasing: all[start..<cut]), collect)
                start = cut
            }
        }
        try tokenizer.finish(collect)
    } catch let error as CSVError {
        outcome.error = error
    } catch {
        fatalError("unexpected \(error)")
    }
    return outcome
}

/// Tokenizes `input` one byte at a time.
func tokenizeBytewise(_ input: [UInt8], _ dialect: CSVDialect = CSVDialect()) -> Outcome {
    tokenize(input, dialect, cuts: Array(0..<input.count))
}

/// Deterministic pseudo-random numbers (SplitMix64).
struct SplitMix: RandomNumberGenerator {
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

/// A deliberately plain reading of the documented rules, one byte at a time over the whole
/// input, to check the streaming tokenizer against.
func referenceTokenize(_ input: [UInt8], _ dialect: CSVDialect) -> Outcome {
    let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
    let delimiter = dialect.delimiter
    let quote = dialect.quote
    let escape = dialect.escape == dialect.quote ? nil : dialect.escape
    let maxField = dialect.maxFieldBytes
    let maxRecord = max(dialect.maxRecordBytes, dialect.maxFieldBytes)
    let n = input.count
    var outcome = Outcome()
    var i = input.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    var line = 1

    func fail(_ code: CSVError.Code, line: Int, offset: Int, column: Int) -> Outcome {
        var result = outcome
        result.error = CSVError(code, "", line: line, offset: offset, column: column)
        return result
    }

    while i < n {
        if input[i] == lf {
            line += 1
            i += 1
            continue
        }
        if input[i] == cr {
            line += 1
            i += 1
            if i < n, input[i] == lf { i += 1 }
            continue
        }
        let recordStart = i
        let recordLine = line
        var fields: [[UInt8]] = []
        var quotedFlags: [Bool] = []
        while true {
            let fieldStart = i
            let fieldLine = line
            var value: [UInt8] = []
            var quoted = false
            if let quote, i < n, input[i] == quote {
                quoted = true
                i += 1
                scan: while true {
                    if i >= n {
                        if n - fieldStart > maxField {
                            return fail(.fieldTooLong, line: fieldLine, offset: recordStart, column: fields.count + 1)
                        }
                        return fail(.unterminatedQuote, line: fieldLine, offset: recordStart, column: fields.count + 1)
                    }
                    let b = input[i]
                    if b == quote {
                        if i + 1 < n, input[i + 1] == quote {
                            value.append(quote)
                            i += 2
                        } else if i + 1 >= n || input[i + 1] == delimiter || input[i + 1] == lf || input[i + 1] == cr {
                            i += 1
                            break scan
                        } else {
                            if i + 2 - fieldStart > maxField {
                                return fail(.fieldTooLong, line: fieldLine, offset: recordStart, column: fields.count + 1)
                            }
                            return fail(.invalidQuote, line: line, offset: recordStart, column: fields.count + 1)
                        }
                    } else if let escape, b == escape {
                        if i + 1 >= n {
                            if n - fieldStart > maxField {
                                return fail(.fieldTooLong, line: fieldLine, offset: recordStart, column: fields.count + 1)
                            }
                            return fail(.unterminatedQuote, line: fieldLine, offset: recordStart, column: fields.count + 1)
                        }
                        if input[i + 1] == lf || input[i + 1] == cr { line += 1 }
                        value.append(input[i + 1])
                        i += 2
                    } else {
                        if b == cr || (b == lf && input[i - 1] != cr) { line += 1 }
                        value.append(b)
                        i += 1
                    }
                }
            } else {
                while i < n, input[i] != delimiter, input[i] != lf, input[i] != cr {
                    value.append(input[i])
                    i += 1
                }
            }
            if i - fieldStart > maxField {
                return fail(.fieldTooLong, line: fieldLine, offset: recordStart, column: fields.count + 1)
            }
            if i - recordStart > maxRecord {
                return fail(.recordTooLong, line: line, offset: recordStart, column: fields.count + 1)
            }
            fields.append(value)
            quotedFlags.append(quoted)
            if i < n, input[i] == delimiter {
                if fields.count >= dialect.maxFieldsPerRecord {
                    return fail(.tooManyFields, line: line, offset: recordStart, column: dialect.maxFieldsPerRecord + 1)
                }
                i += 1
                continue
            }
            break
        }
        outcome.records.append(Rec(fields: fields, quoted: quotedFlags, line: recordLine, offset: recordStart,
                                   index: outcome.records.count))
        if i < n {
            if input[i] == cr, i + 1 < n, input[i + 1] == lf { i += 1 }
            i += 1
            line += 1
        }
    }
    return outcome
}

/// Whether two outcomes agree, errors compared by code and location (not wording).
func sameOutcome(_ a: Outcome, _ b: Outcome) -> Bool {
    guard a.records == b.records else { return false }
    switch (a.error, b.error) {
    case (nil, nil): return true
    case let (x?, y?): return x.code == y.code && x.line == y.line && x.offset == y.offset && x.column == y.column
    default: return false
    }
}
