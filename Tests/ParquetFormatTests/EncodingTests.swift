import Testing
import ParquetFormat

// Tests of the RLE / bit-packed hybrid, levels, dictionary indices and RLE booleans, plus the
// helpers the other Encoding*Tests files share.

/// SplitMix64: deterministic random data for round trips.
struct EncodingRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs `body` and checks it throws a `ParquetFormatError` with `code`.
func expectEncodingError(
    _ code: ParquetFormatError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected a \(code) error, got none", sourceLocation: sourceLocation)
    } catch let error as ParquetFormatError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// Runs `body` on malformed input: it may succeed or throw `ParquetFormatError`, never anything else.
func expectNoCrash(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do { try body() } catch is ParquetFormatError {} catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

func hybridDecode(_ bytes: [UInt8], bitWidth: Int, count: Int) throws -> [Int32] {
    var out = [Int32](repeating: -1, count: count)
    try bytes.withUnsafeBytes { raw in
        var decoder = try RLEHybridDecoder(raw, bitWidth: bitWidth)
        try out.withUnsafeMutableBufferPointer { try decoder.decode(count: count, into: $0) }
    }
    return out
}

func hybridEncode(_ values: [Int32], bitWidth: Int) -> [UInt8] {
    var out: [UInt8] = []
    values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: bitWidth, appendingTo: &out) }
    return out
}

func levelsV1(_ bytes: [UInt8], maxLevel: Int, count: Int) throws -> (levels: [UInt16], consumed: Int) {
    var out = [UInt16](repeating: 0xFFFF, count: count)
    let consumed = try bytes.withUnsafeBytes { raw in
        try out.withUnsafeMutableBufferPointer { try LevelEncoding.decodeV1(raw, maxLevel: maxLevel, count: count, into: $0) }
    }
    return (out, consumed)
}

func encodeLevelsV1(_ levels: [UInt16], maxLevel: Int) -> [UInt8] {
    var out: [UInt8] = []
    levels.withUnsafeBufferPointer { LevelEncoding.encodeV1($0, maxLevel: maxLevel, appendingTo: &out) }
    return out
}

/// Random values of `bitWidth` bits: uniformly random, or in runs of random lengths.
func hybridTestValues(count: Int, bitWidth: Int, runHeavy: Bool, rng: inout EncodingRNG) -> [Int32] {
    let mask: UInt64 = bitWidth == 0 ? 0 : (bitWidth == 64 ? ~0 : (1 << UInt64(bitWidth)) - 1)
    var values: [Int32] = []
    values.reserveCapacity(count)
    while values.count < count {
        let value = Int32(truncatingIfNeeded: rng.next() & mask)
        let run = runHeavy ? Int(rng.next() % 40) + 1 : 1
        for _ in 0..<min(run, count - values.count) { values.append(value) }
    }
    return values
}

@Suite("RLE / bit-packed hybrid")
struct EncodingHybridTests {
    @Test("FORMATS.md 1.4: list levels decode from pyarrow's bytes, and encode to them")
    func nestedListLevels() throws {
        // optional list<optional int32>, rows [1,2], [], null
        let page: [UInt8] = [
            0x02, 0x00, 0x00, 0x00, 0x03, 0x02,
            0x03, 0x00, 0x00, 0x00, 0x03, 0x1F, 0x00,
            0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
        ]
        let rep = try levelsV1(page, maxLevel: 1, count: 4)
        #expect(rep.levels == [0, 1, 0, 0])
        #expect(rep.consumed == 6)
        let def = try levelsV1(Array(page[6...]), maxLevel: 3, count: 4)
        #expect(def.levels == [3, 3, 1, 0])
        #expect(def.consumed == 7)
        var values = [Int32](repeating: 0, count: 2)
        let consumed = try page[13...].withUnsafeBytes { raw in
            try values.withUnsafeMutableBufferPointer { try PlainEncoding.decode(raw, count: 2, into: $0) }
        }
        #expect(values == [1, 2])
        #expect(consumed == 8)

        #expect(encodeLevelsV1([0, 1, 0, 0], maxLevel: 1) == Array(page[0..<6]))
        #expect(encodeLevelsV1([3, 3, 1, 0], maxLevel: 3) == Array(page[6..<13]))
    }

