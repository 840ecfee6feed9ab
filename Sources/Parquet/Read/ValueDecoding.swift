import Columnar
import ParquetFormat

// Physical values to Columnar values: widening, narrowing, INT96 and big-endian decimals,
// PLAIN byte arrays, dictionary gathers, and the encodings other than PLAIN and dictionary.
// Everything appends to a `ValueSink` without initializing the space first.

enum ValueDecoding {
    /// Bytes per physical value of a fixed-width physical type.
    static func physicalWidth(_ leaf: LeafDescriptor) throws(ParquetError) -> Int {
        switch leaf.physicalType {
        case .int32, .float: return 4
        case .int64, .double: return 8
        case .int96: return 12
        case .fixedLenByteArray: return leaf.typeLength
        default: throw ParquetError(.unsupported, "physical type \(leaf.physicalType) is not fixed-width")
        }
    }

    /// Appends `count` physical values at `source` (`physicalWidth` bytes each), converted.
    static func appendConverted(
        _ source: UnsafeRawPointer, count: Int, physicalWidth: Int, _ conversion: ValueConversion,
        to values: inout GrowableArray<UInt8>
    ) {
        let width: Int
        if case .copy = conversion { width = physicalWidth } else { width = conversion.outputWidth }
        guard width > 0, count > 0 else { return }
        values.append(uninitialized: count * width) { out in
            convert(source, count: count, physicalWidth: physicalWidth, conversion, into: UnsafeMutableRawPointer(out.baseAddress.unsafelyUnwrapped))
        }
    }

