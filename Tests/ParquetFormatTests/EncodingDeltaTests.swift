import Testing
import ParquetFormat

func dbpEncode(_ values: [Int64]) -> [UInt8] {
    var out: [UInt8] = []
    values.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, appendingTo: &out) }
    return out
}

func dbpEncode(_ values: [Int32]) -> [UInt8] {
    var out: [UInt8] = []
    values.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, appendingTo: &out) }
    return out
}

func dbpDecode64(_ bytes: [UInt8], count: Int) throws -> (values: [Int64], consumed: Int) {
    var out = [Int64](repeating: 0, count: count)
    let consumed = try bytes.withUnsafeBytes { raw in
        try out.withUnsafeMutableBufferPointer { try DeltaBinaryPackedDecoder.decode(raw, count: count, into: $0) }
    }
    return (out, consumed)
}

func dbpDecode32(_ bytes: [UInt8], count: Int) throws -> (values: [Int32], consumed: Int) {
    var out = [Int32](repeating: 0, count: count)
    let consumed = try bytes.withUnsafeBytes { raw in
        try out.withUnsafeMutableBufferPointer { try DeltaBinaryPackedDecoder.decode(raw, count: count, into: $0) }
    }
    return (out, consumed)
}

/// Offsets and data (Arrow layout) for a list of byte strings.
func byteArrayLayout(_ values: [[UInt8]]) -> (offsets: [Int32], data: [UInt8]) {
    var offsets: [Int32] = [0]
    var data: [UInt8] = []
    for value in values {
        data += value
        offsets.append(Int32(data.count))
    }
    return (offsets, data)
}

func byteArrayValues(offsets: [Int32], data: [UInt8]) -> [[UInt8]] {
    (0..<(offsets.count - 1)).map { Array(data[Int(offsets[$0])..<Int(offsets[$0 + 1])]) }
}

@Suite("DELTA_BINARY_PACKED")
struct EncodingDeltaBinaryPackedTests {
    @Test("Encodings.md example 1: 1, 2, 3, 4, 5")
    func specExample1() throws {
        // Header: block 8, 1 miniblock, 5 values, first 1; block: min delta 1, width 0.
        let bytes: [UInt8] = [0x08, 0x01, 0x05, 0x02, 0x02, 0x00]
        let decoded = try dbpDecode64(bytes, count: 5)
        #expect(decoded.values == [1, 2, 3, 4, 5])
        #expect(decoded.consumed == 6)
        #expect(try dbpDecode32(bytes, count: 5).values == [1, 2, 3, 4, 5])
    }

    @Test("Encodings.md example 2: 7, 5, 3, 1, 2, 3, 4, 5")
    func specExample2() throws {
        // Block: min delta -2, width 2, then 0,0,0,3,3,3,3 (+ padding) at 2 bits: C0 3F.
        let bytes: [UInt8] = [0x08, 0x01, 0x08, 0x0E, 0x03, 0x02, 0xC0, 0x3F]
        let decoded = try dbpDecode32(bytes, count: 8)
        #expect(decoded.values == [7, 5, 3, 1, 2, 3, 4, 5])
        #expect(decoded.consumed == 8)
        #expect(try dbpDecode64(bytes, count: 8).values == [7, 5, 3, 1, 2, 3, 4, 5])
    }

    @Test("A last miniblock holding only the bytes its values need is accepted")
    func unpaddedLastMiniblock() throws {
        // 7, 5, 3, 1, 2: four deltas at 2 bits fit in one byte of the two a full miniblock takes.
        let bytes: [UInt8] = [0x08, 0x01, 0x05, 0x0E, 0x03, 0x02, 0xC0]
        let decoded = try dbpDecode32(bytes, count: 5)
        #expect(decoded.values == [7, 5, 3, 1, 2])
        #expect(decoded.consumed == 7)
        expectEncodingError(.truncated) { _ = try dbpDecode32(Array(bytes.dropLast()), count: 5) }
    }

