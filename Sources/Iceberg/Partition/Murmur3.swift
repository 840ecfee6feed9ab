/// MurmurHash3 x86_32 with seed 0, the hash of Iceberg's `bucket` transform (spec appendix B).
public enum Murmur3 {
    private static let c1: UInt32 = 0xcc9e_2d51
    private static let c2: UInt32 = 0x1b87_3593

    @inline(__always)
    private static func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }

    @inline(__always)
    private static func mixK(_ k: UInt32) -> UInt32 { rotl(k &* c1, 15) &* c2 }

    public static func hash32(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> Int32 {
        var h = seed
        let count = bytes.count
        let blocks = count / 4
        for block in 0..<blocks {
            let k = bytes.loadUnaligned(fromByteOffset: block * 4, as: UInt32.self).littleEndian
            h ^= mixK(k)
            h = rotl(h, 13) &* 5 &+ 0xe654_6b64
        }
        var k: UInt32 = 0
        let tail = blocks * 4
        switch count & 3 {
        case 3:
            k ^= UInt32(bytes[tail + 2]) << 16
            fallthrough
        case 2:
            k ^= UInt32(bytes[tail + 1]) << 8
            fallthrough
        case 1:
            k ^= UInt32(bytes[tail])
            h ^= mixK(k)
        default:
            break
        }
        h ^= UInt32(truncatingIfNeeded: count)
        h ^= h >> 16
        h = h &* 0x85eb_ca6b
        h ^= h >> 13
        h = h &* 0xc2b2_ae35
        h ^= h >> 16
        return Int32(bitPattern: h)
    }

    public static func hash32(_ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { hash32($0) }
    }

    /// The hash of an int, long, date, time or timestamp: its value as 8 little-endian bytes
    /// (ints are widened, so an int and a long of the same value share a bucket).
    @inline(__always)
    public static func hashLong(_ value: Int64) -> Int32 {
        withUnsafeBytes(of: value.littleEndian) { hash32($0) }
    }
}
