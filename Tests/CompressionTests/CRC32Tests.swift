import Compression
import Testing

@Suite("CRC-32")
struct CRC32Tests {
    @Test("the check value of \"123456789\" is 0xCBF43926")
    func checkValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test("known values")
    func knownValues() {
        #expect(CRC32.checksum([]) == 0)
        #expect(CRC32.checksum([], initial: 0x1234_5678) == 0x1234_5678)
        #expect(CRC32.checksum(Array("a".utf8)) == 0xE8B7_BE43)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        #expect(CRC32.checksum([UInt8](repeating: 0, count: 32)) == 0x190A_55AD)
    }

    @Test("a checksum continues across pieces")
    func incremental() {
        let data = randomBytes(100_000, seed: 4)
        let whole = CRC32.checksum(data)
        for split in [0, 1, 4096, 65_537, data.count] {
            let first = CRC32.checksum(Array(data[..<split]))
            let both = data[split...].withUnsafeBytes { CRC32.checksum($0, initial: first) }
            #expect(both == whole, "split at \(split)")
        }
    }
}
