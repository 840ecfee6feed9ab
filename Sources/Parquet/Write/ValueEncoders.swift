import Columnar
import ParquetFormat

/// Encodes the non-null values of one leaf column chunk, page by page, and keeps the chunk's
/// dictionary and min/max statistics.
///
/// The column writer hands over values in small batches (`appendRange` for a run of rows
/// without nulls, `appendPositions` for chosen indices), closes a page with `finishPage()`
/// when `estimatedPageBytes` is large enough or `dictionaryFull` is set (then calls
/// `fallBack()`), and ends the chunk with `finishChunk()`, which also resets the encoder.
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
    /// The open page's values, encoded, and their encoding; the page is then empty.
    func finishPage() -> (encoding: Encoding, bytes: [UInt8])
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
    private var indices: [Int32] = []
    private var plain: [P] = []
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
        if usesDictionary {
            return (indices.count * DictionaryIndices.bitWidth(forDictionaryCount: dictionary.count) + 7) / 8 + 1
        }
        return plain.count * MemoryLayout<P>.size
    }

    var dictionaryBytes: Int { dictionary.count * MemoryLayout<P>.size }
    var dictionaryFull: Bool { usesDictionary && dictionaryBytes > settings.dictionaryLimit }

    func fallBack() {
        usesDictionary = false
    }

    @inline(__always)
    private func observe(_ value: P) {
        if value.isNaNValue { return }
        if hasMinMax {
            if value < minimum { minimum = value }
            if maximum < value { maximum = value }
        } else {
            minimum = value
            maximum = value
            hasMinMax = true
        }
    }

    @inline(__always)
    private func add(_ value: P) {
        if usesDictionary {
            let (index, inserted) = dictionary.index(of: value.dictionaryKey)
            if inserted { observe(value) }
            indices.append(Int32(bitPattern: index))
        } else {
            observe(value)
            plain.append(value)
        }
    }

    private func outOfRange() -> ParquetError {
        ParquetError(.invalidArgument, "a value does not fit the column's Parquet type", column: column)
    }

    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError) {
        let stride = MemoryLayout<C.Source>.stride
        var valid = true
        column.values.withUnsafeBytes { raw in
            if usesDictionary { indices.reserveCapacity(indices.count + range.count) } else {
                plain.reserveCapacity(plain.count + range.count)
            }
            for i in range {
                let source = raw.loadUnaligned(fromByteOffset: i &* stride, as: C.Source.self)
                if C.narrows && !C.fits(source) { valid = false }
                add(C.convert(source))
            }
        }
        if !valid { throw outOfRange() }
    }

    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        let stride = MemoryLayout<C.Source>.stride
        var valid = true
        column.values.withUnsafeBytes { raw in
            if usesDictionary { indices.reserveCapacity(indices.count + positions.count) } else {
                plain.reserveCapacity(plain.count + positions.count)
            }
            for p in positions {
                let source = raw.loadUnaligned(fromByteOffset: Int(p) &* stride, as: C.Source.self)
                if C.narrows && !C.fits(source) { valid = false }
                add(C.convert(source))
            }
        }
        if !valid { throw outOfRange() }
    }

    func finishPage() -> (encoding: Encoding, bytes: [UInt8]) {
        if usesDictionary {
            usedDictionary = true
            let bytes = encodeIndices(&indices, dictionaryCount: dictionary.count)
            return (.rleDictionary, bytes)
        }
        defer { plain.removeAll(keepingCapacity: true) }
        if settings.deltaIntegers, let bytes = deltaEncode(plain) {
            return (.deltaBinaryPacked, bytes)
        }
        return (.plain, plain.withUnsafeBytes { Array($0) })
    }

    func finishChunk() -> (dictionary: (bytes: [UInt8], count: Int)?, minMax: MinMax?) {
        var dictionaryPage: (bytes: [UInt8], count: Int)?
        if usedDictionary {
            var values: [P] = []
            values.reserveCapacity(dictionary.count)
            for key in dictionary.keys { values.append(P(dictionaryKey: key)) }
            dictionaryPage = (values.withUnsafeBytes { Array($0) }, values.count)
        }
        let minMax =
            hasMinMax
            ? MinMax(min: minimum.statisticsMinimum.plainBytes, max: maximum.statisticsMaximum.plainBytes) : nil
        dictionary = FixedWidthDictionary()
        usesDictionary = settings.dictionary
        usedDictionary = false
        hasMinMax = false
        indices.removeAll(keepingCapacity: true)
        plain.removeAll(keepingCapacity: true)
        return (dictionaryPage, minMax)
    }

    /// DELTA_BINARY_PACKED for INT32 and INT64 physical values (unsigned ones by their bit
    /// patterns, as the encoding's wrapping arithmetic allows); nil for floats.
    private func deltaEncode(_ values: [P]) -> [UInt8]? {
        if P.self == Float.self || P.self == Double.self { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(DeltaBinaryPackedEncoder.maxEncodedSize(count: values.count))
        values.withUnsafeBytes { raw in
            if MemoryLayout<P>.size == 4 {
                DeltaBinaryPackedEncoder.encode(raw.bindMemory(to: Int32.self), appendingTo: &bytes)
            } else {
                DeltaBinaryPackedEncoder.encode(raw.bindMemory(to: Int64.self), appendingTo: &bytes)
            }
        }
        return bytes
    }
}

