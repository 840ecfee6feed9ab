import Compression
import Testing

/// Garbage, truncation, wrong sizes and bombs: always a CompressionError, never a crash.
@Suite("Malformed input")
struct MalformedInputTests {
    /// Compressible and incompressible parts, so every codec emits varied structure.
    static let payload = repetitiveBytes(40_000) + randomBytes(8_000, seed: 99) + repetitiveBytes(16_000)

    @Test("truncated input throws", arguments: allCodecs)
    func truncated(codec: CompressionCodec) throws {
        guard codec != .none else { return }
        let data = Self.payload
        let compressed = try compress(data, writer(for: codec))
        var decompressor = try Decompressor(codec: codec)
        for cut in [1, compressed.count / 2, compressed.count - 1] {
            let prefix = Array(compressed.prefix(cut))
            #expect(throws: CompressionError.self, "cut at \(cut)") {
                _ = try decompressor.decompress(prefix, uncompressedSize: data.count)
            }
            // A raw LZ4 block has no end marker nor size: a cut that ends a literal
            // run is a valid shorter block, so only the exact size can catch it.
            if writer(for: codec) != .lz4Raw {
                #expect(throws: CompressionError.self, "cut at \(cut)") {
                    _ = try decompressor.decompress(prefix, maxOutput: 1 << 20)
                }
            }
        }
        // Still usable afterwards.
        #expect(try decompressor.decompress(compressed, uncompressedSize: data.count) == data)
    }

    @Test("garbage throws", arguments: allCodecs)
    func garbage(codec: CompressionCodec) throws {
        var decompressor = try Decompressor(codec: codec)
        for seed in 1...20 as ClosedRange<UInt64> {
            let junk = randomBytes(Int(seed) * 97, seed: seed)
            #expect(throws: CompressionError.self, "seed \(seed)") {
                _ = try decompressor.decompress(junk, uncompressedSize: 100_003)
            }
            if codec != .none && codec != .lz4Raw && codec != .lz4Hadoop {
                #expect(throws: CompressionError.self, "seed \(seed)") {
                    _ = try decompressor.decompress(junk, maxOutput: 1 << 20)
                }
            }
        }
    }

    @Test("an exact size that is wrong is a sizeMismatch", arguments: allCodecs)
    func exactSizeMismatch(codec: CompressionCodec) throws {
        let data = Self.payload
        let compressed = try compress(data, writer(for: codec))
        var decompressor = try Decompressor(codec: codec)
        for wrong in [data.count - 1, data.count + 1, data.count / 2] {
            let error = #expect(throws: CompressionError.self, "expected \(wrong)") {
                _ = try decompressor.decompress(compressed, uncompressedSize: wrong)
            }
            #expect(error?.code == .sizeMismatch, "\(String(describing: error))")
        }
        let negative = #expect(throws: CompressionError.self) { _ = try decompressor.decompress(compressed, uncompressedSize: -1) }
        #expect(negative?.code == .sizeMismatch)
        // An output buffer smaller than the size it should hold.
        var small = [UInt8](repeating: 0, count: 10)
        let tooSmall = #expect(throws: CompressionError.self) {
            try compressed.withUnsafeBytes { input in
                try small.withUnsafeMutableBytes { try decompressor.decompress(input, uncompressedSize: 11, into: $0) }
            }
        }
        #expect(tooSmall?.code == .sizeMismatch)
        #expect(try decompressor.decompress(compressed, uncompressedSize: data.count) == data)
    }

    @Test("a 100 MB zstd bomb with a 1 MB limit is limitExceeded")
    func zstdBomb() throws {
        let zeros = [UInt8](repeating: 0, count: 100_000_000)
        let bomb = try compress(zeros, .zstd(level: 1))
        #expect(bomb.count < 10_000)
        var unzstd = try Decompressor(codec: .zstd())
        let error = #expect(throws: CompressionError.self) { _ = try unzstd.decompress(bomb, maxOutput: 1_000_000) }
        #expect(error?.code == .limitExceeded)
        #expect(error?.description == "zstd: limitExceeded: decodes to more than the maximum of 1000000 bytes")
    }

    @Test("bombs are limitExceeded for every codec", arguments: allCodecs)
    func bombs(codec: CompressionCodec) throws {
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        let bomb = try compress(zeros, writer(for: codec))
        var decompressor = try Decompressor(codec: codec)
        for limit in [0, 1, 1 << 20, (8 << 20) - 1] {
            let error = #expect(throws: CompressionError.self, "limit \(limit)") {
                _ = try decompressor.decompress(bomb, maxOutput: limit)
            }
            #expect(error?.code == .limitExceeded, "\(String(describing: error))")
        }
        #expect(try decompressor.decompress(bomb, maxOutput: 8 << 20) == zeros)
    }

    @Test("a Hadoop LZ4 header claiming 2 GiB allocates nothing and fails")
    func hadoopLyingHeader() throws {
        let chunk = try compress(Array("tiny".utf8), .lz4Raw)
        let lying = bigEndian32(Int(Int32.max)) + bigEndian32(chunk.count) + chunk
        var hadoop = try Decompressor(codec: .lz4Hadoop)
        let bounded = #expect(throws: CompressionError.self) { _ = try hadoop.decompress(lying, maxOutput: 1 << 20) }
        #expect(bounded?.code == .limitExceeded)
        let unbounded = #expect(throws: CompressionError.self) { _ = try hadoop.decompress(lying, maxOutput: .max) }
        #expect(unbounded?.code == .corrupt)
    }

    @Test("a snappy header claiming 4 GiB is refused before allocating")
    func snappyLyingHeader() throws {
        let lying: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x10] + Array("hello".utf8)
        var unsnappy = try Decompressor(codec: .snappy)
        let bounded = #expect(throws: CompressionError.self) { _ = try unsnappy.decompress(lying, maxOutput: 1 << 20) }
        #expect(bounded?.code == .limitExceeded)
        let exact = #expect(throws: CompressionError.self) { _ = try unsnappy.decompress(lying, uncompressedSize: 5) }
        #expect(exact?.code == .sizeMismatch)
    }

    /// Random mutations of valid streams: every outcome is a CompressionError
    /// or output of the promised size.
    @Test("mutated streams never crash", arguments: allCodecs)
    func mutations(codec: CompressionCodec) throws {
        let data = Array(Self.payload.prefix(20_000))
        let valid = try compress(data, writer(for: codec))
        var decompressor = try Decompressor(codec: codec)
        var rng = SplitMix64(state: 0xC0DEC)
        for round in 0..<300 {
            var mutated = valid
            switch round % 4 {
            case 0:  // flip a few bytes
                for _ in 0..<(1 + rng.next(below: 4)) {
                    mutated[rng.next(below: mutated.count)] ^= UInt8(1 + rng.next(below: 255))
                }
            case 1:  // truncate
                mutated.removeLast(1 + rng.next(below: mutated.count))
            case 2:  // insert garbage
                mutated.insert(contentsOf: randomBytes(1 + rng.next(below: 16), seed: rng.next()), at: rng.next(below: mutated.count))
            default:  // overwrite the head, where headers and sizes live
                for i in 0..<min(8, mutated.count) where rng.next(below: 2) == 0 { mutated[i] = UInt8(rng.next(below: 256)) }
            }
            do {
                let out = try decompressor.decompress(mutated, uncompressedSize: data.count)
                #expect(out.count == data.count)
            } catch {
                #expect(!error.message.isEmpty)  // typed throws: always a CompressionError
            }
            do {
                let out = try decompressor.decompress(mutated, maxOutput: 50_000)
                #expect(out.count <= 50_000)
            } catch {
                #expect(!error.message.isEmpty)  // typed throws: always a CompressionError
            }
        }
        #expect(try decompressor.decompress(valid, uncompressedSize: data.count) == data)
    }
}
