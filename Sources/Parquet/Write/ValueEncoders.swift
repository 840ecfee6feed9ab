import Columnar
import ParquetFormat

/// Encodes the non-null values of one leaf column chunk, page by page, and keeps the chunk's
/// dictionary and min/max statistics.
///
/// The column writer hands over values in small batches (`appendRange` for a run of rows
/// without nulls, `appendPositions` for chosen indices), closes a page with `finishPage(into:)`
/// when `estimatedPageBytes` is large enough or `dictionaryFull` is set (then calls
/// `fallBack()`), and ends the chunk with `finishChunk()`, which also resets the encoder.
///
/// The hot loops work on local copies of the dictionary (swapped out of the object and back)
/// and write through `GrowableBuffer`s, so no value costs an access to the object's stored
/// properties, a retain or an array capacity check.
protocol LeafValueEncoder: AnyObject {
    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError)
    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError)
    /// Encoded size of the open page's values, roughly.
    var estimatedPageBytes: Int { get }
    /// PLAIN size of the dictionary so far (0 without one).
    var dictionaryBytes: Int { get }
    /// The dictionary outgrew its limit: close the page, then call `fallBack()`.
    var dictionaryFull: Bool { get }
    /// Writes the rest of the chunk without the dictionary.
    func fallBack()
    /// Appends the open page's values, encoded, to `body` and returns their encoding; the
    /// page is then empty.
    func finishPage(into body: inout [UInt8]) -> Encoding
    /// The chunk's dictionary page body and entry count (if it used a dictionary) and
    /// min/max; the encoder is then ready for the next chunk.
    func finishChunk() -> (dictionary: (bytes: [UInt8], count: Int)?, minMax: MinMax?)
}

/// Settings an encoder takes from the write options.
struct ValueEncoderSettings {
    var dictionary: Bool
    var dictionaryLimit: Int
    var deltaIntegers: Bool
    var rleBooleans: Bool
    var truncateLength: Int
}

/// Whether the chunk's first page (no dictionary page written yet) holds only distinct
/// values, enough of them to judge: then the column is a key (ids, hashes, timestamps) and
/// a dictionary only costs time, so the page and the rest of the chunk are written PLAIN.
@inline(__always)
private func firstPageAllDistinct(indices: Int, entries: Int, dictionaryUsed: Bool) -> Bool {
    !dictionaryUsed && indices >= 1024 && entries == indices
}

/// Estimated bytes of `count` dictionary indices into a dictionary of `entries`.
@inline(__always)
private func indexBytes(_ count: Int, entries: Int) -> Int {
    (count * DictionaryIndices.bitWidth(forDictionaryCount: entries) + 7) / 8 + 1
}

// MARK: Numbers

/// The conversion from a column's fixed-width values to Parquet's physical numbers.
protocol NumberConversion {
    associatedtype Source: BitwiseCopyable
    associatedtype Physical: PhysicalNumber
    static func convert(_ value: Source) -> Physical
    /// False for values the physical type cannot hold (only narrowing conversions check).
    static func fits(_ value: Source) -> Bool
    static var narrows: Bool { get }
}

extension NumberConversion {
    static var narrows: Bool { false }
    @inline(__always) static func fits(_ value: Source) -> Bool { true }
}

enum SameConversion<T: PhysicalNumber>: NumberConversion {
    @inline(__always) static func convert(_ value: T) -> T { value }
}

enum Int8ToInt32: NumberConversion {
    @inline(__always) static func convert(_ value: Int8) -> Int32 { Int32(value) }
}

enum Int16ToInt32: NumberConversion {
    @inline(__always) static func convert(_ value: Int16) -> Int32 { Int32(value) }
}

enum UInt8ToUInt32: NumberConversion {
    @inline(__always) static func convert(_ value: UInt8) -> UInt32 { UInt32(value) }
}

enum UInt16ToUInt32: NumberConversion {
    @inline(__always) static func convert(_ value: UInt16) -> UInt32 { UInt32(value) }
}