    @Test("FORMATS.md 1.4: the def-level stream 03 1f 00 at width 2 is 3,3,1,0")
    func defLevelStream() throws {
        #expect(try hybridDecode([0x03, 0x1F, 0x00], bitWidth: 2, count: 4) == [3, 3, 1, 0])
        var levels = [UInt16](repeating: 9, count: 4)
        try [UInt8]([0x03, 0x1F, 0x00]).withUnsafeBytes { raw in
            try levels.withUnsafeMutableBufferPointer { try LevelEncoding.decodeV2(raw, maxLevel: 3, count: 4, into: $0) }
        }
        #expect(levels == [3, 3, 1, 0])
    }

    @Test("FORMATS.md 1.4: flat optional int64 [1, 2, null] levels")
    func flatLevels() throws {
        let bytes: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x03, 0x03]
        #expect(try levelsV1(bytes, maxLevel: 1, count: 3).levels == [1, 1, 0])
        #expect(encodeLevelsV1([1, 1, 0], maxLevel: 1) == bytes)
    }

    @Test("Encodings.md: 0…7 at width 3 bit-pack LSB-first to 88 C6 FA")
    func specBitPackingExample() throws {
        let bytes: [UInt8] = [0x03, 0x88, 0xC6, 0xFA]
        #expect(try hybridDecode(bytes, bitWidth: 3, count: 8) == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(hybridEncode([0, 1, 2, 3, 4, 5, 6, 7], bitWidth: 3) == bytes)
    }

    @Test("100 repeated values encode as one RLE run")
    func repeatedValuesAreOneRun() throws {
        let encoded = hybridEncode([Int32](repeating: 5, count: 100), bitWidth: 3)
        #expect(encoded == [0xC8, 0x01, 0x05])  // header 100 << 1 = 200 as ULEB128, then the value
        #expect(try hybridDecode(encoded, bitWidth: 3, count: 100) == [Int32](repeating: 5, count: 100))
        // A value needing 2 bytes: the run value takes ceil(w/8) bytes.
        #expect(hybridEncode([Int32](repeating: 0x1234, count: 20), bitWidth: 13) == [0x28, 0x34, 0x12])
    }

    @Test("Short repeats are bit-packed; a long repeat after them becomes an RLE run")
    func mixedRuns() throws {
        let values: [Int32] = [1, 2, 3] + [Int32](repeating: 7, count: 50) + [4]
        let encoded = hybridEncode(values, bitWidth: 3)
        // Group [1,2,3,7,7,7,7,7] bit-packed, then 45 sevens as RLE, then [4] padded.
        #expect(encoded[0] == 0x03)
        #expect(Array(encoded[4..<6]) == [90, 7])
        #expect(try hybridDecode(encoded, bitWidth: 3, count: values.count) == values)
    }

    @Test("Round trips at every bit width 0…32, random and run-heavy, odd counts", arguments: 0...32)
    func roundTripEveryWidth(bitWidth: Int) throws {
        var rng = EncodingRNG(seed: UInt64(bitWidth) &* 7919 &+ 1)
        for count in [0, 1, 7, 9, 63, 1003] {
            for runHeavy in [false, true] {
                let values = hybridTestValues(count: count, bitWidth: bitWidth, runHeavy: runHeavy, rng: &rng)
                let encoded = hybridEncode(values, bitWidth: bitWidth)
                #expect(encoded.count <= RLEHybridEncoder.maxEncodedSize(count: count, bitWidth: bitWidth))
                #expect(try hybridDecode(encoded, bitWidth: bitWidth, count: count) == values)
                if bitWidth <= 16 {
                    var levels = [UInt16](repeating: 0, count: count)
                    try encoded.withUnsafeBytes { raw in
                        var decoder = try RLEHybridDecoder(raw, bitWidth: bitWidth)
                        try levels.withUnsafeMutableBufferPointer { try decoder.decode(count: count, into: $0) }
                    }
                    #expect(levels.map { Int32($0) } == values)
                }
                if bitWidth <= 8 {
                    var small = [UInt8](repeating: 0, count: count)
                    try encoded.withUnsafeBytes { raw in
                        var decoder = try RLEHybridDecoder(raw, bitWidth: bitWidth)
                        try small.withUnsafeMutableBufferPointer { try decoder.decode(count: count, into: $0) }
                    }
                    #expect(small.map { Int32($0) } == values)
                }
            }
        }
    }

    @Test("Decoding in pieces of any size gives the same values", arguments: [1, 5, 13, 20, 32])
    func decodeInPieces(bitWidth: Int) throws {
        var rng = EncodingRNG(seed: 42 &+ UInt64(bitWidth))
        let values = hybridTestValues(count: 2000, bitWidth: bitWidth, runHeavy: true, rng: &rng)
            + hybridTestValues(count: 700, bitWidth: bitWidth, runHeavy: false, rng: &rng)
        let encoded = hybridEncode(values, bitWidth: bitWidth)
        var decoded: [Int32] = []
        try encoded.withUnsafeBytes { raw in
            var decoder = try RLEHybridDecoder(raw, bitWidth: bitWidth)
            var piece = [Int32](repeating: 0, count: 64)
            while true {
                let size = Int(rng.next() % 64) + 1
                let n = try piece.withUnsafeMutableBufferPointer {
                    try decoder.decode(into: UnsafeMutableBufferPointer(rebasing: $0[0..<size]))
                }
                decoded += piece[0..<n]
                if n < size { break }
            }
            #expect(decoder.bytesConsumed == encoded.count)
        }
        // The padding of the last group is decoded too: the stream holds a multiple of 8 values
        // unless it ends with an RLE run.
        #expect(Array(decoded.prefix(values.count)) == values)
        #expect(decoded.dropFirst(values.count).allSatisfy { $0 == 0 })
    }

    @Test("Bit width 0: every value is 0, with or without runs in the input")
    func widthZero() throws {
        #expect(try hybridDecode([], bitWidth: 0, count: 5) == [0, 0, 0, 0, 0])
        let encoded = hybridEncode([Int32](repeating: 0, count: 10), bitWidth: 0)
        #expect(encoded == [0x14])
        #expect(try hybridDecode(encoded, bitWidth: 0, count: 10) == [Int32](repeating: 0, count: 10))
    }

    @Test("A run longer than needed and a padded last group are fine")
    func moreThanNeeded() throws {
        // RLE run of 2^31-1 values: no allocation, just the values asked for.
        let huge: [UInt8] = [0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]
        #expect(try hybridDecode(huge, bitWidth: 1, count: 10) == [Int32](repeating: 1, count: 10))
        // One bit-packed group of 8 when only 3 values are wanted.
        #expect(try hybridDecode([0x03, 0xFF], bitWidth: 1, count: 3) == [1, 1, 1])
    }

    @Test("Malformed and truncated streams throw, never crash")
    func malformedStreams() throws {
        // A run value wider than the bit width.
        expectEncodingError(.corrupt) { _ = try hybridDecode([0x02, 0x02], bitWidth: 1, count: 1) }
        // A varint that never ends, and one longer than 32 bits.
        expectEncodingError(.truncated) { _ = try hybridDecode([0x80], bitWidth: 1, count: 1) }
        expectEncodingError(.corrupt) { _ = try hybridDecode([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], bitWidth: 1, count: 1) }
        // Two groups of width 8 announced, one byte present: 1 value, not 16.
        expectEncodingError(.truncated) { _ = try hybridDecode([0x05, 0x07], bitWidth: 8, count: 16) }
        try [UInt8]([0x05, 0x07]).withUnsafeBytes { raw in
            var decoder = try RLEHybridDecoder(raw, bitWidth: 8)
            var out = [Int32](repeating: -1, count: 16)
            let n = try out.withUnsafeMutableBufferPointer { try decoder.decode(into: $0) }
            #expect(n == 1)
            #expect(out[0] == 7)
        }
        // An RLE run whose value is cut short.
        expectEncodingError(.truncated) { _ = try hybridDecode([0x04, 0x34], bitWidth: 12, count: 2) }
        // Empty input.
        expectEncodingError(.truncated) { _ = try hybridDecode([], bitWidth: 3, count: 1) }
        // Bad widths.
        expectEncodingError(.corrupt) { _ = try hybridDecode([], bitWidth: 33, count: 0) }
        expectEncodingError(.corrupt) {
            try [UInt8]([0x02, 0x01]).withUnsafeBytes { raw in
                var decoder = try RLEHybridDecoder(raw, bitWidth: 17)
                var out = [UInt16](repeating: 0, count: 1)
                _ = try out.withUnsafeMutableBufferPointer { try decoder.decode(into: $0) }
            }
        }
    }

    @Test("Every truncation of a valid stream either decodes or throws", arguments: [1, 3, 8, 17, 32])
    func truncations(bitWidth: Int) throws {
        var rng = EncodingRNG(seed: 99)
        let values = hybridTestValues(count: 300, bitWidth: bitWidth, runHeavy: true, rng: &rng)
        let encoded = hybridEncode(values, bitWidth: bitWidth)
        for length in 0..<encoded.count {
            do {
                let decoded = try hybridDecode(Array(encoded[0..<length]), bitWidth: bitWidth, count: values.count)
                // Only possible when the cut fell in the padding of the last group.
                #expect(decoded == values)
            } catch let error as ParquetFormatError {
                #expect(error.code == .truncated, "\(error)")
                #expect((error.offset ?? -1) >= 0 && (error.offset ?? .max) <= length)
            }
        }
    }

    @Test("Random bytes never crash the decoder")
    func randomBytes() {
        var rng = EncodingRNG(seed: 7)
        for round in 0..<3000 {
            let bytes = (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let width = round % 33
            expectNoCrash { _ = try hybridDecode(bytes, bitWidth: width, count: Int(rng.next() % 200)) }
        }
    }
}

