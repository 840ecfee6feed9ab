// Tight loops over level streams: counting, validity bits, spreading dense values over slots.

/// Vectorised loops over level streams.
enum LevelKernels {
    /// The number of levels equal to `target` and the highest level.
    static func summary(_ levels: UnsafeBufferPointer<UInt8>, target: UInt8) -> (matches: Int, highest: UInt8) {
        // Plain loops over blocks that LLVM vectorises (Swift's SIMD types are not reliably
        // lowered to vector code); per-block counters stay narrow.
        var matches = 0
        var highest: UInt8 = 0
        var start = 0
        let n = levels.count
        while start < n {
            let end = min(n, start + 4096)
            var blockMatches: UInt32 = 0
            var blockHighest: UInt8 = 0
            for i in start..<end {
                let v = levels[i]
                blockHighest = max(blockHighest, v)
                blockMatches &+= v == target ? 1 : 0
            }
            matches &+= Int(blockMatches)
            highest = max(highest, blockHighest)
            start = end
        }
        return (matches, highest)
    }

    /// The position of the entry that starts record `n` (counting from 0) among `levels`,
    /// repetition levels whose records start at level 0; `levels.count` when fewer than
    /// `n + 1` records start there.
    static func recordStart(_ n: Int, in levels: UnsafeBufferPointer<UInt8>) -> Int {
        var seen = 0
        var start = 0
        let count = levels.count
        while start < count {
            let end = min(count, start + 4096)
            var zeros: UInt32 = 0
            for i in start..<end { zeros &+= levels[i] == 0 ? 1 : 0 }
            if seen + Int(zeros) > n {
                for i in start..<end where levels[i] == 0 {
                    if seen == n { return i }
                    seen += 1
                }
            }
            seen += Int(zeros)
            start = end
        }
        return count
    }

    /// Validity bits (valid where `level >= threshold`), packed LSB-first, and the number of
    /// nulls. `maxLevel` bounds the levels.
    static func validity(
        _ levels: UnsafeBufferPointer<UInt8>, threshold: UInt8, maxLevel: Int
    ) -> (bytes: [UInt8], nullCount: Int) {
        let n = levels.count
        let byteCount = (n + 7) >> 3
        var nulls = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: byteCount) { out, initialized in
            guard let base = levels.baseAddress else {
                initialized = 0
                return
            }
            let raw = UnsafeRawPointer(base)
            var o = 0
            var i = 0
            if maxLevel < 128 && threshold < 128 {
                // Adding 128 - threshold to each byte sets its top bit exactly when the level
                // is at least the threshold (levels are below 128 here, so no carries).
                let add = UInt64(128 &- threshold) &* 0x0101_0101_0101_0101
                while i + 8 <= n {
                    let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    let flags = ((x &+ add) &>> 7) & 0x0101_0101_0101_0101
                    let byte = UInt8(truncatingIfNeeded: (flags &* 0x0102_0408_1020_4080) &>> 56)
                    out[o] = byte
                    nulls &+= 8 &- byte.nonzeroBitCount
                    o += 1
                    i += 8
                }
            }
            while i < n {
                var byte: UInt8 = 0
                var bit = 0
                while bit < 8 && i < n {
                    if base[i] >= threshold { byte |= 1 << UInt8(bit) } else { nulls &+= 1 }
                    bit += 1
                    i += 1
                }
                out[o] = byte
                o += 1
            }
            initialized = o
        }
        return (bytes, nulls)
    }

    /// Byte-array offsets over every slot: the dense offsets, repeated at null slots.
    static func spreadOffsets(_ dense: [Int32], mask: UnsafeBufferPointer<UInt8>, threshold: UInt8) -> [Int32] {
        let count = mask.count
        return [Int32](unsafeUninitializedCapacity: count + 1) { out, initialized in
            dense.withUnsafeBufferPointer { d in
                var j = 0
                var current: Int32 = d.isEmpty ? 0 : d[0]
                out[0] = current
                for i in 0..<count {
                    if mask[i] >= threshold {
                        j &+= 1
                        current = d[j]
                    }
                    out[i &+ 1] = current
                }
            }
            initialized = count + 1
        }
    }

    /// Fixed-width values over every slot: dense values at valid slots, zeros at null ones.
    static func spreadValues(_ dense: [UInt8], width: Int, mask: UnsafeBufferPointer<UInt8>, threshold: UInt8) -> [UInt8] {
        let count = mask.count
        let total = count * width
        return [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
            let target = UnsafeMutableRawPointer(out.baseAddress.unsafelyUnwrapped)
            dense.withUnsafeBytes { source in
                let from = source.baseAddress ?? UnsafeRawPointer(target)
                switch width {
                case 1: spread(from, target, mask, threshold, as: UInt8.self)
                case 2: spread(from, target, mask, threshold, as: UInt16.self)
                case 4: spread(from, target, mask, threshold, as: UInt32.self)
                case 8: spread(from, target, mask, threshold, as: UInt64.self)
                case 16: spread(from, target, mask, threshold, as: UInt128.self)
                default:
                    var j = 0
                    for i in 0..<count {
                        if mask[i] >= threshold {
                            (target + i &* width).copyMemory(from: from + j &* width, byteCount: width)
                            j &+= 1
                        } else {
                            (target + i &* width).initializeMemory(as: UInt8.self, repeating: 0, count: width)
                        }
                    }
                }
            }
            initialized = total
        }
    }

    @inline(__always)
    private static func spread<T: FixedWidthInteger>(
        _ source: UnsafeRawPointer, _ target: UnsafeMutableRawPointer, _ mask: UnsafeBufferPointer<UInt8>,
        _ threshold: UInt8, as _: T.Type
    ) {
        let size = MemoryLayout<T>.size
        var j = 0
        for i in 0..<mask.count {
            if mask[i] >= threshold {
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: j &* size, as: T.self), toByteOffset: i &* size, as: T.self)
                j &+= 1
            } else {
                target.storeBytes(of: T.zero, toByteOffset: i &* size, as: T.self)
            }
        }
    }
}