/// time(ms) is an `Int64` in columns and an INT32 in Parquet.
enum Int64ToInt32: NumberConversion {
    @inline(__always) static func convert(_ value: Int64) -> Int32 { Int32(truncatingIfNeeded: value) }
    @inline(__always) static func fits(_ value: Int64) -> Bool { Int64(Int32(truncatingIfNeeded: value)) == value }
    static var narrows: Bool { true }
}

/// Decimals of precision ≤ 9 as INT32.
enum Int128ToInt32: NumberConversion {
    @inline(__always) static func convert(_ value: Int128) -> Int32 { Int32(truncatingIfNeeded: value) }
    @inline(__always) static func fits(_ value: Int128) -> Bool { Int128(Int32(truncatingIfNeeded: value)) == value }
    static var narrows: Bool { true }
}

/// Decimals of precision ≤ 18 as INT64.
enum Int128ToInt64: NumberConversion {
    @inline(__always) static func convert(_ value: Int128) -> Int64 { Int64(truncatingIfNeeded: value) }
    @inline(__always) static func fits(_ value: Int128) -> Bool { Int128(Int64(truncatingIfNeeded: value)) == value }
    static var narrows: Bool { true }
}

/// INT32, INT64, FLOAT and DOUBLE columns (and the logical types stored in them):
/// RLE_DICTIONARY with a PLAIN dictionary, else PLAIN or DELTA_BINARY_PACKED.
final class NumberEncoder<C: NumberConversion>: LeafValueEncoder {
    typealias P = C.Physical
    private let settings: ValueEncoderSettings
    private let column: String
    private var dictionary = FixedWidthDictionary()
    private var usesDictionary: Bool
    private var usedDictionary = false
    private let indices = GrowableBuffer<Int32>()
    private let plain = GrowableBuffer<P>()
    private var hasMinMax = false
    private var minimum: P
    private var maximum: P

    init(settings: ValueEncoderSettings, column: String) {
        self.settings = settings
        self.column = column
        usesDictionary = settings.dictionary
        minimum = P(dictionaryKey: 0)
        maximum = minimum
    }

    var estimatedPageBytes: Int {
        usesDictionary ? indexBytes(indices.count, entries: dictionary.count) : plain.count * MemoryLayout<P>.size
    }

    var dictionaryBytes: Int { dictionary.count * MemoryLayout<P>.size }
    var dictionaryFull: Bool { usesDictionary && dictionaryBytes > settings.dictionaryLimit }
    func fallBack() { usesDictionary = false }

    private func outOfRange() -> ParquetError {
        ParquetError(.invalidArgument, "a value does not fit the column's Parquet type", column: column)
    }

    // A generic class's methods run unspecialized behind the protocol, so the two entry points
    // get a specialized copy per conversion.

