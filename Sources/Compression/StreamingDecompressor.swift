/// Decompresses a large stream (a `.json.gz` or `.zst` file) chunk by chunk,
/// through a fixed output buffer: memory stays bounded whatever the sizes.
///
/// Reads gzip (concatenated members, or zlib streams), zstd (several frames),
/// raw deflate and brotli; `.none` passes bytes through.
///
/// ```swift
/// let stream = try StreamingDecompressor(codec: .gzip())
/// for chunk in fileChunks {
///     try chunk.withUnsafeBytes { try stream.feed($0) { out in try parser.consume(out) } }
/// }
/// try stream.finish()
/// ```
public final class StreamingDecompressor {
    /// The default size of the output buffer handed to `feed`'s closure.
    public static let defaultBufferSize = 256 << 10

    public let codec: CompressionCodec
    /// The limit on the total output; passing it throws `limitExceeded`.
    public let maxOutput: Int
    /// Bytes handed to the output closures since the start (or the last `finish`).
    public private(set) var totalOutput = 0

    private let decoder: (any StreamDecoder)?
    private let buffer: UnsafeMutableRawBufferPointer
    /// Set once a call failed: the stream cannot go on.
    private var failure: CompressionError?

    /// - Parameters:
    ///   - bufferSize: the size of the chunks handed to `feed`'s closure (at most; at least 1).
    ///   - maxOutput: the most bytes the whole stream may decode to.
    /// Throws `unsupported` for snappy and LZ4, which are block formats.
    public init(codec: CompressionCodec, bufferSize: Int = defaultBufferSize, maxOutput: Int = .max) throws(CompressionError) {
        self.codec = codec
        self.maxOutput = max(0, maxOutput)
        switch codec {
        case .none:
            decoder = nil
        case .gzip:
            decoder = try ZlibInflater(framing: .gzipOrZlib, multiMember: true, codecName: codec.name)
        case .deflateRaw:
            decoder = try ZlibInflater(framing: .raw, multiMember: false, codecName: codec.name)
        case .zstd:
            decoder = try ZstdDecoder(codecName: codec.name)
        case .brotli:
            decoder = try BrotliDecoder(codecName: codec.name)
        case .snappy, .lz4Raw, .lz4Hadoop:
            throw CompressionError(.unsupported, codec: codec.name, "a block format cannot be decompressed as a stream")
        }
        buffer = .allocate(byteCount: max(1, bufferSize), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// The codec a stream starts with, from its first bytes (4 are enough):
    /// gzip (`1f 8b`) or zstd (`28 b5 2f fd`, or a skippable frame
    /// `5? 2a 4d 18`); nil for anything else.
    public static func detect(magic: UnsafeRawBufferPointer) -> CompressionCodec? {
        if magic.count >= 2, magic[0] == 0x1F, magic[1] == 0x8B {
            return .gzip()
        }
        if magic.count >= 4 {
            if magic[0] == 0x28, magic[1] == 0xB5, magic[2] == 0x2F, magic[3] == 0xFD {
                return .zstd()
            }
            if magic[0] & 0xF0 == 0x50, magic[1] == 0x2A, magic[2] == 0x4D, magic[3] == 0x18 {
                return .zstd()
            }
        }
        return nil
    }

    /// Decodes `input` (the next bytes of the stream, any size), handing the
    /// output to `output` in chunks of at most the buffer size. A chunk is only
    /// valid during the call. Errors thrown by `output` propagate; after any
    /// error the stream is unusable.
    public func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let failure { throw failure }
        do {
            try decode(input, output: output)
        } catch let error as CompressionError {
            failure = error
            throw error
        } catch {
            failure = CompressionError(.internalError, codec: codec.name, "the output handler failed earlier")
            throw error
        }
    }

    /// Ends the stream: throws `corrupt` when it stopped inside a gzip member,
    /// a zstd frame or a brotli stream (a truncated file). Afterwards the
    /// decompressor is ready for a new stream.
    public func finish() throws(CompressionError) {
        if let failure { throw failure }
        if let decoder {
            guard decoder.isAtBoundary else {
                let error = CompressionError(.corrupt, codec: codec.name, "truncated input: the stream ends after \(totalOutput) decoded bytes, inside a \(codec.name) stream")
                failure = error
                throw error
            }
            try decoder.reset()
        }
        totalOutput = 0
    }

    private func decode(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let decoder else {
            try checkLimit(adding: input.count)
            var rest = input
            while !rest.isEmpty {
                let chunk = UnsafeRawBufferPointer(rebasing: rest[..<(rest.startIndex + min(rest.count, buffer.count))])
                try output(chunk)
                rest = rest.dropping(chunk.count)
            }
            return
        }
        var input = input
        var filled = 0
        while true {
            var room = buffer.dropping(filled)
            let before = (input.count, room.count, decoder.isAtBoundary)
            try decoder.step(&input, &room)
            let produced = before.1 - room.count
            try checkLimit(adding: produced)
            filled += produced
            let full = room.isEmpty
            if full {
                try output(UnsafeRawBufferPointer(buffer))
                filled = 0
            }
            if input.isEmpty && !full { break }
            if input.count == before.0 && produced == 0 && decoder.isAtBoundary == before.2 {
                throw decoder.stalled(inputLeft: input.count)
            }
        }
        if filled > 0 {
            try output(UnsafeRawBufferPointer(buffer.prefix(upTo: filled)))
        }
    }

    private func checkLimit(adding count: Int) throws(CompressionError) {
        let (total, overflow) = totalOutput.addingReportingOverflow(count)
        guard !overflow, total <= maxOutput else {
            throw CompressionError(.limitExceeded, codec: codec.name, "decodes to more than the maximum of \(maxOutput) bytes")
        }
        totalOutput = total
    }
}

@available(*, unavailable)
extension StreamingDecompressor: Sendable {}
