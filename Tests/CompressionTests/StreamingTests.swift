import Compression
import Testing

@Suite("Streaming decompression")
struct StreamingTests {
    static let data = repetitiveBytes(600_000) + randomBytes(300_000, seed: 21) + repetitiveBytes(200_000)

    /// Feeds `input` in chunks of the given sizes (cycled), collecting the output
    /// and checking that no output chunk exceeds the buffer size.
    func stream(_ input: [UInt8], _ decompressor: StreamingDecompressor, chunkSizes: [Int], bufferSize: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var largestPiece = 0
        var emptyPieces = 0
        var offset = 0
        var index = 0
        while offset < input.count {
            let size = min(chunkSizes[index % chunkSizes.count], input.count - offset)
            index += 1
            try input[offset..<(offset + size)].withUnsafeBytes { chunk in
                try decompressor.feed(chunk) { piece in
                    largestPiece = max(largestPiece, piece.count)
                    if piece.isEmpty { emptyPieces += 1 }
                    output.append(contentsOf: piece)
                }
            }
            offset += size
        }
        try decompressor.finish()
        #expect(largestPiece <= bufferSize)
        #expect(emptyPieces == 0)
        return output
    }

    @Test("gzip and zstd in small chunks equal one-shot",
          arguments: [CompressionCodec.gzip(), .zstd(), .deflateRaw(), .brotli(), .none])
    func chunkedEqualsOneShot(codec: CompressionCodec) throws {
        let compressed = try compress(Self.data, codec)
        var oneShot = try Decompressor(codec: codec)
        let expected = try oneShot.decompress(compressed, maxOutput: 16 << 20)
        #expect(expected == Self.data)
        for (chunks, bufferSize) in [([1, 7, 13], 4096), ([4096], 1000), ([65_536, 3], StreamingDecompressor.defaultBufferSize), ([compressed.count], 61)] {
            let streaming = try StreamingDecompressor(codec: codec, bufferSize: bufferSize)
            #expect(try stream(compressed, streaming, chunkSizes: chunks, bufferSize: bufferSize) == expected, "chunks \(chunks), buffer \(bufferSize)")
            #expect(streaming.totalOutput == 0)  // reset by finish
            // Reusable for a second stream after finish.
            #expect(try stream(compressed, streaming, chunkSizes: [50_000], bufferSize: bufferSize) == expected)
        }
    }

    @Test("multi-member gzip and multi-frame zstd, split at every kind of boundary",
          arguments: [CompressionCodec.gzip(level: 1), .zstd(level: 1)])
    func concatenated(codec: CompressionCodec) throws {
        let parts = [repetitiveBytes(100_000), [], randomBytes(1000, seed: 2), Array("x".utf8)]
        var input: [UInt8] = []
        for part in parts { input += try compress(part, codec) }
        let expected = parts.flatMap { $0 }
        for chunk in [1, 2, 5, 17, 1000, input.count] {
            let streaming = try StreamingDecompressor(codec: codec, bufferSize: 777)
            #expect(try stream(input, streaming, chunkSizes: [chunk], bufferSize: 777) == expected, "chunk \(chunk)")
        }
    }

    @Test("a truncated stream fails at finish, and the decompressor stays failed",
          arguments: [CompressionCodec.gzip(), .zstd(), .brotli()])
    func truncated(codec: CompressionCodec) throws {
        let compressed = try compress(Self.data, codec)
        let streaming = try StreamingDecompressor(codec: codec)
        var received = 0
        try Array(compressed.dropLast(5)).withUnsafeBytes { chunk in
            try streaming.feed(chunk) { received += $0.count }
        }
        // gzip may have given all the data: the cut fell in its 8-byte trailer.
        #expect(received > Self.data.count / 2 && received <= Self.data.count)
        let error = #expect(throws: CompressionError.self) { try streaming.finish() }
        #expect(error?.code == .corrupt)
        #expect(throws: CompressionError.self) { try streaming.finish() }
        #expect(throws: CompressionError.self) {
            try [UInt8](repeating: 0, count: 4).withUnsafeBytes { try streaming.feed($0) { _ in } }
        }
    }

    @Test("garbage fails in feed")
    func garbage() throws {
        let streaming = try StreamingDecompressor(codec: .gzip())
        let error = #expect(throws: CompressionError.self) {
            try randomBytes(5000, seed: 8).withUnsafeBytes { try streaming.feed($0) { _ in } }
        }
        #expect(error?.code == .corrupt)
    }

    @Test("the total output is bounded by maxOutput")
    func bomb() throws {
        let zeros = [UInt8](repeating: 0, count: 20 << 20)
        for codec in [CompressionCodec.gzip(), .zstd()] {
            let bomb = try compress(zeros, codec)
            let streaming = try StreamingDecompressor(codec: codec, maxOutput: 5 << 20)
            var received = 0
            let error = #expect(throws: CompressionError.self) {
                try bomb.withUnsafeBytes { try streaming.feed($0) { received += $0.count } }
            }
            #expect(error?.code == .limitExceeded)
            #expect(received <= 5 << 20)
        }
    }

    @Test("errors thrown by the output closure propagate")
    func closureErrors() throws {
        struct Stop: Error {}
        let compressed = try compress(Self.data, .zstd())
        let streaming = try StreamingDecompressor(codec: .zstd())
        #expect(throws: Stop.self) {
            try compressed.withUnsafeBytes { try streaming.feed($0) { _ in throw Stop() } }
        }
        #expect(throws: CompressionError.self) { try streaming.finish() }
    }

    @Test("block formats cannot stream", arguments: [CompressionCodec.snappy, .lz4Raw, .lz4Hadoop])
    func blockFormats(codec: CompressionCodec) {
        let error = #expect(throws: CompressionError.self) { _ = try StreamingDecompressor(codec: codec) }
        #expect(error?.code == .unsupported)
    }

    @Test("detect recognises gzip and zstd magic")
    func detect() throws {
        func detect(_ bytes: [UInt8]) -> CompressionCodec? {
            bytes.withUnsafeBytes { StreamingDecompressor.detect(magic: $0) }
        }
        #expect(detect([0x1F, 0x8B]) == .gzip())
        #expect(detect(try compress(Array("x".utf8), .gzip(level: 9))) == .gzip())
        #expect(detect([0x28, 0xB5, 0x2F, 0xFD, 0x00]) == .zstd())
        #expect(detect(try compress(Array("x".utf8), .zstd())) == .zstd())
        #expect(detect([0x5E, 0x2A, 0x4D, 0x18]) == .zstd())  // a skippable frame
        #expect(detect(Array("{\"a\":1}".utf8)) == nil)
        #expect(detect([0x1F]) == nil)
        #expect(detect([0x28, 0xB5, 0x2F]) == nil)
        #expect(detect([]) == nil)
    }
}