    @_specialize(where C == SameConversion<Int32>)
    @_specialize(where C == SameConversion<Int64>)
    @_specialize(where C == SameConversion<UInt32>)
    @_specialize(where C == SameConversion<UInt64>)
    @_specialize(where C == SameConversion<Float>)
    @_specialize(where C == SameConversion<Double>)
    @_specialize(where C == Int8ToInt32)
    @_specialize(where C == Int16ToInt32)
    @_specialize(where C == UInt8ToUInt32)
    @_specialize(where C == UInt16ToUInt32)
    @_specialize(where C == Int64ToInt32)
    @_specialize(where C == Int128ToInt32)
    @_specialize(where C == Int128ToInt64)
    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError) {
        let valid = column.values.withUnsafeBytes { raw in
            let start = range.lowerBound
            return append(count: range.count) {
                raw.loadUnaligned(fromByteOffset: (start &+ $0) &* MemoryLayout<C.Source>.stride, as: C.Source.self)
            }
        }
        if !valid { throw outOfRange() }
    }

    @_specialize(where C == SameConversion<Int32>)
    @_specialize(where C == SameConversion<Int64>)
    @_specialize(where C == SameConversion<UInt32>)
    @_specialize(where C == SameConversion<UInt64>)
    @_specialize(where C == SameConversion<Float>)
    @_specialize(where C == SameConversion<Double>)
    @_specialize(where C == Int8ToInt32)
    @_specialize(where C == Int16ToInt32)
    @_specialize(where C == UInt8ToUInt32)
    @_specialize(where C == UInt16ToUInt32)
    @_specialize(where C == Int64ToInt32)
    @_specialize(where C == Int128ToInt32)
    @_specialize(where C == Int128ToInt64)
    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        let valid = column.values.withUnsafeBytes { raw in
            append(count: positions.count) {
                raw.loadUnaligned(fromByteOffset: Int(positions[$0]) &* MemoryLayout<C.Source>.stride, as: C.Source.self)
            }
        }
        if !valid { throw outOfRange() }
    }

    /// Adds `count` values, the `k`th loaded by `load(k)`; false when one does not fit.
    @inline(__always)
    private func append(count: Int, _ load: (Int) -> C.Source) -> Bool {
        guard count > 0 else { return true }
        var valid = true
        var low = minimum
        var high = maximum
        var seen = hasMinMax
        @inline(__always) func observe(_ value: P) {
            if value.isNaNValue { return }
            if !seen {
                (low, high, seen) = (value, value, true)
            } else {
                if value < low { low = value }
                if high < value { high = value }
            }
        }
        if usesDictionary {
            var table = FixedWidthDictionary.placeholder
            swap(&table, &dictionary)
            let out = indices.appendUninitialized(count)
            for k in 0..<count {
                let source = load(k)
                if C.narrows && !C.fits(source) { valid = false }
                let value = C.convert(source)
                let (index, inserted) = table.index(of: value.dictionaryKey)
                if inserted { observe(value) }
                out[k] = Int32(bitPattern: index)
            }
            swap(&table, &dictionary)
        } else {
            let out = plain.appendUninitialized(count)
            for k in 0..<count {
                let source = load(k)
                if C.narrows && !C.fits(source) { valid = false }
                let value = C.convert(source)
                out[k] = value
                observe(value)
            }
        }
        (minimum, maximum, hasMinMax) = (low, high, seen)
        return valid
    }

    func finishPage(into body: inout [UInt8]) -> Encoding {
        if usesDictionary && firstPageAllDistinct(indices: indices.count, entries: dictionary.count, dictionaryUsed: usedDictionary) {
            // The dictionary, in insertion order, is this page's values: write them plain.
            usesDictionary = false
            let values = dictionary.keys.map { P(dictionaryKey: $0) }
            dictionary = FixedWidthDictionary()
            indices.removeAll()
            plain.removeAll()
            values.withUnsafeBufferPointer { source in
                plain.appendUninitialized(source.count).update(from: source.baseAddress!, count: source.count)
            }
        }
        if usesDictionary {
            usedDictionary = true
            DictionaryIndices.encode(indices.buffer, dictionaryCount: dictionary.count, appendingTo: &body)
            indices.removeAll()
            return .rleDictionary
        }
        defer { plain.removeAll() }
        if settings.deltaIntegers && P.self != Float.self && P.self != Double.self {
            // DELTA_BINARY_PACKED (unsigned values by their bit patterns: the encoding's
            // arithmetic wraps).
            let raw = UnsafeRawBufferPointer(plain.buffer)
            if MemoryLayout<P>.size == 4 {
                DeltaBinaryPackedEncoder.encode(raw.assumingMemoryBound(to: Int32.self), appendingTo: &body)
            } else {
                DeltaBinaryPackedEncoder.encode(raw.assumingMemoryBound(to: Int64.self), appendingTo: &body)
            }
            return .deltaBinaryPacked
        }
        body.append(contentsOf: plain.bytes)
        return .plain
    }

    func finishChunk() -> (dictionary: (bytes: [UInt8], count: Int)?, minMax: MinMax?) {
        var dictionaryPage: (bytes: [UInt8], count: Int)?
        if usedDictionary {
            let values = dictionary.keys.map { P(dictionaryKey: $0) }
            dictionaryPage = (values.withUnsafeBytes { Array($0) }, values.count)
        }
        let minMax =
            hasMinMax
            ? MinMax(min: minimum.statisticsMinimum.plainBytes, max: maximum.statisticsMaximum.plainBytes) : nil
        dictionary = FixedWidthDictionary()
        usesDictionary = settings.dictionary
        usedDictionary = false
        hasMinMax = false
        indices.removeAll()
        plain.removeAll()
        return (dictionaryPage, minMax)
    }
}