    @Test("Encoder bytes: empty, one value, a constant step")
    func encoderBytes() throws {
        #expect(dbpEncode([Int64]()) == [0x80, 0x01, 0x04, 0x00, 0x00])
        #expect(dbpEncode([Int64(7)]) == [0x80, 0x01, 0x04, 0x01, 0x0E])
        #expect(dbpEncode([Int32](arrayLiteral: 1, 2, 3, 4, 5)) == [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0])
        #expect(try dbpDecode64([0x80, 0x01, 0x04, 0x00, 0x00], count: 0).values == [])
        #expect(try dbpDecode64([0x80, 0x01, 0x04, 0x01, 0x0E], count: 1).values == [7])
    }

    @Test("INT64 round trips: extremes wrap, random values, counts around block edges")
    func int64RoundTrips() throws {
        var rng = EncodingRNG(seed: 21)
        let extremes: [Int64] = [Int64.max, Int64.min, 0, -1, Int64.max, Int64.min, 1, Int64.min, Int64.max]
        #expect(try dbpDecode64(dbpEncode(extremes), count: extremes.count).values == extremes)
        for count in [0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 161, 257, 1000] {
            let values = (0..<count).map { _ in Int64(bitPattern: rng.next()) }
            let encoded = dbpEncode(values)
            #expect(encoded.count <= DeltaBinaryPackedEncoder.maxEncodedSize(count: count))
            let decoded = try dbpDecode64(encoded, count: count)
            #expect(decoded.values == values)
            #expect(decoded.consumed == encoded.count)
        }
    }

    @Test("INT32 round trips: extremes wrap in 32 bits")
    func int32RoundTrips() throws {
        var rng = EncodingRNG(seed: 22)
        let extremes: [Int32] = [Int32.max, Int32.min, 0, -1, Int32.max, Int32.min, 1]
        #expect(try dbpDecode32(dbpEncode(extremes), count: extremes.count).values == extremes)
        for count in [1, 5, 128, 129, 1000] {
            let values = (0..<count).map { _ in Int32(truncatingIfNeeded: rng.next()) }
            #expect(try dbpDecode32(dbpEncode(values), count: count).values == values)
            let sorted = values.sorted()
            #expect(try dbpDecode32(dbpEncode(sorted), count: count).values == sorted)
        }
    }

    @Test("Every miniblock bit width 0…64", arguments: 0...64)
    func everyWidth(width: Int) throws {
        var rng = EncodingRNG(seed: UInt64(width) + 100)
        let mask: UInt64 = width == 0 ? 0 : (width == 64 ? ~0 : (1 << UInt64(width)) - 1)
        var value = Int64(bitPattern: rng.next())
        var values: [Int64] = []
        for _ in 0..<300 {
            values.append(value)
            value = value &+ Int64(bitPattern: rng.next() & mask)
        }
        let encoded = dbpEncode(values)
        let decoded = try dbpDecode64(encoded, count: values.count)
        #expect(decoded.values == values)
        #expect(decoded.consumed == encoded.count)
        if width <= 32 {
            let narrow = values.map { Int32(truncatingIfNeeded: $0) }
            #expect(try dbpDecode32(dbpEncode(narrow), count: narrow.count).values == narrow)
        }
    }