/// An RLE_DICTIONARY data page body: the bit width byte, then the hybrid runs. Empties `indices`.
func encodeIndices(_ indices: inout [Int32], dictionaryCount: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(indices.count * DictionaryIndices.bitWidth(forDictionaryCount: dictionaryCount) / 8 + 16)
    indices.withUnsafeBufferPointer { DictionaryIndices.encode($0, dictionaryCount: dictionaryCount, appendingTo: &bytes) }
    indices.removeAll(keepingCapacity: true)
    return bytes
}

// MARK: Byte arrays

/// BYTE_ARRAY columns (string, binary): RLE_DICTIONARY over an arena dictionary, else PLAIN.
final class ByteArrayEncoder: LeafValueEncoder {
    private let settings: ValueEncoderSettings
    private let utf8: Bool
    private var dictionary = BytesDictionary(lengthPrefixed: true)
    private var usesDictionary: Bool
    private var usedDictionary = false
    private var indices: [Int32] = []
    private var plain: [UInt8] = []
    private var minimum: [UInt8]?
    private var maximum: [UInt8]?

    init(settings: ValueEncoderSettings, utf8: Bool) {
        self.settings = settings
        self.utf8 = utf8
        usesDictionary = settings.dictionary
    }

    var estimatedPageBytes: Int {
        if usesDictionary {
            return (indices.count * DictionaryIndices.bitWidth(forDictionaryCount: dictionary.count) + 7) / 8 + 1
        }
        return plain.count
    }

    var dictionaryBytes: Int { dictionary.arena.count }
    var dictionaryFull: Bool { usesDictionary && dictionaryBytes > settings.dictionaryLimit }
    func fallBack() { usesDictionary = false }

    @inline(__always)
    private func observe(_ value: UnsafeRawBufferPointer) {
        guard let low = minimum, let high = maximum else {
            minimum = Array(value)
            maximum = minimum
            return
        }
        if low.withUnsafeBytes({ bytesLess(value, $0) }) {
            minimum = Array(value)
        } else if high.withUnsafeBytes({ bytesLess($0, value) }) {
            maximum = Array(value)
        }
    }