// MARK: Byte arrays

/// BYTE_ARRAY columns (string, binary): RLE_DICTIONARY over an arena dictionary, else PLAIN.
final class ByteArrayEncoder: LeafValueEncoder {
    private let settings: ValueEncoderSettings
    private let utf8: Bool
    private var dictionary = BytesDictionary(lengthPrefixed: true)
    private var usesDictionary: Bool
    private var usedDictionary = false
    private let indices = GrowableBuffer<Int32>()
    private let plain = GrowableBuffer<UInt8>()
    private var minimum: [UInt8]?
    private var maximum: [UInt8]?

    init(settings: ValueEncoderSettings, utf8: Bool) {
        self.settings = settings
        self.utf8 = utf8
        usesDictionary = settings.dictionary
    }

    var estimatedPageBytes: Int {
        usesDictionary ? indexBytes(indices.count, entries: dictionary.count) : plain.count
    }

    var dictionaryBytes: Int { dictionary.arena.count }
    var dictionaryFull: Bool { usesDictionary && dictionaryBytes > settings.dictionaryLimit }
    func fallBack() { usesDictionary = false }

    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError) {
        column.values.withUnsafeBytes { raw in
            column.offsets.withUnsafeBufferPointer { offsets in
                let lower = range.lowerBound
                append(count: range.count, bytes: Int(offsets[range.upperBound] - offsets[lower])) { k in
                    UnsafeRawBufferPointer(rebasing: raw[Int(offsets[lower &+ k])..<Int(offsets[lower &+ k &+ 1])])
                }
            }
        }
    }

    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        column.values.withUnsafeBytes { raw in
            column.offsets.withUnsafeBufferPointer { offsets in
                append(count: positions.count, bytes: nil) { k in
                    let p = Int(positions[k])
                    return UnsafeRawBufferPointer(rebasing: raw[Int(offsets[p])..<Int(offsets[p &+ 1])])
                }
            }
        }
    }

    /// Adds `count` values, the `k`th at `load(k)` (valid during the call); `bytes` is their
    /// total length when known. The batch's own min/max are tracked as pointers into the
    /// column and merged into the chunk's once, at the end.
    @inline(__always)
    private func append(count: Int, bytes: Int?, _ load: (Int) -> UnsafeRawBufferPointer) {
        guard count > 0 else { return }
        var low = load(0)
        var high = low
        var seen = false
        @inline(__always) func observe(_ value: UnsafeRawBufferPointer) {
            if !seen {
                (low, high, seen) = (value, value, true)
            } else if bytesLess(value, low) {
                low = value
            } else if bytesLess(high, value) {
                high = value
            }
        }
        if usesDictionary {
            var table = BytesDictionary.placeholder
            swap(&table, &dictionary)
            let out = indices.appendUninitialized(count)
            for k in 0..<count {
                let value = load(k)
                let (index, inserted) = table.index(of: value)
                if inserted { observe(value) }
                out[k] = Int32(bitPattern: index)
            }
            swap(&table, &dictionary)
        } else {
            var total = bytes ?? 0
            if bytes == nil { for k in 0..<count { total &+= load(k).count } }
            var at = UnsafeMutableRawPointer(plain.appendUninitialized(total &+ 4 &* count))
            for k in 0..<count {
                let value = load(k)
                observe(value)
                at.storeBytes(of: UInt32(truncatingIfNeeded: value.count).littleEndian, as: UInt32.self)
                if let source = value.baseAddress, value.count > 0 { (at + 4).copyMemory(from: source, byteCount: value.count) }
                at += 4 &+ value.count
            }
        }
        guard seen else { return }
        if minimum?.withUnsafeBytes({ bytesLess(low, $0) }) ?? true { minimum = Array(low) }
        if maximum?.withUnsafeBytes({ bytesLess($0, high) }) ?? true { maximum = Array(high) }
    }

    func finishPage(into body: inout [UInt8]) -> Encoding {
        if usesDictionary && firstPageAllDistinct(indices: indices.count, entries: dictionary.count, dictionaryUsed: usedDictionary) {
            // The dictionary's arena (length-prefixed, in insertion order) is this page, PLAIN.
            usesDictionary = false
            body.append(contentsOf: dictionary.arena)
            dictionary = BytesDictionary(lengthPrefixed: true)
            indices.removeAll()
            return .plain
        }
        if usesDictionary {
            usedDictionary = true
            DictionaryIndices.encode(indices.buffer, dictionaryCount: dictionary.count, appendingTo: &body)
            indices.removeAll()
            return .rleDictionary
        }
        body.append(contentsOf: plain.bytes)
        plain.removeAll()
        return .plain
    }

    func finishChunk() -> (dictionary: (bytes: [UInt8], count: Int)?, minMax: MinMax?) {
        let dictionaryPage = usedDictionary ? (dictionary.arena, dictionary.count) : nil
        var minMax: MinMax?
        if let minimum, let maximum {
            let low = StatisticsTruncation.truncateMinimum(minimum, limit: settings.truncateLength, utf8: utf8)
            let high = StatisticsTruncation.truncateMaximum(maximum, limit: settings.truncateLength, utf8: utf8)
            minMax = MinMax(min: low.bytes, max: high.bytes, minExact: low.exact, maxExact: high.exact)
        }
        dictionary = BytesDictionary(lengthPrefixed: true)
        usesDictionary = settings.dictionary
        usedDictionary = false
        minimum = nil
        maximum = nil
        indices.removeAll()
        plain.removeAll()
        return (dictionaryPage, minMax)
    }
}