    @Test("Decoding fewer values than the header holds, in pieces, then skipping to the end")
    func partialDecode() throws {
        var rng = EncodingRNG(seed: 23)
        let values = (0..<1000).map { _ in Int64(rng.next() % 5000) - 2500 }
        let encoded = dbpEncode(values) + [0xAB, 0xCD]
        // Exactly 300 of 1000.
        let first = try dbpDecode64(encoded, count: 300)
        #expect(first.values == Array(values[0..<300]))
        #expect(first.consumed < encoded.count - 2)
        // In pieces with the decoder.
        try encoded.withUnsafeBytes { raw in
            var decoder = try DeltaBinaryPackedDecoder(raw)
            #expect(decoder.totalCount == 1000)
            #expect(decoder.blockSize == 128)
            #expect(decoder.miniblocksPerBlock == 4)
            var decoded: [Int64] = []
            var piece = [Int64](repeating: 0, count: 77)
            for size in [1, 31, 77, 2, 64, 33] {
                let n = try piece.withUnsafeMutableBufferPointer {
                    try decoder.decode(into: UnsafeMutableBufferPointer(rebasing: $0[0..<size]))
                }
                #expect(n == size)
                decoded += piece[0..<n]
            }
            #expect(decoded == Array(values[0..<decoded.count]))
            #expect(decoder.valuesRemaining == 1000 - decoded.count)
            #expect(try decoder.skipToEnd() == encoded.count - 2)
            #expect(decoder.valuesRemaining == 0)
            let n = try piece.withUnsafeMutableBufferPointer { try decoder.decode(into: $0) }
            #expect(n == 0)
        }
    }

    @Test("A huge count in the header throws without allocating")
    func hugeCount() {
        // 2^31-1 values announced, no blocks follow.
        expectEncodingError(.truncated) { _ = try dbpDecode64([0x80, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00], count: 1) }
        // 2^31 values: beyond any page.
        expectEncodingError(.limitExceeded) { _ = try dbpDecode64([0x80, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x08, 0x00], count: 1) }
        // More values requested than the header holds.
        expectEncodingError(.truncated) { _ = try dbpDecode64([0x80, 0x01, 0x04, 0x01, 0x0E], count: 2) }
    }

    @Test("Malformed headers and blocks throw")
    func malformed() throws {
        expectEncodingError(.corrupt) { _ = try dbpDecode64([0x00, 0x01, 0x01, 0x00], count: 1) }  // block size 0
        expectEncodingError(.corrupt) { _ = try dbpDecode64([0x80, 0x01, 0x00, 0x01, 0x00], count: 1) }  // 0 miniblocks
        expectEncodingError(.corrupt) { _ = try dbpDecode64([0x80, 0x01, 0x03, 0x01, 0x00], count: 1) }  // 128 / 3
        expectEncodingError(.truncated) { _ = try dbpDecode64([0x80, 0x01, 0x04], count: 0) }
        // A miniblock 65 bits wide; 33 bits for INT32.
        let wide: [UInt8] = [0x08, 0x01, 0x02, 0x00, 0x00, 65] + [UInt8](repeating: 0, count: 80)
        expectEncodingError(.corrupt) { _ = try dbpDecode64(wide, count: 2) }
        var int33 = wide
        int33[5] = 33
        expectEncodingError(.corrupt) { _ = try dbpDecode32(int33, count: 2) }
        #expect(try dbpDecode64(int33, count: 2).values.count == 2)
        // A miniblock cut short.
        let values = (0..<200).map { Int64($0 * $0) }
        let encoded = dbpEncode(values)
        var failures = 0
        for length in 0..<encoded.count {
            do {
                // Possible only when the cut falls in the padding of the last miniblock.
                let decoded = try dbpDecode64(Array(encoded[0..<length]), count: values.count)
                #expect(decoded.values == values)
                #expect(decoded.consumed == length)
            } catch let error as ParquetFormatError {
                #expect(error.code == .truncated, "\(error)")
                failures += 1
            }
        }
        #expect(failures >= encoded.count - 32 * 8)
    }

    @Test("Random bytes never crash the decoder")
    func randomBytes() {
        var rng = EncodingRNG(seed: 24)
        for round in 0..<3000 {
            var bytes: [UInt8] = [0x08 << UInt8(round % 5), UInt8(1 << (round % 3))]
            bytes += (0..<Int(rng.next() % 60)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let count = Int(rng.next() % 100)
            expectNoCrash { _ = try dbpDecode64(bytes, count: count) }
            expectNoCrash { _ = try dbpDecode32(bytes, count: count) }
        }
    }
}

@Suite("DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY")
struct EncodingDeltaByteArrayTests {
    func dlbaEncode(_ values: [[UInt8]]) -> [UInt8] {
        let layout = byteArrayLayout(values)
        var out: [UInt8] = []
        layout.offsets.withUnsafeBufferPointer { o in
            layout.data.withUnsafeBytes { DeltaLengthByteArray.encode(offsets: o, data: $0, appendingTo: &out) }
        }
        return out
    }

