/// Appends Avro binary encodings to a byte buffer.
enum AvroBinaryEncoder {
    @inline(__always)
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var n = value
        while n >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: n))
    }

    /// A zig-zag `long` (also used for `int`: the encodings agree).
    @inline(__always)
    static func appendLong(_ value: Int64, to out: inout [UInt8]) {
        appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &out)
    }

    @inline(__always)
    static func appendFloat(_ value: Float, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
    }

    /// A `bytes` or `string` value: the length, then the bytes.
    @inline(__always)
    static func appendBytes(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        appendLong(Int64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    static func appendString(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { appendBytes(UnsafeRawBufferPointer($0), to: &out) }
    }
}
