import Columnar

/// Decodes the values of one Avro field straight into the buffers of a Columnar column
/// (values, Int32 offsets, one validity byte per slot), with no per-value objects.
///
/// The tree of decoders mirrors the schema: a record decodes its fields in order, an array or
/// map its items into its children. `finish()` hands the buffers over as a `Column` and
/// starts the next batch empty.
final class ColumnDecoder {
    enum Kind {
        /// Avro `null`: nothing to read.
        case null
        case boolean
        /// An Avro `int` kept as Int32 (int32, date).
        case int32
        /// An Avro `int` widened to Int64 (time-millis).
        case intToInt64
        /// An Avro `long` (int64, times, timestamps).
        case long
        case float
        case double
        /// `bytes` or `string`: offsets into the concatenated bytes.
        case bytes
        /// `fixed` of this size stored as is (fixed-size binary, uuid on fixed).
        case fixed(Int)
        /// An enum index turned into its symbol's UTF-8 bytes.
        case enumeration([[UInt8]])
        /// A uuid written as its 36-character text, stored as 16 bytes.
        case uuidString
        /// A big-endian two's complement decimal in `bytes`, stored as Int128.
        case decimalBytes
        /// A big-endian two's complement decimal in a `fixed` of this size, stored as Int128.
        case decimalFixed(Int)
        case record
        /// An array: offsets into `children[0]`.
        case list
        /// A map (string keys) or Iceberg's array of key/value records: offsets into
        /// `children[0]` (keys) and `children[1]` (values), decoded one after the other.
        case map
    }

    let type: DataType
    let kind: Kind
    /// The union index of `null` when the field is `[null, T]` or `[T, null]`, else -1.
    let nullBranch: Int64
    /// Dotted field path, for errors.
    let path: String
    let children: [ColumnDecoder]
    /// Fewest bytes one value takes in the file.
    let minSize: Int
    /// Bytes a null slot adds to the buffers (the placeholder of every child included).
    let nullWidth: Int
    /// Most items of zero encoded size in one array or map block.
    let maxZeroSizeItems: Int

    private static let zeros = [UInt8](repeating: 0, count: 4096)

    private let width: Int
    private(set) var count = 0
    private var values: [UInt8] = []
    private var offsets: [Int32]
    private var validity: [UInt8] = []
    private var hasNulls = false

    init(
        type: DataType, kind: Kind, nullable: Bool, nullBranch: Int64, path: String, children: [ColumnDecoder],
        maxZeroSizeItems: Int
    ) {
        self.type = type
        self.kind = kind
        self.nullBranch = nullable ? nullBranch : -1
        self.path = path
        self.children = children
        self.maxZeroSizeItems = maxZeroSizeItems
        width = type.byteWidth ?? 0
        switch kind {
        case .bytes, .enumeration, .list, .map: offsets = [0]
        default: offsets = []
        }
        var size: Int
        switch kind {
        case .null: size = 0
        case .boolean, .int32, .intToInt64, .long, .bytes, .enumeration, .uuidString, .decimalBytes, .list, .map: size = 1
        case .float: size = 4
        case .double: size = 8
        case .fixed(let n), .decimalFixed(let n): size = n
        case .record: size = children.reduce(0) { $0.addingReportingOverflow($1.minSize).partialValue }
        }
        if self.nullBranch >= 0 { size = 1 }
        minSize = size
        switch kind {
        case .record: nullWidth = children.reduce(1) { Self.saturatingAdd($0, $1.nullWidth) }
        case .bytes, .enumeration, .list, .map: nullWidth = 5
        default: nullWidth = width + 1
        }
    }

    private static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    /// Decodes one value (a union index first when nullable).
    @inline(__always)
    func decode(_ r: inout AvroBinaryDecoder) throws(AvroError) {
        if nullBranch >= 0 {
            let start = r.position
            let branch = try r.readLong()
            if branch == nullBranch {
                appendNull(&r)
                return
            }
            guard branch == 1 - nullBranch else {
                throw AvroError(.corrupt, "union index \(branch) out of range", offset: start, field: path)
            }
        }
        do {
            try decodeValue(&r)
        } catch {
            throw error.with(field: path)
        }
        if hasNulls { validity.append(1) }
        count += 1
    }

    /// Appends a null slot: zeroed fixed-width bytes, an empty offset range, or a null in
    /// every child of a record.
    func appendNull(_ r: inout AvroBinaryDecoder) {
        if !hasNulls {
            hasNulls = true
            validity = [UInt8](repeating: 1, count: count)
        }
        validity.append(0)
        switch kind {
        case .null:
            break
        case .bytes, .enumeration, .list, .map:
            offsets.append(offsets[offsets.count - 1])
        case .record:
            for child in children { child.appendNull(&r) }
        default:
            var left = width
            while left > 0 {
                let n = Swift.min(left, Self.zeros.count)
                values.append(contentsOf: Self.zeros[0..<n])
                left -= n
            }
        }
        r.budget &-= (kind.isRecord ? 1 : nullWidth)
        count += 1
    }

    @inline(__always)
    private func appendFixed<T: BitwiseCopyable>(_ value: T) {
        withUnsafeBytes(of: value) { values.append(contentsOf: $0) }
    }

    @inline(__always)
    private func closeOffset() {
        offsets.append(Int32(truncatingIfNeeded: values.count))
    }