    func dbaEncode(_ values: [[UInt8]]) -> [UInt8] {
        let layout = byteArrayLayout(values)
        var out: [UInt8] = []
        layout.offsets.withUnsafeBufferPointer { o in
            layout.data.withUnsafeBytes { DeltaByteArray.encode(offsets: o, data: $0, appendingTo: &out) }
        }
        return out
    }

    func dlbaDecode(_ bytes: [UInt8], count: Int, offsets: inout [Int32], data: inout [UInt8]) throws -> Int {
        try bytes.withUnsafeBytes { try DeltaLengthByteArray.decode($0, count: count, offsets: &offsets, data: &data) }
    }

    func dbaDecode(
        _ bytes: [UInt8], count: Int, offsets: inout [Int32], data: inout [UInt8], maxDataBytes: Int = Int(Int32.max)
    ) throws -> Int {
        try bytes.withUnsafeBytes {
            try DeltaByteArray.decode($0, count: count, offsets: &offsets, data: &data, maxDataBytes: maxDataBytes)
        }
    }

    func strings(_ values: [String]) -> [[UInt8]] { values.map { Array($0.utf8) } }

    @Test("Encodings.md: Hello, World, Foobar, ABCDEF")
    func dlbaSpecExample() throws {
        let values = strings(["Hello", "World", "Foobar", "ABCDEF"])
        let encoded = dlbaEncode(values)
        let tail = Array("HelloWorldFoobarABCDEF".utf8)
        #expect(Array(encoded.suffix(tail.count)) == tail)
        let lengths = try dbpDecode32(encoded, count: 4)
        #expect(lengths.values == [5, 5, 6, 6])
        #expect(lengths.consumed + tail.count == encoded.count)
        var offsets: [Int32] = []
        var data: [UInt8] = []
        #expect(try dlbaDecode(encoded + [0x00], count: 4, offsets: &offsets, data: &data) == encoded.count)
        #expect(offsets == [0, 5, 10, 16, 22])
        #expect(data == tail)
    }

    @Test("DELTA_LENGTH_BYTE_ARRAY: fewer values than the header holds")
    func dlbaFewerValues() throws {
        let values = strings(["Hello", "World", "Foobar", "ABCDEF"])
        let encoded = dlbaEncode(values)
        var offsets: [Int32] = []
        var data: [UInt8] = []
        let consumed = try dlbaDecode(encoded, count: 2, offsets: &offsets, data: &data)
        #expect(byteArrayValues(offsets: offsets, data: data) == Array(values[0..<2]))
        #expect(consumed == encoded.count - 12)
    }

    @Test("Encodings.md: axis, axle, babble, babyhood")
    func dbaSpecExample() throws {
        let values = strings(["axis", "axle", "babble", "babyhood"])
        let encoded = dbaEncode(values)
        try encoded.withUnsafeBytes { raw in
            var prefixes = try DeltaBinaryPackedDecoder(raw)
            var p = [Int32](repeating: 0, count: 4)
            _ = try p.withUnsafeMutableBufferPointer { try prefixes.decode(into: $0) }
            #expect(p == [0, 2, 0, 3])
            let suffixStart = try prefixes.skipToEnd()
            var suffixes = try DeltaBinaryPackedDecoder(UnsafeRawBufferPointer(rebasing: raw[suffixStart...]))
            var s = [Int32](repeating: 0, count: 4)
            _ = try s.withUnsafeMutableBufferPointer { try suffixes.decode(into: $0) }
            #expect(s == [4, 2, 6, 5])
            let bytesStart = suffixStart + (try suffixes.skipToEnd())
            #expect(Array(raw[bytesStart...]) == Array("axislebabbleyhood".utf8))
        }
        var offsets: [Int32] = []
        var data: [UInt8] = []
        #expect(try dbaDecode(encoded, count: 4, offsets: &offsets, data: &data) == encoded.count)
        #expect(byteArrayValues(offsets: offsets, data: data) == values)
    }

