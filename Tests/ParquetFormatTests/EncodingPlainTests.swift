import Testing
import ParquetFormat

@Suite("PLAIN")
struct EncodingPlainTests {
    func decodeBooleans(_ bytes: [UInt8], count: Int) throws -> (values: [UInt8], consumed: Int) {
        var out = [UInt8](repeating: 9, count: count)
        let consumed = try bytes.withUnsafeBytes { raw in
            try out.withUnsafeMutableBufferPointer { try PlainEncoding.decodeBooleans(raw, count: count, into: $0) }
        }
        return (out, consumed)
    }

    func encodeBooleans(_ values: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        values.withUnsafeBufferPointer { PlainEncoding.encodeBooleans($0, appendingTo: &out) }
        return out
    }

    func decodeByteArrays(
        _ bytes: [UInt8], count: Int, offsets: inout [Int32], data: inout [UInt8]
    ) throws -> Int {
        try bytes.withUnsafeBytes { try PlainEncoding.decodeByteArrays($0, count: count, offsets: &offsets, data: &data) }
    }

    func encodeByteArrays(_ values: [[UInt8]]) -> [UInt8] {
        var offsets: [Int32] = [0]
        var data: [UInt8] = []
        for value in values {
            data += value
            offsets.append(Int32(data.count))
        }
        var out: [UInt8] = []
        offsets.withUnsafeBufferPointer { o in
            data.withUnsafeBytes { PlainEncoding.encodeByteArrays(offsets: o, data: $0, appendingTo: &out) }
        }
        return out
    }

    @Test("Booleans are bit-packed LSB-first")
    func booleans() throws {
        let values: [UInt8] = [1, 0, 1, 1, 0, 0, 0, 0, 1]
        #expect(encodeBooleans(values) == [0x0D, 0x01])
        let decoded = try decodeBooleans([0x0D, 0x01, 0xFF], count: 9)
        #expect(decoded.values == values)
        #expect(decoded.consumed == 2)
        #expect(encodeBooleans([]) == [])
        #expect(try decodeBooleans([], count: 0).consumed == 0)
        expectEncodingError(.truncated) { _ = try decodeBooleans([0xFF], count: 9) }
    }

    @Test("Boolean round trips at every length up to 200")
    func booleanRoundTrips() throws {
        var rng = EncodingRNG(seed: 1)
        for count in 0...200 {
            let values = (0..<count).map { _ in UInt8(rng.next() & 1) }
            let encoded = encodeBooleans(values)
            #expect(encoded.count == (count + 7) / 8)
            #expect(try decodeBooleans(encoded, count: count).values == values)
        }
    }