// MARK: Fixed-length byte arrays

/// FIXED_LEN_BYTE_ARRAY columns: fixed-size binary and UUID (bytewise order), float16
/// (numeric order) and decimals of precision > 18 (big-endian two's complement, signed order).
final class FixedBytesEncoder: LeafValueEncoder {
    enum Kind {
        case bytes
        case float16
        case decimal
    }

    private let settings: ValueEncoderSettings
    private let kind: Kind
    /// Bytes per Parquet value.
    private let width: Int
    /// Bytes per value in the column (16 for a decimal's `Int128`).
    private let sourceWidth: Int
    private let column: String
    private var dictionary = BytesDictionary(lengthPrefixed: false)
    private var usesDictionary: Bool
    private var usedDictionary = false
    private let indices = GrowableBuffer<Int32>()
    private let plain = GrowableBuffer<UInt8>()
    // Statistics: bytes for .bytes, the value's Float and bits for .float16, Int128 for .decimal.
    /// Minimum and maximum of `.bytes` values, `width` bytes each in plain memory (observing
    /// every value of an id column must not retain and release arrays).
    private let minimumBytes: UnsafeMutableRawPointer
    private let maximumBytes: UnsafeMutableRawPointer
    private var hasBytes = false
    private var hasNumbers = false
    private var minimumFloat: Float = 0
    private var maximumFloat: Float = 0
    private var minimumHalf: UInt16 = 0
    private var maximumHalf: UInt16 = 0
    private var minimumDecimal: Int128 = 0
    private var maximumDecimal: Int128 = 0