@Suite("Levels")
struct EncodingLevelTests {
    @Test("bitWidth(forMaxLevel:) is ceil(log2(max + 1))")
    func bitWidths() {
        let expected = [0: 0, 1: 1, 2: 2, 3: 2, 4: 3, 7: 3, 8: 4, 255: 8, 256: 9, 65535: 16]
        for (maxLevel, width) in expected {
            #expect(LevelEncoding.bitWidth(forMaxLevel: maxLevel) == width)
        }
    }

    @Test("Encodings.md: legacy BIT_PACKED packs 0…7 at width 3 MSB-first to 05 39 77")
    func legacyBitPacked() throws {
        let bytes: [UInt8] = [0x05, 0x39, 0x77]
        var levels = [UInt16](repeating: 0, count: 8)
        let consumed = try bytes.withUnsafeBytes { raw in
            try levels.withUnsafeMutableBufferPointer { try LevelEncoding.decodeBitPacked(raw, maxLevel: 7, count: 8, into: $0) }
        }
        #expect(levels == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(consumed == 3)
        var encoded: [UInt8] = []
        [UInt16]([0, 1, 2, 3, 4, 5, 6, 7]).withUnsafeBufferPointer {
            LevelEncoding.encodeBitPacked($0, maxLevel: 7, appendingTo: &encoded)
        }
        #expect(encoded == bytes)
        // Spec: 30 values of width 2 take 8 bytes.
        var rng = EncodingRNG(seed: 5)
        let thirty = (0..<30).map { _ in UInt16(rng.next() % 4) }
        var packed: [UInt8] = []
        thirty.withUnsafeBufferPointer { LevelEncoding.encodeBitPacked($0, maxLevel: 3, appendingTo: &packed) }
        #expect(packed.count == 8)
        var back = [UInt16](repeating: 0, count: 30)
        _ = try packed.withUnsafeBytes { raw in
            try back.withUnsafeMutableBufferPointer { try LevelEncoding.decodeBitPacked(raw, maxLevel: 3, count: 30, into: $0) }
        }
        #expect(back == thirty)
        expectEncodingError(.truncated) {
            _ = try packed.dropLast().withUnsafeBytes { raw in
                try back.withUnsafeMutableBufferPointer { try LevelEncoding.decodeBitPacked(raw, maxLevel: 3, count: 30, into: $0) }
            }
        }
    }