    @Test("Fixed-width values are little-endian copies")
    func fixedWidth() throws {
        let bytes: [UInt8] = [0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        var ints = [Int32](repeating: 0, count: 3)
        let consumed = try bytes.withUnsafeBytes { raw in
            try ints.withUnsafeMutableBufferPointer { try PlainEncoding.decode(raw, count: 3, into: $0) }
        }
        #expect(ints == [1, -1, Int32.max])
        #expect(consumed == 12)

        let longs: [Int64] = [Int64.min, -1, 0, Int64.max]
        let doubles: [Double] = [0, -0.0, 1.5, .infinity, -.greatestFiniteMagnitude]
        var encoded: [UInt8] = []
        longs.withUnsafeBytes { PlainEncoding.encodeFixed($0, appendingTo: &encoded) }
        doubles.withUnsafeBytes { PlainEncoding.encodeFixed($0, appendingTo: &encoded) }
        #expect(Array(encoded[0..<8]) == [0, 0, 0, 0, 0, 0, 0, 0x80])
        var longsBack = [Int64](repeating: 0, count: 4)
        var doublesBack = [Double](repeating: 1, count: 5)
        try encoded.withUnsafeBytes { raw in
            let n = try longsBack.withUnsafeMutableBufferPointer { try PlainEncoding.decode(raw, count: 4, into: $0) }
            _ = try doublesBack.withUnsafeMutableBufferPointer {
                try PlainEncoding.decode(UnsafeRawBufferPointer(rebasing: raw[n...]), count: 5, into: $0)
            }
        }
        #expect(longsBack == longs)
        #expect(doublesBack.map(\.bitPattern) == doubles.map(\.bitPattern))

        // INT96 and FIXED_LEN_BYTE_ARRAY: raw widths.
        let int96: [UInt8] = Array(0..<24)
        var out = [UInt8](repeating: 0, count: 24)
        let taken = try int96.withUnsafeBytes { raw in
            try out.withUnsafeMutableBytes { try PlainEncoding.decodeFixed(raw, count: 2, width: 12, into: $0) }
        }
        #expect(out == int96)
        #expect(taken == 24)
        expectEncodingError(.truncated) {
            _ = try int96.withUnsafeBytes { raw in
                try out.withUnsafeMutableBytes { try PlainEncoding.decodeFixed(raw, count: 3, width: 12, into: $0) }
            }
        }
        // A count so large its byte size overflows.
        expectEncodingError(.truncated) {
            _ = try int96.withUnsafeBytes { raw in
                try out.withUnsafeMutableBytes { try PlainEncoding.decodeFixed(raw, count: Int.max / 2, width: 12, into: $0) }
            }
        }
    }

    @Test("Byte arrays: u32 length + bytes, into Arrow offsets and data")
    func byteArrays() throws {
        let bytes: [UInt8] = [2, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0, 3, 0, 0, 0, 0x78, 0x79, 0x7A]
        #expect(encodeByteArrays([[0x61, 0x62], [], [0x78, 0x79, 0x7A]]) == bytes)
        var offsets: [Int32] = []
        var data: [UInt8] = []
        let consumed = try decodeByteArrays(bytes + [0x99], count: 3, offsets: &offsets, data: &data)
        #expect(consumed == bytes.count)
        #expect(offsets == [0, 2, 2, 5])
        #expect(data == [0x61, 0x62, 0x78, 0x79, 0x7A])
        // A second page appends after the first.
        _ = try decodeByteArrays([1, 0, 0, 0, 0x41], count: 1, offsets: &offsets, data: &data)
        #expect(offsets == [0, 2, 2, 5, 6])
        #expect(data == [0x61, 0x62, 0x78, 0x79, 0x7A, 0x41])
        // count 0 into empty buffers still gives the leading offset.
        var emptyOffsets: [Int32] = []
        var emptyData: [UInt8] = []
        #expect(try decodeByteArrays([], count: 0, offsets: &emptyOffsets, data: &emptyData) == 0)
        #expect(emptyOffsets == [0])
    }

    @Test("Byte array round trips, including long and empty values")
    func byteArrayRoundTrips() throws {
        var rng = EncodingRNG(seed: 2)
        var values: [[UInt8]] = []
        for i in 0..<500 {
            let length = i % 50 == 0 ? Int(rng.next() % 5000) : Int(rng.next() % 20)
            values.append((0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        }
        let encoded = encodeByteArrays(values)
        var offsets: [Int32] = []
        var data: [UInt8] = []
        #expect(try decodeByteArrays(encoded, count: values.count, offsets: &offsets, data: &data) == encoded.count)
        let decoded = (0..<values.count).map { Array(data[Int(offsets[$0])..<Int(offsets[$0 + 1])]) }
        #expect(decoded == values)
    }

    @Test("Truncated byte arrays throw and leave the buffers as they were")
    func truncatedByteArrays() throws {
        var offsets: [Int32] = [0, 3]
        var data: [UInt8] = [1, 2, 3]
        // A length past the end.
        expectEncodingError(.truncated) {
            _ = try decodeByteArrays([2, 0, 0, 0, 0x61, 5, 0, 0, 0, 1], count: 2, offsets: &offsets, data: &data)
        }
        // A length cut short, and a second value missing.
        expectEncodingError(.truncated) {
            _ = try decodeByteArrays([1, 0, 0, 0, 0x61, 5, 0], count: 2, offsets: &offsets, data: &data)
        }
        // A huge count: refused before anything is allocated.
        expectEncodingError(.truncated) {
            _ = try decodeByteArrays([0, 0, 0, 0], count: Int(Int32.max), offsets: &offsets, data: &data)
        }
        // A length of 2^32-1.
        expectEncodingError(.truncated) {
            _ = try decodeByteArrays([0xFF, 0xFF, 0xFF, 0xFF, 1], count: 1, offsets: &offsets, data: &data)
        }
        #expect(offsets == [0, 3])
        #expect(data == [1, 2, 3])
    }

    @Test("Random bytes never crash the byte array decoder")
    func randomByteArrays() {
        var rng = EncodingRNG(seed: 4)
        for _ in 0..<2000 {
            let bytes = (0..<Int(rng.next() % 30)).map { _ in UInt8(truncatingIfNeeded: rng.next() % 8) }
            var offsets: [Int32] = []
            var data: [UInt8] = []
            expectNoCrash { _ = try decodeByteArrays(bytes, count: Int(rng.next() % 6), offsets: &offsets, data: &data) }
        }
    }
}