    init(settings: ValueEncoderSettings, kind: Kind, width: Int, column: String) {
        self.settings = settings
        self.kind = kind
        self.width = width
        sourceWidth = kind == .decimal ? 16 : width
        self.column = column
        usesDictionary = settings.dictionary
        minimumBytes = .allocate(byteCount: max(width, 1), alignment: 16)
        maximumBytes = .allocate(byteCount: max(width, 1), alignment: 16)
    }

    deinit {
        minimumBytes.deallocate()
        maximumBytes.deallocate()
    }

    var estimatedPageBytes: Int {
        usesDictionary ? indexBytes(indices.count, entries: dictionary.count) : plain.count
    }

    var dictionaryBytes: Int { dictionary.arena.count }
    var dictionaryFull: Bool { usesDictionary && dictionaryBytes > settings.dictionaryLimit }
    func fallBack() { usesDictionary = false }

    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError) {
        let start = range.lowerBound
        try append(column, count: range.count) { start &+ $0 }
    }

    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        try append(column, count: positions.count) { Int(positions[$0]) }
    }

    /// Adds the values at indices `index(0..<count)` of `column`.
    @inline(__always)
    private func append(_ column: Column, count: Int, _ index: (Int) -> Int) throws(ParquetError) {
        guard count > 0 else { return }
        var valid = true
        var table = BytesDictionary.placeholder
        swap(&table, &dictionary)
        var scratch = (UInt64(0), UInt64(0))
        column.values.withUnsafeBytes { raw in
            withUnsafeMutableBytes(of: &scratch) { scratch in
                let out = usesDictionary ? indices.appendUninitialized(count) : nil
                for k in 0..<count {
                    let i = index(k)
                    var value = UnsafeRawBufferPointer(rebasing: raw[(i &* sourceWidth)..<(i &* sourceWidth &+ sourceWidth)])
                    var decimal: Int128 = 0
                    if kind == .decimal {
                        // The value must fit `width` bytes of two's complement, stored big-endian.
                        decimal = value.loadUnaligned(as: Int128.self)
                        let high = decimal >> (8 &* width &- 1)
                        if high != 0 && high != -1 { valid = false }
                        for b in 0..<width { scratch[width &- 1 &- b] = UInt8(truncatingIfNeeded: decimal >> (8 &* b)) }
                        value = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(scratch)[0..<width])
                    }
                    let observe: Bool
                    if let out {
                        let (entry, inserted) = table.index(of: value)
                        out[k] = Int32(bitPattern: entry)
                        observe = inserted
                    } else {
                        plain.append(bytes: value)
                        observe = true
                    }
                    if observe {
                        switch kind {
                        case .bytes: observeBytes(value)
                        case .float16: observeHalf(value.loadUnaligned(as: UInt16.self))
                        case .decimal: observeDecimal(decimal)
                        }
                    }
                }
            }
        }
        swap(&table, &dictionary)
        if !valid { throw ParquetError(.invalidArgument, "a decimal does not fit the column's precision", column: self.column) }
    }

    private func observeBytes(_ value: UnsafeRawBufferPointer) {
        guard let source = value.baseAddress else { return }
        if !hasBytes {
            hasBytes = true
            minimumBytes.copyMemory(from: source, byteCount: width)
            maximumBytes.copyMemory(from: source, byteCount: width)
        } else if memcmpBytes(source, minimumBytes, width) < 0 {
            minimumBytes.copyMemory(from: source, byteCount: width)
        } else if memcmpBytes(source, maximumBytes, width) > 0 {
            maximumBytes.copyMemory(from: source, byteCount: width)
        }
    }

    private func observeHalf(_ bits: UInt16) {
        let value = Float16Bits.toFloat(bits)
        if value.isNaN { return }
        if !hasNumbers {
            hasNumbers = true
            (minimumFloat, maximumFloat, minimumHalf, maximumHalf) = (value, value, bits, bits)
            return
        }
        if value < minimumFloat { (minimumFloat, minimumHalf) = (value, bits) }
        if maximumFloat < value { (maximumFloat, maximumHalf) = (value, bits) }
    }

    private func observeDecimal(_ value: Int128) {
        if !hasNumbers {
            hasNumbers = true
            (minimumDecimal, maximumDecimal) = (value, value)
            return
        }
        if value < minimumDecimal { minimumDecimal = value }
        if value > maximumDecimal { maximumDecimal = value }
    }

    func finishPage(into body: inout [UInt8]) -> Encoding {
        if usesDictionary && firstPageAllDistinct(indices: indices.count, entries: dictionary.count, dictionaryUsed: usedDictionary) {
            // The dictionary's arena (values back to back, in insertion order) is this page.
            usesDictionary = false
            body.append(contentsOf: dictionary.arena)
            dictionary = BytesDictionary(lengthPrefixed: false)
            indices.removeAll()
            return .plain
        }
        if usesDictionary {
            usedDictionary = true
            DictionaryIndices.encode(indices.buffer, dictionaryCount: dictionary.count, appendingTo: &body)
            indices.removeAll()
            return .rleDictionary
        }
        body.append(contentsOf: plain.bytes)
        plain.removeAll()
        return .plain
    }

    func finishChunk() -> (dictionary: (bytes: [UInt8], count: Int)?, minMax: MinMax?) {
        let dictionaryPage = usedDictionary ? (dictionary.arena, dictionary.count) : nil
        var minMax: MinMax?
        switch kind {
        case .bytes:
            if hasBytes {
                minMax = MinMax(
                    min: Array(UnsafeRawBufferPointer(start: minimumBytes, count: width)),
                    max: Array(UnsafeRawBufferPointer(start: maximumBytes, count: width)))
            }
        case .float16:
            if hasNumbers {
                // A zero minimum is written as -0, a zero maximum as +0.
                let low: UInt16 = minimumFloat == 0 ? 0x8000 : minimumHalf
                let high: UInt16 = maximumFloat == 0 ? 0x0000 : maximumHalf
                minMax = MinMax(min: low.plainBytes, max: high.plainBytes)
            }
        case .decimal:
            if hasNumbers {
                minMax = MinMax(min: bigEndian(minimumDecimal), max: bigEndian(maximumDecimal))
            }
        }
        dictionary = BytesDictionary(lengthPrefixed: false)
        usesDictionary = settings.dictionary
        usedDictionary = false
        hasBytes = false
        hasNumbers = false
        indices.removeAll()
        plain.removeAll()
        return (dictionaryPage, minMax)
    }

    private func bigEndian(_ value: Int128) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * (width - 1 - $0))) }
    }
}

