import Compression
import Testing

/// Each codec's framing, against bytes written by other tools or by hand.
@Suite("Codec formats")
struct CodecFormatTests {
    let text = Array("hello, lakegate\n".utf8)

    // MARK: gzip, zlib, raw deflate

    @Test("gzip reads a member written by gzip(1)")
    func gzipFromGzipTool() throws {
        // printf 'hello, lakegate\n' | gzip -n -9
        let member: [UInt8] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48,
            0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0xc8, 0x49, 0xcc, 0x4e, 0x4d, 0x4f, 0x2c,
            0x49, 0xe5, 0x02, 0x00, 0xc5, 0xeb, 0x9d, 0x08, 0x10, 0x00, 0x00, 0x00,
        ]
        var gunzip = try Decompressor(codec: .gzip())
        #expect(try gunzip.decompress(member, uncompressedSize: text.count) == text)
        #expect(try gunzip.decompress(member, maxOutput: 100) == text)

        // A wrong CRC in the trailer is corruption.
        var badCRC = member
        badCRC[member.count - 8] ^= 0x01
        let error = #expect(throws: CompressionError.self) { _ = try gunzip.decompress(badCRC, maxOutput: 100) }
        #expect(error?.code == .corrupt)
        #expect(error?.message == "incorrect data check")
    }

    @Test("gzip writes one RFC 1952 member with the CRC-32 and size trailer")
    func gzipMemberLayout() throws {
        let data = repetitiveBytes(100_000)
        let member = try compress(data, .gzip())
        #expect(Array(member.prefix(3)) == [0x1f, 0x8b, 0x08])  // magic, deflate
        let trailer = Array(member.suffix(8))
        let crc = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
        let size = UInt32(trailer[4]) | UInt32(trailer[5]) << 8 | UInt32(trailer[6]) << 16 | UInt32(trailer[7]) << 24
        #expect(crc == CRC32.checksum(data))
        #expect(size == 100_000)
        // Not raw deflate, not zstd.
        var inflateRaw = try Decompressor(codec: .deflateRaw())
        #expect(throws: CompressionError.self) { _ = try inflateRaw.decompress(member, maxOutput: 1 << 20) }
    }

    @Test("gzip reads concatenated members as their concatenated content")
    func gzipMultiMember() throws {
        let parts = [repetitiveBytes(70_000), randomBytes(5_000, seed: 3), [], Array("tail".utf8)]
        var member = try Compressor(codec: .gzip(level: 1))
        var concatenated: [UInt8] = []
        for part in parts {
            try part.withUnsafeBytes { _ = try member.compress($0, appendingTo: &concatenated) }
        }
        let expected = parts.flatMap { $0 }
        var gunzip = try Decompressor(codec: .gzip())
        #expect(try gunzip.decompress(concatenated, uncompressedSize: expected.count) == expected)
        #expect(try gunzip.decompress(concatenated, maxOutput: expected.count) == expected)

        // Garbage after the last member is corruption, not silently dropped.
        let error = #expect(throws: CompressionError.self) {
            _ = try gunzip.decompress(concatenated + [0x00, 0x01, 0x02], maxOutput: 1 << 20)
        }
        #expect(error?.code == .corrupt)
    }

    @Test("gzip also reads a zlib (RFC 1950) stream")
    func gzipReadsZlib() throws {
        // Python: zlib.compress(b'hello, lakegate\n')
        let zlibStream: [UInt8] = [120, 156, 203, 72, 205, 201, 201, 215, 81, 200, 73, 204, 78, 77, 79, 44, 73, 229, 2, 0, 50, 13, 5, 169]
        var gunzip = try Decompressor(codec: .gzip())
        #expect(try gunzip.decompress(zlibStream, uncompressedSize: text.count) == text)
    }

    @Test("raw deflate reads Python's wbits=-15 stream, and rejects trailing bytes")
    func deflateRaw() throws {
        // Python: zlib.compressobj(6, zlib.DEFLATED, -15), as Avro's deflate codec writes
        let raw: [UInt8] = [203, 72, 205, 201, 201, 215, 81, 200, 73, 204, 78, 77, 79, 44, 73, 229, 2, 0]
        var inflate = try Decompressor(codec: .deflateRaw())
        #expect(try inflate.decompress(raw, maxOutput: 1000) == text)
        #expect(try compress(text, .deflateRaw()) == raw)
        let error = #expect(throws: CompressionError.self) { _ = try inflate.decompress(raw + [0], maxOutput: 1000) }
        #expect(error?.code == .corrupt)
        #expect(error?.codec == "deflate")
    }

    // MARK: zstd

    @Test("zstd reads a frame without a content size, as zstd(1) writes from a pipe")
    func zstdFromTool() throws {
        // printf 'hello, lakegate\n' | zstd -c
        let frame: [UInt8] = [
            0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x81, 0x00, 0x00, 0x68, 0x65, 0x6c,
            0x6c, 0x6f, 0x2c, 0x20, 0x6c, 0x61, 0x6b, 0x65, 0x67, 0x61, 0x74, 0x65,
            0x0a, 0x58, 0x88, 0xe2, 0x9b,
        ]
        var unzstd = try Decompressor(codec: .zstd())
        #expect(try unzstd.decompress(frame, uncompressedSize: text.count) == text)
        #expect(try unzstd.decompress(frame, maxOutput: text.count) == text)
        // Its XXH64 checksum is verified.
        var bad = frame
        bad[frame.count - 1] ^= 0x40
        let error = #expect(throws: CompressionError.self) { _ = try unzstd.decompress(bad, maxOutput: 100) }
        #expect(error?.code == .corrupt)
    }

    @Test("zstd reads several frames, skippable ones included")
    func zstdFrames() throws {
        let a = repetitiveBytes(200_000)
        let b = randomBytes(30_000, seed: 11)
        // A skippable frame: magic 0x184D2A50 little-endian, 4-byte size, payload.
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9]
        let input = try compress(a, .zstd()) + skippable + compress(b, .zstd(level: 1))
        var unzstd = try Decompressor(codec: .zstd())
        #expect(try unzstd.decompress(input, uncompressedSize: a.count + b.count) == a + b)
        #expect(try unzstd.decompress(input, maxOutput: a.count + b.count) == a + b)
    }

    // MARK: snappy

    @Test("snappy reads a hand-written block: length varint, then a literal")
    func snappyByHand() throws {
        let block: [UInt8] = [0x05, 0x10] + Array("hello".utf8)  // length 5; literal tag (5-1)<<2
        var unsnappy = try Decompressor(codec: .snappy)
        #expect(try unsnappy.decompress(block, uncompressedSize: 5) == Array("hello".utf8))
        #expect(try unsnappy.decompress(block, maxOutput: 5) == Array("hello".utf8))
        // Its own output starts with the same varint.
        #expect(try compress(Array("hello".utf8), .snappy) == block)
    }

    // MARK: LZ4

    @Test("LZ4 raw reads a hand-written block of literals")
    func lz4ByHand() throws {
        let block: [UInt8] = [0x50] + Array("hello".utf8)  // token: 5 literals, no match
        var unlz4 = try Decompressor(codec: .lz4Raw)
        #expect(try unlz4.decompress(block, uncompressedSize: 5) == Array("hello".utf8))
        #expect(try unlz4.decompress(block, maxOutput: 5) == Array("hello".utf8))
    }

    /// One Hadoop block: the total decompressed size, then a (size, LZ4 block) pair per chunk.
    func hadoopBlock(_ chunks: [[UInt8]]) throws -> [UInt8] {
        var block = bigEndian32(chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks {
            let compressed = try compress(chunk, .lz4Raw)
            block += bigEndian32(compressed.count) + compressed
        }
        return block
    }

    @Test("Hadoop LZ4: several blocks, one of several chunks")
    func hadoopFraming() throws {
        let a = repetitiveBytes(40_000), b = randomBytes(3_000, seed: 5), c = repetitiveBytes(9_000)
        let framed = try hadoopBlock([a]) + hadoopBlock([b, c]) + hadoopBlock([Array("end".utf8)])
        let expected = a + b + c + Array("end".utf8)
        var hadoop = try Decompressor(codec: .lz4Hadoop)
        #expect(try hadoop.decompress(framed, uncompressedSize: expected.count) == expected)
        #expect(try hadoop.decompress(framed, maxOutput: expected.count) == expected)

        let limit = #expect(throws: CompressionError.self) { _ = try hadoop.decompress(framed, maxOutput: 40_000) }
        #expect(limit?.code == .limitExceeded)
        let mismatch = #expect(throws: CompressionError.self) {
            _ = try hadoop.decompress(framed, uncompressedSize: expected.count + 1)
        }
        #expect(mismatch?.code == .sizeMismatch)
        // Cut inside the second block: neither valid framing nor a raw block.
        let truncated = Array(framed.prefix(framed.count - 20))
        #expect(throws: CompressionError.self) { _ = try hadoop.decompress(truncated, uncompressedSize: expected.count) }
        #expect(throws: CompressionError.self) { _ = try hadoop.decompress(truncated, maxOutput: 1 << 20) }
    }

    @Test("Hadoop LZ4 falls back to a raw LZ4 block when the input is not framed")
    func hadoopFallback() throws {
        var hadoop = try Decompressor(codec: .lz4Hadoop)
        for data in [Array("hello".utf8), repetitiveBytes(100_000), randomBytes(20_000, seed: 9)] {
            let raw = try compress(data, .lz4Raw)
            #expect(try hadoop.decompress(raw, uncompressedSize: data.count) == data)
            #expect(try hadoop.decompress(raw, maxOutput: data.count) == data)
        }
        let garbage = randomBytes(1000, seed: 1)
        let error = #expect(throws: CompressionError.self) { _ = try hadoop.decompress(garbage, uncompressedSize: 4000) }
        #expect(error?.codec == "lz4_hadoop")
    }

    // MARK: brotli

    @Test("brotli rejects trailing bytes and truncation")
    func brotliStream() throws {
        let data = repetitiveBytes(80_000)
        let stream = try compress(data, .brotli())
        var unbrotli = try Decompressor(codec: .brotli())
        #expect(try unbrotli.decompress(stream, maxOutput: data.count) == data)
        let trailing = #expect(throws: CompressionError.self) { _ = try unbrotli.decompress(stream + [1], maxOutput: 1 << 20) }
        #expect(trailing?.code == .corrupt)
        let truncated = #expect(throws: CompressionError.self) {
            _ = try unbrotli.decompress(Array(stream.dropLast(3)), maxOutput: 1 << 20)
        }
        #expect(truncated?.code == .corrupt)
        // The decoder is still usable after errors.
        #expect(try unbrotli.decompress(stream, uncompressedSize: data.count) == data)
    }

    // MARK: none

    @Test("none copies, and sizes must match")
    func none() throws {
        var copy = try Decompressor(codec: .none)
        #expect(try copy.decompress(text, uncompressedSize: text.count) == text)
        #expect(try copy.decompress(text, maxOutput: text.count) == text)
        let mismatch = #expect(throws: CompressionError.self) { _ = try copy.decompress(text, uncompressedSize: 3) }
        #expect(mismatch?.code == .sizeMismatch)
        let limit = #expect(throws: CompressionError.self) { _ = try copy.decompress(text, maxOutput: 3) }
        #expect(limit?.code == .limitExceeded)
    }

    @Test("an empty input is zero bytes for every codec", arguments: allCodecs)
    func emptyInput(codec: CompressionCodec) throws {
        var decompressor = try Decompressor(codec: codec)
        #expect(try decompressor.decompress([], uncompressedSize: 0) == [])
        #expect(try decompressor.decompress([], maxOutput: 0) == [])
        let error = #expect(throws: CompressionError.self) { _ = try decompressor.decompress([], uncompressedSize: 10) }
        #expect(error?.code == .sizeMismatch || error?.code == .corrupt)
    }
}
