import CLZ4

/// Raw LZ4 blocks (Parquet's LZ4_RAW). A block does not store its
/// decompressed size, and its sizes are C ints.
enum LZ4Block {
    static let name = "lz4_raw"

    /// An LZ4 block never decodes to more than 255 bytes per input byte (a
    /// match-length byte of 255 is the densest encoding), plus a small margin.
    static func maxDecodedSize(compressedSize: Int) -> Int {
        compressedSize.saturatingMultiplied(by: 255).saturatingAdding(16)
    }

    static func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws(CompressionError) -> Int {
        guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
            throw CompressionError(.unsupported, codec: name, "input of \(input.count) bytes is over LZ4's limit of \(LZ4_MAX_INPUT_SIZE)")
        }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        return try output.appendWriting(capacity: bound, codec: name) { (out) throws(CompressionError) -> Int in
            let size = LZ4_compress_default(input.charPointer, out.charPointer, Int32(input.count), Int32(out.count))
            guard size > 0 else {
                throw CompressionError(.internalError, codec: name, "LZ4_compress_default failed")
            }
            return Int(size)
        }
    }

    /// LZ4_decompress_safe: the decoded size, or nil when the block is
    /// malformed or decodes to more than `output.count` bytes.
    static func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard input.count <= Int(Int32.max), output.count <= Int(Int32.max) else { return nil }
        let size = LZ4_decompress_safe(input.charPointer, output.charPointer, Int32(input.count), Int32(output.count))
        return size >= 0 ? Int(size) : nil
    }

    /// Whether the block decodes at least `count` bytes (partial decoding, to
    /// tell "too large" from "malformed" after a failure).
    static func decodesAtLeast(_ input: UnsafeRawBufferPointer, _ count: Int) -> Bool {
        guard count > 0, count <= Int(Int32.max), input.count <= Int(Int32.max) else { return false }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        defer { scratch.deallocate() }
        let size = LZ4_decompress_safe_partial(input.charPointer, scratch.charPointer, Int32(input.count), Int32(count), Int32(count))
        return Int(size) == count
    }

    /// Decodes into exactly `output.count` bytes.
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, codecName: String = name) throws(CompressionError) {
        guard input.count <= Int(Int32.max), output.count <= Int(Int32.max) else {
            throw CompressionError(.unsupported, codec: codecName, "sizes over 2 GiB are not supported")
        }
        if let size = decode(input, into: output) {
            guard size == output.count else {
                throw CompressionError(.sizeMismatch, codec: codecName, "decodes to \(size) bytes, expected \(output.count)")
            }
            return
        }
        if output.count < Int(Int32.max), decodesAtLeast(input, output.count + 1) {
            throw CompressionError(.sizeMismatch, codec: codecName, "decodes to more than the expected \(output.count) bytes")
        }
        throw CompressionError(.corrupt, codec: codecName, "malformed LZ4 block")
    }

    /// Decodes a block of unknown size, trying larger outputs up to `maxOutput`.
    static func decompress(_ input: UnsafeRawBufferPointer, maxOutput: Int, codecName: String = name) throws(CompressionError) -> [UInt8] {
        guard input.count <= Int(Int32.max) else {
            throw CompressionError(.unsupported, codec: codecName, "inputs over 2 GiB are not supported")
        }
        let possible = min(maxDecodedSize(compressedSize: input.count), Int(Int32.max))
        let ceiling = max(0, min(maxOutput, possible))
        var capacity = min(ceiling, max(64 << 10, input.count.saturatingMultiplied(by: 4)))
        var output = [UInt8]()
        while true {
            output.removeAll(keepingCapacity: true)
            output.appendZeros(capacity)
            let size = output.withUnsafeMutableBytes { decode(input, into: $0) }
            if let size {
                output.removeLast(capacity - size)
                return output
            }
            if capacity >= ceiling { break }
            capacity = min(ceiling, capacity.saturatingMultiplied(by: 2))
        }
        if ceiling < possible, decodesAtLeast(input, ceiling + 1) {
            throw CompressionError(.limitExceeded, codec: codecName, "decodes to more than the maximum of \(maxOutput) bytes")
        }
        throw CompressionError(.corrupt, codec: codecName, "malformed LZ4 block")
    }
}