extension UInt16 {
    fileprivate var plainBytes: [UInt8] { [UInt8(truncatingIfNeeded: self), UInt8(truncatingIfNeeded: self >> 8)] }
}

// MARK: Booleans and nulls

/// BOOLEAN columns: PLAIN bit-packed, or RLE (with its 4-byte length) when configured (V2
/// pages). Never dictionary-encoded.
final class BooleanEncoder: LeafValueEncoder {
    private let rle: Bool
    private let values = GrowableBuffer<UInt8>()
    private var sawFalse = false
    private var sawTrue = false

    init(rle: Bool) { self.rle = rle }

    var estimatedPageBytes: Int { (values.count + 7) / 8 }
    var dictionaryBytes: Int { 0 }
    var dictionaryFull: Bool { false }
    func fallBack() {}

    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError) {
        column.values.withUnsafeBufferPointer { source in
            let out = values.appendUninitialized(range.count)
            for (k, i) in range.enumerated() { out[k] = source[i] != 0 ? 1 : 0 }
        }
    }

    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        column.values.withUnsafeBufferPointer { source in
            let out = values.appendUninitialized(positions.count)
            for (k, p) in positions.enumerated() { out[k] = source[Int(p)] != 0 ? 1 : 0 }
        }
    }

    func finishPage(into body: inout [UInt8]) -> Encoding {
        defer { values.removeAll() }
        for value in values.buffer {
            if value != 0 { sawTrue = true } else { sawFalse = true }
            if sawTrue && sawFalse { break }
        }
        if rle {
            RLEBooleans.encode(values.buffer, appendingTo: &body)
            return .rle
        }
        PlainEncoding.encodeBooleans(values.buffer, appendingTo: &body)
        return .plain
    }

    func finishChunk() -> (dictionary: (bytes: [UInt8], count: Int)?, minMax: MinMax?) {
        defer { (sawFalse, sawTrue) = (false, false) }
        guard sawFalse || sawTrue else { return (nil, nil) }
        return (nil, MinMax(min: [sawFalse ? 0 : 1], max: [sawTrue ? 1 : 0]))
    }
}

