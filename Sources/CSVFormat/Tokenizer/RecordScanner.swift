// The hot loop: records that lie wholly in one buffer, scanned in place.
//
// Unquoted fields are found 8 bytes at a time: one word gives a mask of its delimiters, CRs and
// LFs, and the mask is carried from field to field until its bits run out. A quote matters only
// as a field's first byte, so it is checked there, byte by byte; a quoted field is then searched
// for its quote, escape, CR and LF bytes (line ends inside quotes are data, but are counted so
// that lines stay physical). Fields are written as (offset, length) slots; only a quoted field
// with doubled quotes or escapes is copied, unescaped, into the scratch buffer.

extension TokenizerEngine {
    /// Scans the records of `base[start..<end]` (byte 0 at input offset `chunkOffset`), calling
    /// `body` for each. Returns where the first incomplete record starts, or `end`. At the end of
    /// the input (`atEnd`), the buffer's end also ends the last record.
    func scanRecords(_ base: UnsafeRawPointer, from start: Int, to end: Int, atEnd: Bool, chunkOffset: Int,
                     _ body: (borrowing CSVRecord) throws -> Void) throws -> Int {
        let delimiter = self.delimiter
        let quoteKey = self.quoteKey
        let delimiterPattern = self.delimiterPattern
        let lfPattern = broadcast(lfByte)
        let crPattern = broadcast(crByte)
        let maxFieldBytes = self.maxFieldBytes
        let maxRecordBytes = self.maxRecordBytes
        let hasHeader = self.hasHeader
        var slots = self.slots
        var slotLimit = min(slotCapacity, maxFields)
        var line = self.line
        var p = start

        if pendingCR, p < end {
            if base.load(fromByteOffset: p, as: UInt8.self) == lfByte { p &+= 1 }
            pendingCR = false
        }

        while true {
            // Blank lines are skipped.
            while p < end {
                let b = base.load(fromByteOffset: p, as: UInt8.self)
                if b == lfByte {
                    line &+= 1
                    p &+= 1
                } else if b == crByte {
                    line &+= 1
                    p &+= 1
                    if p < end {
                        if base.load(fromByteOffset: p, as: UInt8.self) == lfByte { p &+= 1 }
                    } else {
                        pendingCR = true
                    }
                } else {
                    break
                }
            }
            if p >= end {
                self.line = line
                return end
            }

            let recordStart = p
            let recordLine = line
            var fieldCount = 0
            var scratchUsed = 0
            // The word at `wordStart` whose unvisited delimiter/CR/LF lanes are `mask`; the next
            // word to load starts at `next`.
            var next = p
            var wordStart = p
            var mask: UInt64 = 0

            while true {
                let fieldStart = p
                let terminator: Int
                if p < end, UInt16(base.load(fromByteOffset: p, as: UInt8.self)) == quoteKey {
                    // A quoted field.
                    let fieldLine = line
                    var contentEnd = 0
                    var escaped = false
                    var q = p &+ 1
                    quoted: while true {
                        q = findQuotedSpecial(base, from: q, to: end)
                        if q >= end {
                            if !atEnd {
                                self.line = recordLine
                                return recordStart
                            }
                            if end &- fieldStart > maxFieldBytes {
                                throw CSVError.fieldTooLong(limit: maxFieldBytes, line: fieldLine,
                                                            offset: chunkOffset &+ recordStart, column: fieldCount &+ 1)
                            }
                            throw CSVError.unterminatedQuote(line: fieldLine, offset: chunkOffset &+ recordStart,
                                                             column: fieldCount &+ 1)
                        }
                        let b = base.load(fromByteOffset: q, as: UInt8.self)
                        if UInt16(b) == quoteKey {
                            let after = q &+ 1
                            if after >= end {
                                if !atEnd {
                                    self.line = recordLine
                                    return recordStart
                                }
                                contentEnd = q
                                terminator = end
                                break quoted
                            }
                            let nb = base.load(fromByteOffset: after, as: UInt8.self)
                            if UInt16(nb) == quoteKey {
                                escaped = true
                                q = after &+ 1
                                continue quoted
                            }
                            if nb == delimiter || nb == lfByte || nb == crByte {
                                contentEnd = q
                                terminator = after
                                break quoted
                            }
                            if after &+ 1 &- fieldStart > maxFieldBytes {
                                throw CSVError.fieldTooLong(limit: maxFieldBytes, line: fieldLine,
                                                            offset: chunkOffset &+ recordStart, column: fieldCount &+ 1)
                            }
                            throw CSVError.invalidQuote(line: line, offset: chunkOffset &+ recordStart,
                                                        column: fieldCount &+ 1)
                        } else if b == lfByte {
                            if base.load(fromByteOffset: q &- 1, as: UInt8.self) != crByte { line &+= 1 }
                            q &+= 1
                        } else if b == crByte {
                            line &+= 1
                            q &+= 1
                        } else {
                            // The escape byte: the next byte is literal.
                            escaped = true
                            let after = q &+ 1
                            if after >= end {
                                if !atEnd {
                                    self.line = recordLine
                                    return recordStart
                                }
                                if end &- fieldStart > maxFieldBytes {
                                    throw CSVError.fieldTooLong(limit: maxFieldBytes, line: fieldLine,
                                                                offset: chunkOffset &+ recordStart, column: fieldCount &+ 1)
                                }
                                throw CSVError.unterminatedQuote(line: fieldLine, offset: chunkOffset &+ recordStart,
                                                                 column: fieldCount &+ 1)
                            }
                            let nb = base.load(fromByteOffset: after, as: UInt8.self)
                            if nb == lfByte || nb == crByte { line &+= 1 }
                            q = after &+ 1
                        }
                    }
                    if terminator &- fieldStart > maxFieldBytes {
                        throw CSVError.fieldTooLong(limit: maxFieldBytes, line: fieldLine,
                                                    offset: chunkOffset &+ recordStart, column: fieldCount &+ 1)
                    }
                    let contentStart = fieldStart &+ 1
                    if escaped {
                        let rawCount = contentEnd &- contentStart
                        if scratchUsed &+ rawCount > scratchCapacity {
                            growScratch(to: scratchUsed &+ rawCount, keeping: scratchUsed)
                        }
                        let written = unescape(base + contentStart, count: rawCount, into: scratch + scratchUsed)
                        slots[fieldCount] = FieldSlot(
                            start: scratchUsed, meta: written &<< 2 | FieldSlot.scratchFlag | FieldSlot.quotedFlag)
                        scratchUsed &+= written
                    } else {
                        slots[fieldCount] = FieldSlot(
                            start: contentStart, meta: (contentEnd &- contentStart) &<< 2 | FieldSlot.quotedFlag)
                    }
                    // Unquoted scanning resumes after the terminator.
                    mask = 0
                    next = terminator &+ 1
                } else {
                    // An unquoted field: up to the next delimiter, CR or LF.
                    while mask == 0, next < end {
                        mask = matchLanes(loadWord(base, next, end), delimiterPattern, lfPattern, crPattern)
                        if next &+ 8 > end { mask &= lanesBelow(end &- next) }
                        wordStart = next
                        next &+= 8
                    }
                    if mask == 0 {
                        if !atEnd {
                            self.line = recordLine
                            return recordStart
                        }
                        terminator = end
                    } else {
                        terminator = wordStart &+ (mask.trailingZeroBitCount &>> 3)
                        mask &= mask &- 1
                    }
                    if terminator &- fieldStart > maxFieldBytes {
                        throw CSVError.fieldTooLong(limit: maxFieldBytes, line: line,
                                                    offset: chunkOffset &+ recordStart, column: fieldCount &+ 1)
                    }
                    slots[fieldCount] = FieldSlot(start: fieldStart, meta: (terminator &- fieldStart) &<< 2)
                }

                if terminator &- recordStart > maxRecordBytes {
                    throw CSVError.recordTooLong(limit: maxRecordBytes, line: line,
                                                 offset: chunkOffset &+ recordStart, column: fieldCount &+ 1)
                }
                fieldCount &+= 1
                let t: UInt8 = terminator < end ? base.load(fromByteOffset: terminator, as: UInt8.self) : lfByte
                if t == delimiter {
                    if fieldCount >= slotLimit {
                        try growSlots(count: fieldCount, line: line, offset: chunkOffset &+ recordStart)
                        slots = self.slots
                        slotLimit = min(slotCapacity, maxFields)
                    }
                    p = terminator &+ 1
                    continue
                }

                // The record ends.
                let index = recordIndex
                recordIndex = index &+ 1
                try body(CSVRecord(
                    slots: slots, input: base, scratch: scratch, count: fieldCount, line: recordLine,
                    offset: chunkOffset &+ recordStart, index: index, isHeader: hasHeader && index == 0))
                p = terminator &+ 1
                if terminator >= end {
                    self.line = line
                    return end
                }
                line &+= 1
                if t == crByte {
                    if p < end {
                        if base.load(fromByteOffset: p, as: UInt8.self) == lfByte { p &+= 1 }
                    } else {
                        pendingCR = true
                    }
                }
                break
            }
        }
    }