    @Test("V1 and V2 level round trips, maximum 0 omitted")
    func roundTrips() throws {
        var rng = EncodingRNG(seed: 11)
        for maxLevel in [1, 2, 3, 5, 16, 1000] {
            let levels = (0..<517).map { _ in UInt16(rng.next() % UInt64(maxLevel + 1)) }
            let v1 = encodeLevelsV1(levels, maxLevel: maxLevel)
            let decoded = try levelsV1(v1 + [0xAA, 0xBB], maxLevel: maxLevel, count: levels.count)
            #expect(decoded.levels == levels)
            #expect(decoded.consumed == v1.count)
            var v2: [UInt8] = []
            levels.withUnsafeBufferPointer { LevelEncoding.encodeV2($0, maxLevel: maxLevel, appendingTo: &v2) }
            #expect(Array(v1[4...]) == v2)
        }
        #expect(encodeLevelsV1([0, 0, 0], maxLevel: 0).isEmpty)
        let zero = try levelsV1([], maxLevel: 0, count: 3)
        #expect(zero.levels == [0, 0, 0])
        #expect(zero.consumed == 0)
    }

    @Test("Levels above the maximum, short blocks and long prefixes throw")
    func malformedLevels() {
        // Width 2 holds 3, but the maximum is 2.
        expectEncodingError(.corrupt) { _ = try levelsV1([0x02, 0, 0, 0, 0x04, 0x03], maxLevel: 2, count: 2) }
        // The prefix promises 9 bytes, 2 follow.
        expectEncodingError(.truncated) { _ = try levelsV1([0x09, 0, 0, 0, 0x03, 0x02], maxLevel: 1, count: 4) }
        // Fewer than 4 bytes of prefix.
        expectEncodingError(.truncated) { _ = try levelsV1([0x02, 0], maxLevel: 1, count: 4) }
        // A prefix of 2^32-1.
        expectEncodingError(.truncated) { _ = try levelsV1([0xFF, 0xFF, 0xFF, 0xFF, 0x03], maxLevel: 1, count: 4) }
        // Runs holding fewer levels than needed.
        expectEncodingError(.truncated) { _ = try levelsV1([0x02, 0, 0, 0, 0x06, 0x01], maxLevel: 1, count: 4) }
        // The error offset is in the outer buffer: the bad run value is at byte 4.
        do {
            _ = try levelsV1([0x02, 0, 0, 0, 0x02, 0x03], maxLevel: 1, count: 1)
            Issue.record("expected an error")
        } catch let error as ParquetFormatError {
            #expect(error.code == .corrupt)
            #expect(error.offset == 4)
        } catch {
            Issue.record("\(error)")
        }
    }
}