/// The null type: every entry is null, so pages hold levels only.
final class NullEncoder: LeafValueEncoder {
    var estimatedPageBytes: Int { 0 }
    var dictionaryBytes: Int { 0 }
    var dictionaryFull: Bool { false }
    func fallBack() {}
    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError) {}
    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError) {}
    func finishPage(into body: inout [UInt8]) -> Encoding { .plain }
    func finishChunk() -> (dictionary: (bytes: [UInt8], count: Int)?, minMax: MinMax?) { (nil, nil) }
}

// MARK: Choosing an encoder

extension WriteLeaf {
    /// The encoder for this leaf's values.
    func makeEncoder(_ settings: ValueEncoderSettings) -> any LeafValueEncoder {
        let name = dottedPath
        switch type {
        case .null: return NullEncoder()
        case .boolean: return BooleanEncoder(rle: settings.rleBooleans)
        case .int8: return NumberEncoder<Int8ToInt32>(settings: settings, column: name)
        case .int16: return NumberEncoder<Int16ToInt32>(settings: settings, column: name)
        case .int32, .date: return NumberEncoder<SameConversion<Int32>>(settings: settings, column: name)
        case .int64, .timestamp: return NumberEncoder<SameConversion<Int64>>(settings: settings, column: name)
        case .uint8: return NumberEncoder<UInt8ToUInt32>(settings: settings, column: name)
        case .uint16: return NumberEncoder<UInt16ToUInt32>(settings: settings, column: name)
        case .uint32: return NumberEncoder<SameConversion<UInt32>>(settings: settings, column: name)
        case .uint64: return NumberEncoder<SameConversion<UInt64>>(settings: settings, column: name)
        case .float32: return NumberEncoder<SameConversion<Float>>(settings: settings, column: name)
        case .float64: return NumberEncoder<SameConversion<Double>>(settings: settings, column: name)
        case .time(let unit):
            if unit == .millisecond { return NumberEncoder<Int64ToInt32>(settings: settings, column: name) }
            return NumberEncoder<SameConversion<Int64>>(settings: settings, column: name)
        case .decimal(let precision, _):
            if precision <= 9 { return NumberEncoder<Int128ToInt32>(settings: settings, column: name) }
            if precision <= 18 { return NumberEncoder<Int128ToInt64>(settings: settings, column: name) }
            return FixedBytesEncoder(settings: settings, kind: .decimal, width: typeLength, column: name)
        case .float16: return FixedBytesEncoder(settings: settings, kind: .float16, width: 2, column: name)
        case .uuid, .fixedSizeBinary:
            return FixedBytesEncoder(settings: settings, kind: .bytes, width: typeLength, column: name)
        case .string: return ByteArrayEncoder(settings: settings, utf8: true)
        case .binary: return ByteArrayEncoder(settings: settings, utf8: false)
        case .list, .map, .structure: preconditionFailure("nested type as a leaf")
        }
    }

    /// Whether min/max also go in the deprecated Statistics fields 1/2: the types whose
    /// order is signed (signed integers, dates, times, timestamps, decimals, floats, float16,
    /// booleans), as pyarrow writes them; never unsigned integers or byte strings.
    var writesLegacyStatistics: Bool {
        switch type {
        case .boolean, .int8, .int16, .int32, .int64, .float16, .float32, .float64, .decimal, .date, .time, .timestamp:
            return true
        default: return false
        }
    }
}
