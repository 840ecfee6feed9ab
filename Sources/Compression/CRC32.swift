import CZlib

/// CRC-32 (ISO-HDLC, the one of zlib, gzip, Parquet page headers and Avro's snappy blocks).
public enum CRC32 {
    /// The CRC-32 of `bytes`, continuing from `initial` (the checksum of the bytes before).
    ///
    /// `checksum(b, initial: checksum(a))` equals the checksum of `a + b`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return initial }
        let crc = crc32_z(UInt(initial), base.assumingMemoryBound(to: UInt8.self), bytes.count)
        return UInt32(truncatingIfNeeded: crc)
    }

    /// The CRC-32 of `bytes`, continuing from `initial`.
    public static func checksum(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, initial: initial) }
    }
}
