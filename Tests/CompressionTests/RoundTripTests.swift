import Compression
import Testing

@Suite("Round trips")
struct RoundTripTests {
    @Test("compress then decompress, both ways", arguments: writableCodecs, Sample.allCases)
    func roundTrip(codec: CompressionCodec, sample: Sample) throws {
        let data = sample.bytes
        let compressed = try compress(data, codec)
        var decompressor = try Decompressor(codec: codec)
        #expect(try decompressor.decompress(compressed, uncompressedSize: data.count) == data)
        // A maximum equal to the exact size must not be taken for a bomb.
        #expect(try decompressor.decompress(compressed, maxOutput: data.count) == data)
        #expect(try decompressor.decompress(compressed, maxOutput: 64 << 20) == data)
        // The exact-size form into a caller's buffer, larger than needed.
        var buffer = [UInt8](repeating: 0xAA, count: data.count + 3)
        try compressed.withUnsafeBytes { input in
            try buffer.withUnsafeMutableBytes { output in
                try decompressor.decompress(input, uncompressedSize: data.count, into: output)
            }
        }
        #expect(Array(buffer.prefix(data.count)) == data)
        #expect(Array(buffer.suffix(3)) == [0xAA, 0xAA, 0xAA])
    }

    @Test("compressed sizes match what each codec is for", arguments: writableCodecs)
    func compressedSizes(codec: CompressionCodec) throws {
        let repetitive = try compress(Sample.repetitive1MiB.bytes, codec)
        let random = try compress(Sample.random1MiB.bytes, codec)
        if codec == .none {
            #expect(repetitive.count == 1 << 20)
            #expect(random.count == 1 << 20)
        } else {
            // Snappy and LZ4 trade ratio for speed (about 6.7x here); the others reach 14x and more.
            let fast = codec == .snappy || codec == .lz4Raw
            #expect(repetitive.count < (1 << 20) / (fast ? 5 : 10), "\(codec): \(repetitive.count) bytes")
            // Incompressible data grows by a small bounded overhead only.
            #expect(random.count >= 1 << 20)
            #expect(random.count < (1 << 20) + (1 << 20) / 64, "\(codec): \(random.count) bytes")
        }
    }

    @Test("a Compressor appends after existing bytes and can be reused", arguments: writableCodecs)
    func appendAndReuse(codec: CompressionCodec) throws {
        var compressor = try Compressor(codec: codec)
        let first = repetitiveBytes(50_000)
        let second = randomBytes(10_000, seed: 7)
        let header: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF]

        var output = header
        let written1 = try first.withUnsafeBytes { try compressor.compress($0, appendingTo: &output) }
        #expect(output.count == header.count + written1)
        #expect(Array(output.prefix(4)) == header)
        let written2 = try second.withUnsafeBytes { try compressor.compress($0, appendingTo: &output) }
        #expect(output.count == header.count + written1 + written2)

        var decompressor = try Decompressor(codec: codec)
        let part1 = Array(output[4..<(4 + written1)])
        let part2 = Array(output[(4 + written1)...])
        #expect(try decompressor.decompress(part1, uncompressedSize: first.count) == first)
        #expect(try decompressor.decompress(part2, maxOutput: 1 << 20) == second)
        // The reused context starts from scratch: the same input gives the same bytes.
        #expect(try compressor.compress(first) == part1)
    }

    @Test("levels change the output, not the format")
    func levels() throws {
        let data = repetitiveBytes(300_000)
        for (fast, slow) in [(CompressionCodec.gzip(level: 1), CompressionCodec.gzip(level: 9)),
                             (.zstd(level: 1), .zstd(level: 19)),
                             (.brotli(quality: 0), .brotli(quality: 11)),
                             (.deflateRaw(level: 1), .deflateRaw(level: 9))] {
            let a = try compress(data, fast)
            let b = try compress(data, slow)
            #expect(b.count < a.count, "\(slow) should beat \(fast)")
            var decompressor = try Decompressor(codec: slow)
            #expect(try decompressor.decompress(a, uncompressedSize: data.count) == data)
            #expect(try decompressor.decompress(b, uncompressedSize: data.count) == data)
        }
        // gzip level 0 stores, still as a valid member.
        let stored = try compress(data, .gzip(level: 0))
        #expect(stored.count > data.count)
        var gunzip = try Decompressor(codec: .gzip())
        #expect(try gunzip.decompress(stored, maxOutput: data.count) == data)
        // zstd's negative (fast) levels are accepted.
        let fast = try compress(data, .zstd(level: -5))
        var unzstd = try Decompressor(codec: .zstd())
        #expect(try unzstd.decompress(fast, uncompressedSize: data.count) == data)
    }

    @Test("levels out of range and Hadoop LZ4 compression are unsupported",
          arguments: [CompressionCodec.gzip(level: 10), .gzip(level: -2), .deflateRaw(level: 12),
                      .zstd(level: 1000), .brotli(quality: 12), .brotli(quality: -1), .lz4Hadoop])
    func unsupportedSettings(codec: CompressionCodec) {
        let error = #expect(throws: CompressionError.self) { _ = try Compressor(codec: codec) }
        #expect(error?.code == .unsupported)
        #expect(error?.codec == codec.name)
    }

    @Test("defaults and names")
    func defaults() {
        #expect(CompressionCodec.gzip() == .gzip(level: CompressionCodec.defaultGzipLevel))
        #expect(CompressionCodec.zstd() == .zstd(level: 3))
        #expect(CompressionCodec.brotli() == .brotli(quality: CompressionCodec.defaultBrotliQuality))
        #expect(CompressionCodec.deflateRaw() == .deflateRaw(level: 6))
        #expect(allCodecs.map(\.name) == ["none", "snappy", "gzip", "zstd", "lz4_raw", "brotli", "deflate", "lz4_hadoop"])
        #expect(allCodecs.filter(\.supportsStreaming).map(\.name) == ["none", "gzip", "zstd", "brotli", "deflate"])
        #expect(!CompressionCodec.lz4Hadoop.supportsCompression)
        #expect(CompressionCodec.zstd(level: 7).description == "zstd(7)")
    }
}
