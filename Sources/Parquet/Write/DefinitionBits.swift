/// The definition levels of a flat optional column (maximum level 1), kept as packed bits:
/// they are the column's validity bits, copied a byte at a time, and their RLE/bit-packed
/// hybrid encoding at bit width 1 is made from whole bytes (a bit-packed group of 8 levels
/// *is* one validity byte).
final class DefinitionBits {
    private let bytes = GrowableBuffer<UInt8>(capacity: 4096)
    /// Levels held.
    private(set) var count = 0

    /// Makes room for `n` more bits, zeroing the new bytes.
    private func reserve(_ n: Int) {
        let needed = (count + n + 7) >> 3 + 1
        if needed > bytes.count {
            bytes.append(repeating: 0, count: needed - bytes.count)
        }
    }

    /// Appends `n` levels of 1 (values present).
    func appendOnes(_ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        var remaining = n
        let base = bytes.base
        // Finish the partial byte, then whole bytes, then the tail.
        while remaining > 0 && count & 7 != 0 {
            base[count >> 3] |= 1 << UInt8(count & 7)
            count += 1
            remaining -= 1
        }
        let whole = remaining >> 3
        if whole > 0 {
            (base + (count >> 3)).update(repeating: 0xFF, count: whole)
            count += whole << 3
            remaining -= whole << 3
        }
        while remaining > 0 {
            base[count >> 3] |= 1 << UInt8(count & 7)
            count += 1
            remaining -= 1
        }
    }

    /// Appends `n` levels of 0 (nulls).
    func appendZeros(_ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        count += n
    }

    /// Appends bits `start..<start + n` of the LSB-first bitmap `source` (of `sourceBytes` bytes).
    func appendBits(_ source: UnsafeBufferPointer<UInt8>, from start: Int, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        let out = bytes.base
        var s = start
        var remaining = n
        while remaining >= 8 {
            let shift = UInt16(s & 7)
            let index = s >> 3
            let byte: UInt8 =
                shift == 0
                ? source[index]
                : UInt8(truncatingIfNeeded: (UInt16(source[index]) | UInt16(source[index + 1]) << 8) >> shift)
            let d = count & 7
            if d == 0 {
                out[count >> 3] = byte
            } else {
                out[count >> 3] |= byte << UInt8(d)
                out[(count >> 3) + 1] = byte >> UInt8(8 - d)
            }
            count += 8
            s += 8
            remaining -= 8
        }
        while remaining > 0 {
            if source[s >> 3] & (1 << UInt8(s & 7)) != 0 { out[count >> 3] |= 1 << UInt8(count & 7) }
            count += 1
            s += 1
            remaining -= 1
        }
    }

    func removeAll() {
        bytes.removeAll()
        count = 0
    }

    /// The hybrid encoding at bit width 1: runs of equal whole bytes (0x00 or 0xFF, at least
    /// two) become RLE runs, other bytes bit-packed groups (at most 63 per run header); the
    /// last partial byte is a final group, padded with zeros.
    func encode(appendingTo output: inout [UInt8]) {
        guard count > 0 else { return }
        let base = bytes.base
        let whole = count >> 3
        let groups = (count + 7) >> 3
        // Clear padding bits beyond `count` in the last group.
        if count & 7 != 0 { base[whole] &= UInt8((1 << (count & 7)) - 1) }
        var literalStart = 0
        var i = 0
        func flushLiterals(upTo end: Int) {
            var start = literalStart
            while start < end {
                let n = min(63, end - start)
                output.append(UInt8(n << 1 | 1))
                output.append(contentsOf: UnsafeBufferPointer(start: base + start, count: n))
                start += n
            }
        }
        while i < whole {
            let byte = base[i]
            if byte == 0 || byte == 0xFF {
                var j = i + 1
                while j < whole && base[j] == byte { j += 1 }
                if j - i >= 2 {
                    flushLiterals(upTo: i)
                    var header = UInt64((j - i) * 8) << 1
                    while header >= 0x80 {
                        output.append(UInt8(truncatingIfNeeded: header) | 0x80)
                        header >>= 7
                    }
                    output.append(UInt8(header))
                    output.append(byte & 1)
                    i = j
                    literalStart = i
                    continue
                }
            }
            i += 1
        }
        flushLiterals(upTo: groups)
    }
}