    @inline(__always)
    private func add(_ value: UnsafeRawBufferPointer) {
        if usesDictionary {
            let (index, inserted) = dictionary.index(of: value)
            if inserted { observe(value) }
            indices.append(Int32(bitPattern: index))
        } else {
            observe(value)
            withUnsafeBytes(of: UInt32(value.count).littleEndian) { plain.append(contentsOf: $0) }
            plain.append(contentsOf: value)
        }
    }

    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError) {
        column.values.withUnsafeBytes { raw in
            column.offsets.withUnsafeBufferPointer { offsets in
                for i in range {
                    let start = Int(offsets[i])
                    let end = Int(offsets[i + 1])
                    add(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                }
            }
        }
    }

    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        column.values.withUnsafeBytes { raw in
            column.offsets.withUnsafeBufferPointer { offsets in
                for p in positions {
                    let start = Int(offsets[Int(p)])
                    let end = Int(offsets[Int(p) + 1])
                    add(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                }
            }
        }
    }

    func finishPage() -> (encoding: Encoding, bytes: [UInt8]) {
        if usesDictionary {
            usedDictionary = true
            return (.rleDictionary, encodeIndices(&indices, dictionaryCount: dictionary.count))
        }
        defer { plain.removeAll(keepingCapacity: true) }
        return (.plain, plain)
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
        indices.removeAll(keepingCapacity: true)
        plain.removeAll(keepingCapacity: true)
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
    private let width: Int
    private let column: String
    private var dictionary = BytesDictionary(lengthPrefixed: false)
    private var usesDictionary: Bool
    private var usedDictionary = false
    private var indices: [Int32] = []
    private var plain: [UInt8] = []
    private var scratch: [UInt8]
    // Statistics, by kind.
    private var minimumBytes: [UInt8]?
    private var maximumBytes: [UInt8]?
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
        self.column = column
        usesDictionary = settings.dictionary
        scratch = [UInt8](repeating: 0, count: width)
    }

    var estimatedPageBytes: Int {
        if usesDictionary {
            return (indices.count * DictionaryIndices.bitWidth(forDictionaryCount: dictionary.count) + 7) / 8 + 1
        }
        return plain.count
    }

    var dictionaryBytes: Int { dictionary.arena.count }
    var dictionaryFull: Bool { usesDictionary && dictionaryBytes > settings.dictionaryLimit }
    func fallBack() { usesDictionary = false }

    /// Adds value `index` of `source` (the column's values buffer); false when it does not fit.
    @inline(__always)
    private func add(_ source: UnsafeRawBufferPointer, _ index: Int) -> Bool {
        switch kind {
        case .bytes:
            let value = UnsafeRawBufferPointer(rebasing: source[(index * width)..<((index + 1) * width)])
            add(value) { observeBytes(value) }
        case .float16:
            let bits = source.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)
            let value = UnsafeRawBufferPointer(rebasing: source[(index * 2)..<(index * 2 + 2)])
            add(value) { observeHalf(bits) }
        case .decimal:
            let decimal = source.loadUnaligned(fromByteOffset: index * 16, as: Int128.self)
            // The value must fit `width` bytes of two's complement.
            let high = decimal >> (8 * width - 1)
            guard high == 0 || high == -1 else { return false }
            scratch.withUnsafeMutableBytes { out in
                for k in 0..<width { out[width - 1 - k] = UInt8(truncatingIfNeeded: decimal >> (8 * k)) }
            }
            scratch.withUnsafeBytes { value in add(value) { observeDecimal(decimal) } }
        }
        return true
    }

    @inline(__always)
    private func add(_ value: UnsafeRawBufferPointer, observe: () -> Void) {
        if usesDictionary {
            let (index, inserted) = dictionary.index(of: value)
            if inserted { observe() }
            indices.append(Int32(bitPattern: index))
        } else {
            observe()
            plain.append(contentsOf: value)
        }
    }

    private func observeBytes(_ value: UnsafeRawBufferPointer) {
        guard let low = minimumBytes, let high = maximumBytes else {
            minimumBytes = Array(value)
            maximumBytes = minimumBytes
            return
        }
        if low.withUnsafeBytes({ bytesLess(value, $0) }) {
            minimumBytes = Array(value)
        } else if high.withUnsafeBytes({ bytesLess($0, value) }) {
            maximumBytes = Array(value)
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
        if value < minimumFloat {
            minimumFloat = value
            minimumHalf = bits
        }
        if maximumFloat < value {
            maximumFloat = value
            maximumHalf = bits
        }
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

    private func outOfRange() -> ParquetError {
        ParquetError(.invalidArgument, "a decimal does not fit the column's precision", column: column)
    }

    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError) {
        var valid = true
        column.values.withUnsafeBytes { raw in
            for i in range where !add(raw, i) { valid = false }
        }
        if !valid { throw outOfRange() }
    }

    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        var valid = true
        column.values.withUnsafeBytes { raw in
            for p in positions where !add(raw, Int(p)) { valid = false }
        }
        if !valid { throw outOfRange() }
    }

    func finishPage() -> (encoding: Encoding, bytes: [UInt8]) {
        if usesDictionary {
            usedDictionary = true
            return (.rleDictionary, encodeIndices(&indices, dictionaryCount: dictionary.count))
        }
        defer { plain.removeAll(keepingCapacity: true) }
        return (.plain, plain)
    }

    func finishChunk() -> (dictionary: (bytes: [UInt8], count: Int)?, minMax: MinMax?) {
        let dictionaryPage = usedDictionary ? (dictionary.arena, dictionary.count) : nil
        var minMax: MinMax?
        switch kind {
        case .bytes:
            if let minimumBytes, let maximumBytes { minMax = MinMax(min: minimumBytes, max: maximumBytes) }
        case .float16:
            if hasNumbers {
                let low: UInt16 = minimumFloat == 0 ? 0x8000 : minimumHalf
                let high: UInt16 = maximumFloat == 0 ? 0x0000 : maximumHalf
                minMax = MinMax(min: low.littleEndianBytes, max: high.littleEndianBytes)
            }
        case .decimal:
            if hasNumbers {
                minMax = MinMax(
                    min: bigEndian(minimumDecimal, width: width), max: bigEndian(maximumDecimal, width: width))
            }
        }
        dictionary = BytesDictionary(lengthPrefixed: false)
        usesDictionary = settings.dictionary
        usedDictionary = false
        minimumBytes = nil
        maximumBytes = nil
        hasNumbers = false
        indices.removeAll(keepingCapacity: true)
        plain.removeAll(keepingCapacity: true)
        return (dictionaryPage, minMax)
    }

    private func bigEndian(_ value: Int128, width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * (width - 1 - $0))) }
    }
}