    private func decodeValue(_ r: inout AvroBinaryDecoder) throws(AvroError) {
        switch kind {
        case .null:
            r.budget &-= 1
        case .boolean:
            values.append(try r.readBoolean() ? 1 : 0)
            r.budget &-= 2
        case .int32:
            appendFixed(try r.readInt())
            r.budget &-= 5
        case .intToInt64:
            appendFixed(Int64(try r.readInt()))
            r.budget &-= 9
        case .long:
            appendFixed(try r.readLong())
            r.budget &-= 9
        case .float:
            values.append(contentsOf: try r.readFixed(4))
            r.budget &-= 5
        case .double:
            values.append(contentsOf: try r.readFixed(8))
            r.budget &-= 9
        case .bytes:
            let bytes = try r.readBytes()
            values.append(contentsOf: bytes)
            closeOffset()
            r.budget &-= bytes.count &+ 5
        case .fixed(let size):
            values.append(contentsOf: try r.readFixed(size))
            r.budget &-= size &+ 1
        case .enumeration(let symbols):
            let start = r.position
            let index = try r.readInt()
            guard index >= 0, Int(index) < symbols.count else {
                throw AvroError(.corrupt, "enum index \(index) out of range for \(symbols.count) symbols", offset: start)
            }
            values.append(contentsOf: symbols[Int(index)])
            closeOffset()
            r.budget &-= symbols[Int(index)].count &+ 5
        case .uuidString:
            let start = r.position
            let text = try r.readBytes()
            guard let uuid = Self.parseUUID(text) else {
                throw AvroError(.corrupt, "a uuid string is not in the 8-4-4-4-12 hex form", offset: start)
            }
            values.append(contentsOf: uuid)
            r.budget &-= 17
        case .decimalBytes:
            let start = r.position
            let bytes = try r.readBytes()
            guard let value = Self.decimal(bigEndian: bytes) else {
                throw AvroError(.corrupt, "a decimal of \(bytes.count) bytes does not fit 128 bits", offset: start)
            }
            appendFixed(value)
            r.budget &-= 17
        case .decimalFixed(let size):
            let start = r.position
            let bytes = try r.readFixed(size)
            guard let value = Self.decimal(bigEndian: bytes) else {
                throw AvroError(.corrupt, "a decimal of \(size) bytes does not fit 128 bits", offset: start)
            }
            appendFixed(value)
            r.budget &-= 17
        case .record:
            for child in children { try child.decode(&r) }
            r.budget &-= 1
        case .list:
            let element = children[0]
            try decodeBlocks(&r, minItemSize: element.minSize) { (r) throws(AvroError) in
                try element.decode(&r)
            }
            offsets.append(Int32(truncatingIfNeeded: element.count))
            r.budget &-= 5
        case .map:
            let keys = children[0]
            let items = children[1]
            try decodeBlocks(&r, minItemSize: keys.minSize &+ items.minSize) { (r) throws(AvroError) in
                try keys.decode(&r)
                try items.decode(&r)
            }
            offsets.append(Int32(truncatingIfNeeded: keys.count))
            r.budget &-= 5
        }
    }

    /// Reads the blocks of an array or map value, calling `item` once per item.
    @inline(__always)
    private func decodeBlocks(
        _ r: inout AvroBinaryDecoder, minItemSize: Int, _ item: (inout AvroBinaryDecoder) throws(AvroError) -> Void
    ) throws(AvroError) {
        while true {
            let headerStart = r.position
            let (count, byteSize) = try r.readBlockHeader(minItemSize: minItemSize, maxZeroSizeItems: maxZeroSizeItems)
            if count == 0 { break }
            let start = r.position
            for _ in 0..<count {
                try item(&r)
                r.budget &-= 1
                if r.budget < r.budgetFloor {
                    throw AvroError(
                        .limitExceeded, "one value needs more memory than the batch limit allows", offset: headerStart)
                }
            }
            if let byteSize, r.position - start != byteSize {
                throw AvroError(
                    .corrupt, "a block declared \(byteSize) bytes but its items took \(r.position - start)",
                    offset: headerStart)
            }
        }
    }

    /// Hands the buffers over as a column and starts the next batch empty.
    func finish() -> Column {
        var bitmap: Bitmap?
        if hasNulls, case .null = kind {
            bitmap = nil
        } else if hasNulls {
            bitmap = validity.withUnsafeBufferPointer { Bitmap(bools: $0) }
        }
        let column = Column(
            unchecked: type, count: count, validity: bitmap, values: values, offsets: offsets,
            children: children.map { $0.finish() })
        count = 0
        hasNulls = false
        validity = []
        values = []
        offsets = offsets.isEmpty ? [] : [0]
        return column
    }

    /// Sign-extends a big-endian two's complement integer of any length into an Int128, or
    /// nil when it needs more than 128 bits. Zero bytes read as 0.
    static func decimal(bigEndian bytes: UnsafeRawBufferPointer) -> Int128? {
        let n = bytes.count
        if n == 0 { return 0 }
        let keep = Swift.min(n, 16)
        let first = bytes[n - keep]
        if n > 16 {
            let fill: UInt8 = first & 0x80 != 0 ? 0xFF : 0
            for i in 0..<(n - 16) where bytes[i] != fill { return nil }
        }
        var value: Int128 = first & 0x80 != 0 ? -1 : 0
        for i in (n - keep)..<n {
            value = (value << 8) | Int128(bytes[i])
        }
        return value
    }

    /// The 16 bytes of a uuid in its 36-character text form (either case), big-endian.
    static func parseUUID(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        guard text.count == 36 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(16)
        var high: UInt8?
        for (i, char) in text.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard char == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return out
    }
}

extension ColumnDecoder.Kind {
    var isRecord: Bool {
        if case .record = self { return true }
        return false
    }
}