/// Hadoop-framed LZ4 (Parquet's deprecated LZ4 codec): blocks of
/// `u32 BE decompressed size`, then one or more `u32 BE compressed size, LZ4 block`
/// chunks until the block's decompressed size is reached. Input that does not
/// parse as that framing is read as one raw LZ4 block, as Arrow does for
/// files labelled LZ4 that older writers wrote without framing.
enum HadoopLZ4 {
    static let name = "lz4_hadoop"

    /// Decodes the framing into `output`: the bytes written, or nil when the
    /// input is not valid Hadoop framing that fits in `output`.
    static func decodeFramed(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard !input.isEmpty else { return nil }
        var pos = 0
        var written = 0
        while pos < input.count {
            guard let blockSize = input.bigEndianUInt32(at: pos).map(Int.init),
                  blockSize <= output.count - written else { return nil }
            pos += 4
            var blockDone = 0
            repeat {
                guard let chunkSize = input.bigEndianUInt32(at: pos).map(Int.init) else { return nil }
                pos += 4
                guard chunkSize > 0, chunkSize <= input.count - pos else { return nil }
                let chunk = UnsafeRawBufferPointer(rebasing: input[pos..<(pos + chunkSize)])
                let room = output.dropping(written).prefix(upTo: blockSize - blockDone)
                guard let size = LZ4Block.decode(chunk, into: room) else { return nil }
                pos += chunkSize
                written += size
                blockDone += size
            } while blockDone < blockSize
        }
        return written
    }

    private enum Framed {
        case decoded([UInt8])
        case notFramed
        /// The framing parsed so far declares more than the maximum.
        case tooLarge
    }

    private static func decodeFramed(_ input: UnsafeRawBufferPointer, maxOutput: Int) -> Framed {
        guard !input.isEmpty else { return .notFramed }
        var output = [UInt8]()
        var pos = 0
        while pos < input.count {
            guard let blockSize = input.bigEndianUInt32(at: pos).map(Int.init) else { return .notFramed }
            guard blockSize <= maxOutput - output.count else { return .tooLarge }
            pos += 4
            var blockDone = 0
            repeat {
                guard let chunkSize = input.bigEndianUInt32(at: pos).map(Int.init) else { return .notFramed }
                pos += 4
                guard chunkSize > 0, chunkSize <= input.count - pos else { return .notFramed }
                let chunk = UnsafeRawBufferPointer(rebasing: input[pos..<(pos + chunkSize)])
                // Allocate no more than the chunk can decode to, whatever the header claims.
                let room = min(blockSize - blockDone, LZ4Block.maxDecodedSize(compressedSize: chunkSize))
                let start = output.count
                output.appendZeros(room)
                let size = output.withUnsafeMutableBytes { LZ4Block.decode(chunk, into: $0.dropping(start)) }
                guard let size else { return .notFramed }
                output.removeLast(room - size)
                pos += chunkSize
                blockDone += size
            } while blockDone < blockSize
        }
        return .decoded(output)
    }

    /// Decodes into exactly `output.count` bytes.
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError) {
        let framedSize = decodeFramed(input, into: output)
        if framedSize == output.count { return }
        do {
            try LZ4Block.decompress(input, into: output, codecName: name)
        } catch {
            if let framedSize {
                throw CompressionError(.sizeMismatch, codec: name, "decodes to \(framedSize) bytes, expected \(output.count)")
            }
            throw CompressionError(error.code, codec: name, "neither Hadoop-framed nor a raw LZ4 block: \(error.message)")
        }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, maxOutput: Int) throws(CompressionError) -> [UInt8] {
        let framed = decodeFramed(input, maxOutput: max(0, maxOutput))
        if case .decoded(let output) = framed { return output }
        do {
            return try LZ4Block.decompress(input, maxOutput: maxOutput, codecName: name)
        } catch {
            if case .tooLarge = framed, error.code == .corrupt {
                throw CompressionError(.limitExceeded, codec: name, "declares more than the maximum of \(maxOutput) bytes")
            }
            throw CompressionError(error.code, codec: name, "neither Hadoop-framed nor a raw LZ4 block: \(error.message)")
        }
    }
}