extension UInt16 {
    fileprivate var littleEndianBytes: [UInt8] { [UInt8(truncatingIfNeeded: self), UInt8(truncatingIfNeeded: self >> 8)] }
}

// MARK: Booleans and nulls

/// BOOLEAN columns: PLAIN bit-packed, or RLE (with its 4-byte length) when configured (V2
/// pages). Never dictionary-encoded.
final class BooleanEncoder: LeafValueEncoder {
    private let rle: Bool
    private var values: [UInt8] = []
    private var sawFalse = false
    private var sawTrue = false

    init(rle: Bool) { self.rle = rle }

    var estimatedPageBytes: Int { (values.count + 7) / 8 }
    var dictionaryBytes: Int { 0 }
    var dictionaryFull: Bool { false }
    func fallBack() {}

    func appendRange(_ column: Column, _ range: Range<Int>) throws(ParquetError) {
        column.values.withUnsafeBufferPointer { source in
            for i in range { values.append(source[i] != 0 ? 1 : 0) }
        }
    }

    func appendPositions(_ column: Column, _ positions: UnsafeBufferPointer<Int32>) throws(ParquetError) {
        column.values.withUnsafeBufferPointer { source in
            for p in positions { values.append(source[Int(p)] != 0 ? 1 : 0) }
        }
    }

    func finishPage() -> (encoding: Encoding, bytes: [UInt8]) {
        defer { values.removeAll(keepingCapacity: true) }
        for value in values {
            if value != 0 { sawTrue = true } else { sawFalse = true }
            if sawTrue && sawFalse { break }
        }
        var bytes: [UInt8] = []
        values.withUnsafeBufferPointer { values in
            if rle {
                RLEBooleans.encode(values, appendingTo: &bytes)
            } else {
                PlainEncoding.encodeBooleans(values, appendingTo: &bytes)
            }
        }
        return (rle ? .rle : .plain, bytes)
    }

    func finishChunk() -> (dictionary: (bytes: [UInt8], count: Int)?, minMax: MinMax?) {
        defer {
            sawFalse = false
            sawTrue = false
        }
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
    func finishPage() -> (encoding: Encoding, bytes: [UInt8]) { (.plain, []) }
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