    @Test("Round trips with shared prefixes, empty values and appending to earlier pages")
    func roundTrips() throws {
        var rng = EncodingRNG(seed: 31)
        var values: [[UInt8]] = [[]]
        for i in 0..<700 {
            let base = Array("https://example.org/path/\(i / 10)/".utf8)
            let shared = Int(rng.next() % UInt64(base.count + 1))
            let tail = (0..<Int(rng.next() % 12)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            values.append(Array(base[0..<shared]) + tail)
            if i % 97 == 0 { values.append([]) }
        }
        values.sort { $0.lexicographicallyPrecedes($1) }
        for encoding in ["dlba", "dba"] {
            let encoded = encoding == "dlba" ? dlbaEncode(values) : dbaEncode(values)
            var offsets: [Int32] = [0, 2]
            var data: [UInt8] = [0xEE, 0xEF]
            let consumed = encoding == "dlba"
                ? try dlbaDecode(encoded, count: values.count, offsets: &offsets, data: &data)
                : try dbaDecode(encoded, count: values.count, offsets: &offsets, data: &data)
            #expect(consumed == encoded.count)
            #expect(byteArrayValues(offsets: offsets, data: data) == [[0xEE, 0xEF]] + values)
        }
        // DELTA_BYTE_ARRAY is smaller than DELTA_LENGTH_BYTE_ARRAY on sorted URLs.
        #expect(dbaEncode(values).count < dlbaEncode(values).count)
        // Empty input.
        var offsets: [Int32] = []
        var data: [UInt8] = []
        #expect(try dbaDecode(dbaEncode([]), count: 0, offsets: &offsets, data: &data) > 0)
        #expect(offsets == [0])
    }

    @Test("DELTA_BYTE_ARRAY for FIXED_LEN_BYTE_ARRAY")
    func fixedLength() throws {
        var rng = EncodingRNG(seed: 32)
        let width = 16
        var flat: [UInt8] = []
        for i in 0..<300 {
            let shared = Array(repeating: UInt8(i / 50), count: 10)
            flat += shared + (0..<6).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        var encoded: [UInt8] = []
        flat.withUnsafeBytes { DeltaByteArray.encodeFixed($0, width: width, appendingTo: &encoded) }
        #expect(encoded.count < flat.count)
        var data: [UInt8] = [7]
        let consumed = try encoded.withUnsafeBytes { try DeltaByteArray.decodeFixed($0, count: 300, width: width, data: &data) }
        #expect(consumed == encoded.count)
        #expect(data == [7] + flat)
        // Values that are not `width` bytes.
        var other: [UInt8] = []
        expectEncodingError(.corrupt) {
            _ = try encoded.withUnsafeBytes { try DeltaByteArray.decodeFixed($0, count: 300, width: 15, data: &other) }
        }
        #expect(other.isEmpty)
        expectEncodingError(.limitExceeded) {
            _ = try encoded.withUnsafeBytes {
                try DeltaByteArray.decodeFixed($0, count: 300, width: width, data: &other, maxDataBytes: 1000)
            }
        }
    }

    /// DELTA_BYTE_ARRAY bytes from explicit prefix lengths, suffix lengths and suffix bytes.
    func dbaBytes(prefixes: [Int32], suffixes: [Int32], bytes: [UInt8]) -> [UInt8] {
        dbpEncode(prefixes) + dbpEncode(suffixes) + bytes
    }

    @Test("Malformed delta byte arrays throw and leave the buffers as they were")
    func malformed() throws {
        var offsets: [Int32] = [0, 1]
        var data: [UInt8] = [0x55]
        // A prefix longer than the previous value.
        expectEncodingError(.corrupt) {
            _ = try dbaDecode(dbaBytes(prefixes: [0, 5], suffixes: [2, 1], bytes: [1, 2, 3]), count: 2, offsets: &offsets, data: &data)
        }
        // A first value with a prefix.
        expectEncodingError(.corrupt) {
            _ = try dbaDecode(dbaBytes(prefixes: [1], suffixes: [1], bytes: [1]), count: 1, offsets: &offsets, data: &data)
        }
        // Negative lengths.
        expectEncodingError(.corrupt) {
            _ = try dbaDecode(dbaBytes(prefixes: [0], suffixes: [-1], bytes: []), count: 1, offsets: &offsets, data: &data)
        }
        expectEncodingError(.corrupt) {
            _ = try dlbaDecode(dbpEncode([Int32](arrayLiteral: 2, -1)) + [1, 2], count: 2, offsets: &offsets, data: &data)
        }
        // Suffix bytes missing.
        expectEncodingError(.truncated) {
            _ = try dbaDecode(dbaBytes(prefixes: [0, 0], suffixes: [2, 2], bytes: [1, 2, 3]), count: 2, offsets: &offsets, data: &data)
        }
        expectEncodingError(.truncated) {
            _ = try dlbaDecode(dbpEncode([Int32](arrayLiteral: 2, 2)) + [1, 2, 3], count: 2, offsets: &offsets, data: &data)
        }
        // More values requested than the streams hold.
        expectEncodingError(.truncated) {
            _ = try dbaDecode(dbaBytes(prefixes: [0], suffixes: [1], bytes: [1]), count: 2, offsets: &offsets, data: &data)
        }
        // A small input describing a large output: refused by the limit before allocating.
        let first = [Int32](arrayLiteral: 0) + [Int32](repeating: 1000, count: 1000)
        let bomb = dbaBytes(prefixes: first, suffixes: [1000] + [Int32](repeating: 0, count: 1000), bytes: [UInt8](repeating: 0x61, count: 1000))
        #expect(bomb.count < 1400)
        expectEncodingError(.limitExceeded) {
            _ = try dbaDecode(bomb, count: 1001, offsets: &offsets, data: &data, maxDataBytes: 100_000)
        }
        #expect(offsets == [0, 1])
        #expect(data == [0x55])
        // Within the limit it decodes.
        _ = try dbaDecode(bomb, count: 1001, offsets: &offsets, data: &data, maxDataBytes: 2_000_000)
        #expect(data.count == 1 + 1001 * 1000)
        #expect(data.dropFirst().allSatisfy { $0 == 0x61 })
    }

    @Test("Truncations and random bytes never crash the decoders")
    func truncationsAndNoise() {
        var rng = EncodingRNG(seed: 33)
        let values = strings((0..<150).map { "value-\($0 / 3)-\($0 % 7)" })
        for encoded in [dlbaEncode(values), dbaEncode(values)] {
            for length in 0..<encoded.count {
                var offsets: [Int32] = []
                var data: [UInt8] = []
                expectNoCrash { _ = try dlbaDecode(Array(encoded[0..<length]), count: values.count, offsets: &offsets, data: &data) }
                expectNoCrash { _ = try dbaDecode(Array(encoded[0..<length]), count: values.count, offsets: &offsets, data: &data) }
            }
        }
        for round in 0..<2000 {
            var bytes: [UInt8] = [0x08, 0x01]
            bytes += (0..<Int(rng.next() % 50)).map { _ in UInt8(truncatingIfNeeded: rng.next() % (round % 2 == 0 ? 4 : 256)) }
            let count = Int(rng.next() % 10)
            var offsets: [Int32] = []
            var data: [UInt8] = []
            expectNoCrash { _ = try dlbaDecode(bytes, count: count, offsets: &offsets, data: &data) }
            expectNoCrash { _ = try dbaDecode(bytes, count: count, offsets: &offsets, data: &data, maxDataBytes: 1 << 20) }
            expectNoCrash {
                _ = try bytes.withUnsafeBytes { try DeltaByteArray.decodeFixed($0, count: count, width: 3, data: &data) }
            }
        }
    }
}