@Suite("Dictionary indices and RLE booleans")
struct EncodingDictionaryIndexTests {
    func decodeIndices(_ bytes: [UInt8], count: Int, dictionaryCount: Int) throws -> [Int32] {
        var out = [Int32](repeating: -1, count: count)
        try bytes.withUnsafeBytes { raw in
            try out.withUnsafeMutableBufferPointer {
                try DictionaryIndices.decode(raw, count: count, dictionaryCount: dictionaryCount, into: $0)
            }
        }
        return out
    }

    @Test("A width byte then runs, checked against the dictionary size")
    func indices() throws {
        let body: [UInt8] = [0x02, 0x03, 0xE4, 0xE4]
        #expect(try decodeIndices(body, count: 8, dictionaryCount: 4) == [0, 1, 2, 3, 0, 1, 2, 3])
        var encoded: [UInt8] = []
        [Int32]([0, 1, 2, 3, 0, 1, 2, 3]).withUnsafeBufferPointer {
            DictionaryIndices.encode($0, dictionaryCount: 4, appendingTo: &encoded)
        }
        #expect(encoded == body)
        expectEncodingError(.corrupt) { _ = try decodeIndices(body, count: 8, dictionaryCount: 3) }
        expectEncodingError(.corrupt) { _ = try decodeIndices([33, 0x02, 0x00], count: 1, dictionaryCount: 3) }
        expectEncodingError(.truncated) { _ = try decodeIndices([], count: 1, dictionaryCount: 3) }
        expectEncodingError(.truncated) { _ = try decodeIndices([0x02, 0x03, 0xE4], count: 8, dictionaryCount: 4) }
        // Width 0 (a dictionary of one value), with or without runs.
        #expect(try decodeIndices([0x00], count: 5, dictionaryCount: 1) == [0, 0, 0, 0, 0])
        #expect(try decodeIndices([0x00, 0x0A], count: 5, dictionaryCount: 1) == [0, 0, 0, 0, 0])
        #expect(try decodeIndices([], count: 0, dictionaryCount: 0) == [])
    }

