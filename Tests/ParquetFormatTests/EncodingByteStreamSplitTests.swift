import Testing
import ParquetFormat

@Suite("BYTE_STREAM_SPLIT")
struct EncodingByteStreamSplitTests {
    func encode(_ values: [UInt8], width: Int) -> [UInt8] {
        var out: [UInt8] = []
        values.withUnsafeBytes { ByteStreamSplit.encode($0, width: width, appendingTo: &out) }
        return out
    }

    func decode(_ bytes: [UInt8], width: Int, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count * width)
        let consumed = try bytes.withUnsafeBytes { raw in
            try out.withUnsafeMutableBytes { try ByteStreamSplit.decode(raw, width: width, count: count, into: $0) }
        }
        #expect(consumed == bytes.count)
        return out
    }

    @Test("Encodings.md: three floats AA BB CC DD, 00 11 22 33, A3 B4 C5 D6")
    func specExample() throws {
        let values: [UInt8] = [0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6]
        let split: [UInt8] = [0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6]
        #expect(encode(values, width: 4) == split)
        #expect(try decode(split, width: 4, count: 3) == values)
    }

    @Test("Round trips for FLOAT, DOUBLE and FIXED_LEN_BYTE_ARRAY widths", arguments: [1, 2, 3, 4, 5, 8, 12, 16, 33])
    func roundTrips(width: Int) throws {
        var rng = EncodingRNG(seed: UInt64(width))
        for count in [0, 1, 2, 63, 64, 65, 200, 1001] {
            let values = (0..<(count * width)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let encoded = encode(values, width: width)
            #expect(encoded.count == values.count)
            if count > 1 {
                // Stream 0 holds byte 0 of every value.
                #expect(encoded[1] == values[width])
            }
            #expect(try decode(encoded, width: width, count: count) == values)
        }
    }

    @Test("Typed doubles survive the round trip bit for bit")
    func doubles() throws {
        let values: [Double] = [0, -0.0, .pi, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        var encoded: [UInt8] = []
        values.withUnsafeBytes { ByteStreamSplit.encode($0, width: 8, appendingTo: &encoded) }
        var decoded = [Double](repeating: 1, count: values.count)
        _ = try encoded.withUnsafeBytes { raw in
            try decoded.withUnsafeMutableBytes { try ByteStreamSplit.decode(raw, width: 8, count: values.count, into: $0) }
        }
        #expect(decoded.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test("Fewer values than the section holds; malformed sections throw")
    func partialAndMalformed() throws {
        let values: [UInt8] = Array(0..<40)
        let encoded = encode(values, width: 4)
        // The first 3 of 10 values: the stream length still comes from the whole section.
        #expect(try decode(encoded, width: 4, count: 3) == Array(values[0..<12]))
        expectEncodingError(.corrupt) { _ = try decode(Array(encoded.dropLast()), width: 4, count: 3) }
        expectEncodingError(.truncated) { _ = try decode(encoded, width: 4, count: 11) }
        expectEncodingError(.truncated) { _ = try decode([], width: 8, count: 1) }
    }
}
