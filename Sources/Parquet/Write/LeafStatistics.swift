#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import ParquetFormat

/// The min/max part of a column chunk's statistics, already in PLAIN form (no length prefix).
struct MinMax {
    var min: [UInt8]
    var max: [UInt8]
    var minExact = true
    var maxExact = true
}

/// Numbers as Parquet stores them (the physical INT32, INT64, FLOAT, DOUBLE values; unsigned
/// logical types use the unsigned Swift type of the same width, so `<` is their sort order).
protocol PhysicalNumber: BitwiseCopyable, Comparable {
    /// The bit pattern, zero-extended: the dictionary key.
    var dictionaryKey: UInt64 { get }
    init(dictionaryKey: UInt64)
    var isNaNValue: Bool { get }
    /// The value written as a minimum statistic (-0.0 for a zero float).
    var statisticsMinimum: Self { get }
    /// The value written as a maximum statistic (+0.0 for a zero float).
    var statisticsMaximum: Self { get }
}

extension PhysicalNumber {
    var plainBytes: [UInt8] { withUnsafeBytes(of: self) { Array($0) } }
}

extension Int32: PhysicalNumber {
    @inline(__always) var dictionaryKey: UInt64 { UInt64(UInt32(bitPattern: self)) }
    @inline(__always) init(dictionaryKey: UInt64) { self.init(bitPattern: UInt32(truncatingIfNeeded: dictionaryKey)) }
    @inline(__always) var isNaNValue: Bool { false }
    var statisticsMinimum: Int32 { self }
    var statisticsMaximum: Int32 { self }
}

extension UInt32: PhysicalNumber {
    @inline(__always) var dictionaryKey: UInt64 { UInt64(self) }
    @inline(__always) init(dictionaryKey: UInt64) { self.init(truncatingIfNeeded: dictionaryKey) }
    @inline(__always) var isNaNValue: Bool { false }
    var statisticsMinimum: UInt32 { self }
    var statisticsMaximum: UInt32 { self }
}

extension Int64: PhysicalNumber {
    @inline(__always) var dictionaryKey: UInt64 { UInt64(bitPattern: self) }
    @inline(__always) init(dictionaryKey: UInt64) { self.init(bitPattern: dictionaryKey) }
    @inline(__always) var isNaNValue: Bool { false }
    var statisticsMinimum: Int64 { self }
    var statisticsMaximum: Int64 { self }
}

extension UInt64: PhysicalNumber {
    @inline(__always) var dictionaryKey: UInt64 { self }
    @inline(__always) init(dictionaryKey: UInt64) { self = dictionaryKey }
    @inline(__always) var isNaNValue: Bool { false }
    var statisticsMinimum: UInt64 { self }
    var statisticsMaximum: UInt64 { self }
}

extension Float: PhysicalNumber {
    @inline(__always) var dictionaryKey: UInt64 { UInt64(bitPattern) }
    @inline(__always) init(dictionaryKey: UInt64) { self.init(bitPattern: UInt32(truncatingIfNeeded: dictionaryKey)) }
    @inline(__always) var isNaNValue: Bool { isNaN }
    var statisticsMinimum: Float { self == 0 ? -0.0 : self }
    var statisticsMaximum: Float { self == 0 ? 0.0 : self }
}

extension Double: PhysicalNumber {
    @inline(__always) var dictionaryKey: UInt64 { bitPattern }
    @inline(__always) init(dictionaryKey: UInt64) { self.init(bitPattern: dictionaryKey) }
    @inline(__always) var isNaNValue: Bool { isNaN }
    var statisticsMinimum: Double { self == 0 ? -0.0 : self }
    var statisticsMaximum: Double { self == 0 ? 0.0 : self }
}

/// Truncation of binary statistics to a length limit, as parquet-mr and arrow do it.
enum StatisticsTruncation {
    /// The minimum cut to at most `limit` bytes (a prefix is never greater). For UTF-8 the cut
    /// falls on a character boundary so the result stays valid text.
    static func truncateMinimum(_ value: [UInt8], limit: Int, utf8: Bool) -> (bytes: [UInt8], exact: Bool) {
        guard value.count > limit else { return (value, true) }
        var end = limit
        if utf8 { while end > 0 && isContinuation(value[end]) { end -= 1 } }
        return (Array(value[0..<end]), false)
    }

    /// The maximum cut to at most `limit` bytes and incremented so it stays an upper bound.
    /// When no shorter upper bound exists (the prefix is all 0xFF bytes, or all U+10FFFF),
    /// the value is kept whole and exact.
    static func truncateMaximum(_ value: [UInt8], limit: Int, utf8: Bool) -> (bytes: [UInt8], exact: Bool) {
        guard value.count > limit else { return (value, true) }
        if utf8 {
            // Cut on a character boundary, then increment the last code point that can be
            // incremented (skipping the surrogate range), dropping those after it.
            var end = limit
            while end > 0 && isContinuation(value[end]) { end -= 1 }
            var scalars = Array(String(decoding: value[0..<end], as: UTF8.self).unicodeScalars)
            while let last = scalars.popLast() {
                var next = last.value + 1
                if next == 0xD800 { next = 0xE000 }
                if next <= 0x10FFFF, let scalar = Unicode.Scalar(next) {
                    var result = String.UnicodeScalarView()
                    result.append(contentsOf: scalars)
                    result.append(scalar)
                    let bytes = Array(String(result).utf8)
                    // Incrementing a code point can lengthen it by a byte; keep within the value.
                    if bytes.count <= value.count { return (bytes, false) }
                }
            }
            return (value, true)
        }
        var bytes = Array(value[0..<limit])
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return (bytes, false)
            }
            bytes.removeLast()
        }
        return (value, true)
    }

    @inline(__always)
    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}

/// Lexicographic order of unsigned bytes (Parquet's order for BYTE_ARRAY and FLBA).
@inline(__always)
func bytesLess(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    let n = min(a.count, b.count)
    if n > 0 {
        let c = memcmpBytes(a.baseAddress!, b.baseAddress!, n)
        if c != 0 { return c < 0 }
    }
    return a.count < b.count
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Int32 {
    memcmp(a, b, n)
}

extension MinMax {
    /// The chunk statistics for these values: min/max in fields 5/6 with exactness flags, and
    /// in the deprecated fields 1/2 too when `legacy` (signed numeric orders, as pyarrow does).
    func statistics(nullCount: Int64, legacy: Bool) -> Statistics {
        Statistics(
            max: legacy ? max : nil, min: legacy ? min : nil, nullCount: nullCount, maxValue: max,
            minValue: min, isMaxValueExact: maxExact, isMinValueExact: minExact)
    }
}