    /// The first quote, escape, CR or LF at or after `start`, or `end`.
    @inline(__always)
    private func findQuotedSpecial(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        let quotePattern = self.quotePattern
        let escapePattern = self.escapePattern
        let lfPattern = broadcast(lfByte)
        let crPattern = broadcast(crByte)
        var i = start
        while i < end {
            var mask = matchLanes(loadWord(base, i, end), quotePattern, escapePattern, lfPattern, crPattern)
            if i &+ 8 > end { mask &= lanesBelow(end &- i) }
            if mask != 0 { return i &+ (mask.trailingZeroBitCount &>> 3) }
            i &+= 8
        }
        return end
    }

    /// Copies a quoted field's content without its doubled quotes and escapes; returns the length.
    private func unescape(_ source: UnsafeRawPointer, count: Int, into target: UnsafeMutableRawPointer) -> Int {
        var i = 0
        var o = 0
        while i < count {
            var b = source.load(fromByteOffset: i, as: UInt8.self)
            if UInt16(b) == quoteKey || UInt16(b) == escapeKey, i &+ 1 < count {
                i &+= 1
                b = source.load(fromByteOffset: i, as: UInt8.self)
            }
            target.storeBytes(of: b, toByteOffset: o, as: UInt8.self)
            i &+= 1
            o &+= 1
        }
        return o
    }
}