    @Test("Index round trips for dictionary sizes up to 2^20")
    func indexRoundTrips() throws {
        var rng = EncodingRNG(seed: 3)
        for dictionaryCount in [1, 2, 3, 100, 1 << 16, 1 << 20] {
            let indices = (0..<999).map { _ in Int32(rng.next() % UInt64(dictionaryCount)) }
            var encoded: [UInt8] = []
            indices.withUnsafeBufferPointer { DictionaryIndices.encode($0, dictionaryCount: dictionaryCount, appendingTo: &encoded) }
            #expect(Int(encoded[0]) == DictionaryIndices.bitWidth(forDictionaryCount: dictionaryCount))
            #expect(try decodeIndices(encoded, count: indices.count, dictionaryCount: dictionaryCount) == indices)
        }
    }

    @Test("RLE booleans: u32 length, then width-1 runs")
    func rleBooleans() throws {
        let values: [UInt8] = [1, 0, 1, 1, 0]
        var encoded: [UInt8] = []
        values.withUnsafeBufferPointer { RLEBooleans.encode($0, appendingTo: &encoded) }
        #expect(encoded == [0x02, 0x00, 0x00, 0x00, 0x03, 0x0D])
        var rng = EncodingRNG(seed: 8)
        let many = hybridTestValues(count: 1001, bitWidth: 1, runHeavy: true, rng: &rng).map { UInt8($0) }
        var bytes: [UInt8] = []
        many.withUnsafeBufferPointer { RLEBooleans.encode($0, appendingTo: &bytes) }
        var decoded = [UInt8](repeating: 9, count: many.count)
        let consumed = try (bytes + [0xEE]).withUnsafeBytes { raw in
            try decoded.withUnsafeMutableBufferPointer { try RLEBooleans.decode(raw, count: many.count, into: $0) }
        }
        #expect(decoded == many)
        #expect(consumed == bytes.count)
        expectEncodingError(.truncated) {
            _ = try bytes.dropLast().withUnsafeBytes { raw in
                try decoded.withUnsafeMutableBufferPointer { try RLEBooleans.decode(raw, count: many.count, into: $0) }
            }
        }
    }
}