    /// Converts `count` physical values into `destination` (`conversion.outputWidth` each).
    static func convert(
        _ source: UnsafeRawPointer, count: Int, physicalWidth: Int, _ conversion: ValueConversion,
        into destination: UnsafeMutableRawPointer
    ) {
        switch conversion {
        case .copy, .boolean:
            destination.copyMemory(from: source, byteCount: count * physicalWidth)
        case .narrowInt32(let width):
            if width == 1 {
                let out = destination.assumingMemoryBound(to: UInt8.self)
                for i in 0..<count {
                    out[i] = UInt8(truncatingIfNeeded: source.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                }
            } else {
                for i in 0..<count {
                    let v = UInt16(truncatingIfNeeded: source.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))
                    destination.storeBytes(of: v, toByteOffset: i &* 2, as: UInt16.self)
                }
            }
        case .int32ToInt64:
            for i in 0..<count {
                let v = Int64(source.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self))
                destination.storeBytes(of: v, toByteOffset: i &* 8, as: Int64.self)
            }
        case .int32ToDecimal:
            for i in 0..<count {
                let v = Int128(source.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self))
                destination.storeBytes(of: v, toByteOffset: i &* 16, as: Int128.self)
            }
        case .int64ToDecimal:
            for i in 0..<count {
                let v = Int128(source.loadUnaligned(fromByteOffset: i &* 8, as: Int64.self))
                destination.storeBytes(of: v, toByteOffset: i &* 16, as: Int128.self)
            }
        case .int96ToNanos:
            for i in 0..<count {
                let nanos = source.loadUnaligned(fromByteOffset: i &* 12, as: UInt64.self)
                let julian = source.loadUnaligned(fromByteOffset: i &* 12 &+ 8, as: UInt32.self)
                // As parquet-cpp: unsigned arithmetic that wraps, then reinterpreted.
                let days = UInt64(julian) &- 2_440_588
                let value = Int64(bitPattern: days &* 86_400_000_000_000 &+ nanos)
                destination.storeBytes(of: value, toByteOffset: i &* 8, as: Int64.self)
            }
        case .fixedDecimal(let width):
            for i in 0..<count {
                let v = bigEndianInt128(source + i &* width, count: width)
                destination.storeBytes(of: v, toByteOffset: i &* 16, as: Int128.self)
            }
        case .byteArray, .byteArrayDecimal, .null:
            break
        }
    }

    /// A big-endian two's complement integer of `count` bytes, sign-extended (or truncated to
    /// its low 16 bytes).
    @inline(__always)
    static func bigEndianInt128(_ source: UnsafeRawPointer, count: Int) -> Int128 {
        guard count > 0 else { return 0 }
        let first = source.load(as: Int8.self)
        var value: UInt128 = first < 0 ? ~0 : 0
        let start = count > 16 ? count - 16 : 0
        for i in start..<count {
            value = (value &<< 8) | UInt128(source.load(fromByteOffset: i, as: UInt8.self))
        }
        return Int128(bitPattern: value)
    }

    // MARK: Byte arrays

    /// PLAIN byte arrays (u32 length + bytes each): offsets in one pass that checks every
    /// length, then the bytes in a second pass.
    static func decodePlainByteArrays(
        _ section: UnsafeRawBufferPointer, count: Int, into sink: inout ValueSink
    ) throws(ParquetError) {
        guard count <= section.count / 4 else {
            throw ParquetError(.truncated, "\(count) byte arrays need more than the \(section.count) bytes left")
        }
        guard count > 0, let source = section.baseAddress else { return }
        let end = section.count
        let base = sink.values.count
        var failure: ParquetError?
        var total = 0
        sink.offsets.append(uninitialized: count) { out in
            var position = 0
            var running = base
            for i in 0..<count {
                guard end &- position >= 4 else {
                    failure = ParquetError(.truncated, "page ends inside a byte array length")
                    break
                }
                let length = Int(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                position &+= 4
                guard length <= end &- position else {
                    failure = ParquetError(.truncated, "byte array of \(length) bytes runs past the page")
                    break
                }
                position &+= length
                running &+= length
                out[i] = Int32(truncatingIfNeeded: running)
            }
            total = running &- base
        }
        if let failure { throw failure }
        guard base + total <= Int(Int32.max) else {
            throw ParquetError(.limitExceeded, "a column chunk holds more than 2 GiB of byte arrays")
        }
        sink.values.append(uninitialized: total) { out in
            var target = UnsafeMutableRawPointer(out.baseAddress.unsafelyUnwrapped)
            var position = 0
            for _ in 0..<count {
                let length = Int(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                target.copyMemory(from: source + (position &+ 4), byteCount: length)
                target += length
                position &+= 4 &+ length
            }
        }
    }

    /// PLAIN byte arrays decoded in place: the lengths are dropped and the bytes moved to the
    /// front of `buffer`. Returns the offsets (`count + 1`, from 0) and the bytes kept.
    static func compactPlainByteArrays(
        _ buffer: UnsafeMutableRawBufferPointer, count: Int
    ) throws(ParquetError) -> (offsets: [Int32], byteCount: Int) {
        guard count <= buffer.count / 4 else {
            throw ParquetError(.truncated, "\(count) byte arrays need more than the \(buffer.count) bytes left")
        }
        guard count > 0, let base = buffer.baseAddress else { return ([0], 0) }
        let end = buffer.count
        var failure: ParquetError?
        var total = 0
        let offsets = [Int32](unsafeUninitializedCapacity: count + 1) { out, initialized in
            out[0] = 0
            var position = 0
            var running = 0
            for i in 0..<count {
                guard end &- position >= 4 else {
                    failure = ParquetError(.truncated, "page ends inside a byte array length")
                    break
                }
                let length = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                position &+= 4
                guard length <= end &- position else {
                    failure = ParquetError(.truncated, "byte array of \(length) bytes runs past the page")
                    break
                }
                position &+= length
                running &+= length
                out[i + 1] = Int32(truncatingIfNeeded: running)
            }
            total = running
            initialized = failure == nil ? count + 1 : 0
        }
        if let failure { throw failure }
        guard total <= Int(Int32.max) else {
            throw ParquetError(.limitExceeded, "a dictionary holds more than 2 GiB of byte arrays")
        }
        // Each value moves left by the lengths before it (and its own): copyMemory is a memmove.
        var position = 0
        var target = 0
        for _ in 0..<count {
            let length = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
            (base + target).copyMemory(from: base + (position &+ 4), byteCount: length)
            target &+= length
            position &+= 4 &+ length
        }
        return (offsets, total)
    }

    /// PLAIN byte arrays read as big-endian decimals.
    static func decodePlainByteArrayDecimals(
        _ section: UnsafeRawBufferPointer, count: Int, into values: inout GrowableArray<UInt8>
    ) throws(ParquetError) {
        guard count <= section.count / 4 else {
            throw ParquetError(.truncated, "\(count) byte arrays need more than the \(section.count) bytes left")
        }
        guard count > 0, let source = section.baseAddress else { return }
        let end = section.count
        var failure: ParquetError?
        values.append(uninitialized: count * 16) { out in
            let target = UnsafeMutableRawPointer(out.baseAddress.unsafelyUnwrapped)
            var position = 0
            for i in 0..<count {
                var length = 0
                if end &- position >= 4 {
                    length = Int(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                    position &+= 4
                } else {
                    failure = failure ?? ParquetError(.truncated, "page ends inside a byte array length")
                }
                if length > end &- position {
                    failure = failure ?? ParquetError(.truncated, "byte array of \(length) bytes runs past the page")
                    length = 0
                }
                let v = bigEndianInt128(source + position, count: length)
                target.storeBytes(of: v, toByteOffset: i &* 16, as: Int128.self)
                position &+= length
            }
        }
        if let failure { throw failure }
    }

    /// Appends the byte arrays of `offsets`/`data` (as produced by the ParquetFormat decoders).
    static func appendByteArrays(offsets: [Int32], data: [UInt8], to sink: inout ValueSink) throws(ParquetError) {
        let count = max(offsets.count - 1, 0)
        guard count > 0 else { return }
        let base = sink.values.count
        let first = Int(offsets[0])
        let total = Int(offsets[count]) - first
        guard base + total <= Int(Int32.max) else {
            throw ParquetError(.limitExceeded, "a column chunk holds more than 2 GiB of byte arrays")
        }
        let shift = Int32(truncatingIfNeeded: base - first)
        sink.offsets.append(uninitialized: count) { out in
            for i in 0..<count { out[i] = offsets[i + 1] &+ shift }
        }
        data.withUnsafeBufferPointer { bytes in
            sink.values.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[first..<(first + total)]))
        }
    }

    /// Appends the byte arrays of `offsets`/`data` as big-endian decimals.
    static func appendByteArrayDecimals(offsets: [Int32], data: [UInt8], to values: inout GrowableArray<UInt8>) {
        let count = max(offsets.count - 1, 0)
        guard count > 0 else { return }
        values.append(uninitialized: count * 16) { out in
            let target = UnsafeMutableRawPointer(out.baseAddress.unsafelyUnwrapped)
            data.withUnsafeBytes { bytes in
                for i in 0..<count {
                    let lower = Int(offsets[i])
                    let length = Int(offsets[i + 1]) - lower
                    let v: Int128 =
                        length > 0 ? bigEndianInt128(bytes.baseAddress.unsafelyUnwrapped + lower, count: length) : 0
                    target.storeBytes(of: v, toByteOffset: i &* 16, as: Int128.self)
                }
            }
        }
    }

    // MARK: Dictionary gathers

    /// Appends the fixed-width dictionary entries named by `indices` (already checked to be
    /// below the dictionary's count).
    static func gatherFixed(
        _ indices: UnsafeBufferPointer<Int32>, dictionary: DictionaryValues, width: Int,
        into values: inout GrowableArray<UInt8>
    ) {
        let count = indices.count
        guard width > 0, count > 0 else { return }
        values.append(uninitialized: count * width) { buffer in
            let out = UnsafeMutableRawPointer(buffer.baseAddress.unsafelyUnwrapped)
            dictionary.values.withUnsafeBytes { dict in
                guard let source = dict.baseAddress else { return }
                switch width {
                case 1: gather(indices, source, out, as: UInt8.self)
                case 2: gather(indices, source, out, as: UInt16.self)
                case 4: gather(indices, source, out, as: UInt32.self)
                case 8: gather(indices, source, out, as: UInt64.self)
                case 16: gather(indices, source, out, as: UInt128.self)
                default:
                    for i in 0..<count {
                        (out + i &* width).copyMemory(from: source + Int(indices[i]) &* width, byteCount: width)
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func gather<T: FixedWidthInteger>(
        _ indices: UnsafeBufferPointer<Int32>, _ source: UnsafeRawPointer, _ out: UnsafeMutableRawPointer, as _: T.Type
    ) {
        let stride = MemoryLayout<T>.size
        for i in 0..<indices.count {
            let v = source.loadUnaligned(fromByteOffset: Int(indices[i]) &* stride, as: T.self)
            out.storeBytes(of: v, toByteOffset: i &* stride, as: T.self)
        }
    }

    /// Appends the dictionary's byte arrays named by `indices`: offsets first, then bytes.
    static func gatherByteArrays(
        _ indices: UnsafeBufferPointer<Int32>, dictionary: DictionaryValues, into sink: inout ValueSink
    ) throws(ParquetError) {
        let count = indices.count
        guard count > 0 else { return }
        let base = sink.values.count
        var total = 0
        dictionary.offsets.withUnsafeBufferPointer { dict in
            sink.offsets.append(uninitialized: count) { out in
                var running = base
                for i in 0..<count {
                    let index = Int(indices[i])
                    running &+= Int(dict[index &+ 1]) &- Int(dict[index])
                    out[i] = Int32(truncatingIfNeeded: running)
                }
                total = running &- base
            }
        }
        guard base + total <= Int(Int32.max) else {
            throw ParquetError(.limitExceeded, "a column chunk holds more than 2 GiB of byte arrays")
        }
        sink.values.append(uninitialized: total) { buffer in
            var out = UnsafeMutableRawPointer(buffer.baseAddress.unsafelyUnwrapped)
            dictionary.values.withUnsafeBytes { dictBytes in
                dictionary.offsets.withUnsafeBufferPointer { dict in
                    guard let source = dictBytes.baseAddress else { return }
                    for i in 0..<count {
                        let index = Int(indices[i])
                        let lower = Int(dict[index])
                        let length = Int(dict[index &+ 1]) &- lower
                        out.copyMemory(from: source + lower, byteCount: length)
                        out += length
                    }
                }
            }
        }
    }

    // MARK: Other encodings

    /// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT.
    static func decodeOther(
        _ section: UnsafeRawBufferPointer, encoding: Encoding, count: Int, leaf: LeafDescriptor,
        into sink: inout ValueSink
    ) throws {
        switch (encoding, leaf.physicalType) {
        case (.deltaBinaryPacked, .int32):
            var decoded = [Int32](repeating: 0, count: count)
            _ = try decoded.withUnsafeMutableBufferPointer { out in
                try DeltaBinaryPackedDecoder.decode(section, count: count, into: out)
            }
            decoded.withUnsafeBytes { raw in
                appendConverted(raw.baseAddress.unsafelyUnwrapped, count: count, physicalWidth: 4, leaf.conversion, to: &sink.values)
            }
        case (.deltaBinaryPacked, .int64):
            var decoded = [Int64](repeating: 0, count: count)
            _ = try decoded.withUnsafeMutableBufferPointer { out in
                try DeltaBinaryPackedDecoder.decode(section, count: count, into: out)
            }
            decoded.withUnsafeBytes { raw in
                appendConverted(raw.baseAddress.unsafelyUnwrapped, count: count, physicalWidth: 8, leaf.conversion, to: &sink.values)
            }
        case (.deltaLengthByteArray, .byteArray), (.deltaByteArray, .byteArray):
            var offsets: [Int32] = []
            var data: [UInt8] = []
            if encoding == .deltaLengthByteArray {
                _ = try DeltaLengthByteArray.decode(section, count: count, offsets: &offsets, data: &data)
            } else {
                _ = try DeltaByteArray.decode(
                    section, count: count, offsets: &offsets, data: &data,
                    maxDataBytes: Int(Int32.max) - sink.values.count)
            }
            if leaf.conversion == .byteArray {
                try appendByteArrays(offsets: offsets, data: data, to: &sink)
            } else {
                appendByteArrayDecimals(offsets: offsets, data: data, to: &sink.values)
            }
        case (.deltaByteArray, .fixedLenByteArray):
            let width = leaf.typeLength
            var local: [UInt8] = []
            _ = try DeltaByteArray.decodeFixed(section, count: count, width: width, data: &local)
            local.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                appendConverted(base, count: count, physicalWidth: width, leaf.conversion, to: &sink.values)
            }
        case (.byteStreamSplit, .float), (.byteStreamSplit, .double), (.byteStreamSplit, .int32),
            (.byteStreamSplit, .int64), (.byteStreamSplit, .fixedLenByteArray):
            let width = try physicalWidth(leaf)
            let (needed, overflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow, needed <= section.count else {
                throw ParquetError(.truncated, "\(count) values of \(width) bytes need more than the \(section.count) bytes left")
            }
            if case .copy = leaf.conversion {
                _ = try sink.values.append(uninitialized: needed) { out in
                    try ByteStreamSplit.decode(section, width: width, count: count, into: UnsafeMutableRawBufferPointer(out))
                }
            } else {
                var local = [UInt8](repeating: 0, count: needed)
                _ = try local.withUnsafeMutableBytes { raw in
                    try ByteStreamSplit.decode(section, width: width, count: count, into: raw)
                }
                local.withUnsafeBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    appendConverted(base, count: count, physicalWidth: width, leaf.conversion, to: &sink.values)
                }
            }
        default:
            throw ParquetError(.unsupported, "value encoding \(encoding) of \(leaf.physicalType)")
        }
    }
}
