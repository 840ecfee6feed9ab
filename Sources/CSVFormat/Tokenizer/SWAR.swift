// SIMD within a register: tests 8 bytes at a time for a few byte values, giving a mask with
// the high bit set in each byte that matched (exactly: no false positives above a match, so
// every set bit can be visited in turn with trailingZeroBitCount).

@usableFromInline let lfByte = UInt8(ascii: "\n")
@usableFromInline let crByte = UInt8(ascii: "\r")

/// Byte `b` repeated in all 8 lanes.
@inline(__always)
func broadcast(_ b: UInt8) -> UInt64 { UInt64(b) &* 0x0101_0101_0101_0101 }

private let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

/// `(x & 0x7F) + 0x7F | x` per lane: its high bit is clear exactly for the lanes of `x` that are zero.
@inline(__always)
private func nonzeroLanes(_ x: UInt64) -> UInt64 { ((x & low7) &+ low7) | x }

/// 8 little-endian bytes at `offset`, or the bytes that remain before `end` with zeros after them.
@inline(__always)
func loadWord(_ base: UnsafeRawPointer, _ offset: Int, _ end: Int) -> UInt64 {
    if offset &+ 8 <= end {
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    var word: UInt64 = 0
    var i = end &- 1
    while i >= offset {
        word = word &<< 8 | UInt64(base.load(fromByteOffset: i, as: UInt8.self))
        i &-= 1
    }
    return word
}

/// Lanes of `word` equal to `a`, `b` or `c` (given broadcast), as high bits.
@inline(__always)
func matchLanes(_ word: UInt64, _ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
    ~((nonzeroLanes(word ^ a) & nonzeroLanes(word ^ b) & nonzeroLanes(word ^ c)) | low7)
}

/// Lanes of `word` equal to `a`, `b`, `c` or `d` (given broadcast), as high bits.
@inline(__always)
func matchLanes(_ word: UInt64, _ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> UInt64 {
    ~((nonzeroLanes(word ^ a) & nonzeroLanes(word ^ b) & nonzeroLanes(word ^ c) & nonzeroLanes(word ^ d)) | low7)
}

/// High bits of the first `count` (< 8) lanes.
@inline(__always)
func lanesBelow(_ count: Int) -> UInt64 { (UInt64(1) &<< UInt64(truncatingIfNeeded: count &* 8)) &- 1 }
