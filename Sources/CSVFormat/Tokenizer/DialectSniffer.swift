extension CSVTokenizer {
    /// The candidate delimiters `sniffDialect` chooses among, in order of preference on a tie.
    public static let sniffedDelimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")]

    /// Guesses the delimiter of a CSV text from its first bytes (a few KiB is plenty).
    ///
    /// The rule: for each of `,` `\t` `;` `|`, the prefix is tokenized with RFC 4180 quoting (`"`)
    /// and that delimiter, over its first 100 complete records (a record cut by the prefix's end
    /// is left out, unless the prefix holds no line end at all, then its one line is read). A
    /// candidate is out if the quoting breaks (a quote closed mid-field) or it never appears
    /// outside quotes. Each remaining one is scored by its most common nonzero count per record
    /// (the mode; ties go to the larger count) and by how many records have that count; the
    /// candidate whose mode the most records share wins, then the one with the larger mode, then
    /// the earlier in the list above. Nil when no candidate appears: the caller picks its default.
    ///
    /// The returned dialect is `CSVDialect()` with that delimiter: `hasHeader` stays true.
    public static func sniffDialect(_ prefix: UnsafeRawBufferPointer) -> CSVDialect? {
        var best: (delimiter: UInt8, agreeing: Int, count: Int)?
        for delimiter in sniffedDelimiters {
            guard let counts = delimiterCounts(prefix, delimiter: delimiter, limit: 100) else { continue }
            var frequency: [Int: Int] = [:]
            for count in counts where count > 0 { frequency[count, default: 0] += 1 }
            guard let mode = frequency.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }) else { continue }
            if let current = best, (current.agreeing, current.count) >= (mode.value, mode.key) { continue }
            best = (delimiter, mode.value, mode.key)
        }
        return best.map { CSVDialect(delimiter: $0.delimiter) }
    }

    private struct EnoughRecords: Error {}

    /// Delimiters outside quotes in each of the first `limit` records, or nil if quoting breaks.
    private static func delimiterCounts(_ prefix: UnsafeRawBufferPointer, delimiter: UInt8, limit: Int) -> [Int]? {
        var counts: [Int] = []
        var tokenizer = CSVTokenizer(dialect: CSVDialect(delimiter: delimiter, maxFieldBytes: Int.max >> 2))
        let collect: (borrowing CSVRecord) throws -> Void = { record in
            counts.append(record.count - 1)
            if counts.count >= limit { throw EnoughRecords() }
        }
        do {
            try tokenizer.feed(prefix, collect)
            // A prefix without any line end is one (possibly cut) line: take it as it is.
            if counts.isEmpty { try tokenizer.finish(collect) }
        } catch is EnoughRecords {
        } catch {
            return nil
        }
        return counts
    }
}
