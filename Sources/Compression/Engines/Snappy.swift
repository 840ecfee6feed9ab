import CSnappy

/// Raw Snappy blocks (no framing). Snappy stores the uncompressed length
/// first, so sizes are checked before anything is decoded or allocated.
enum SnappyBlock {
    static let name = "snappy"

    static func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws(CompressionError) -> Int {
        guard input.count <= Int(UInt32.max) else {
            throw CompressionError(.unsupported, codec: name, "input of \(input.count) bytes is over snappy's 4 GiB limit")
        }
        let bound = snappy_max_compressed_length(input.count)
        return try output.appendWriting(capacity: bound, codec: name) { (out) throws(CompressionError) -> Int in
            var size = out.count
            let status = snappy_compress(input.charPointer, input.count, out.charPointer, &size)
            guard status == SNAPPY_OK else {
                throw CompressionError(.internalError, codec: name, "snappy_compress failed with \(status.rawValue)")
            }
            return size
        }
    }

    /// The uncompressed length the block declares.
    static func declaredLength(_ input: UnsafeRawBufferPointer) throws(CompressionError) -> Int {
        var length = 0
        guard snappy_uncompressed_length(input.charPointer, input.count, &length) == SNAPPY_OK else {
            throw CompressionError(.corrupt, codec: name, "invalid length header")
        }
        return length
    }

    /// Decodes into exactly `output.count` bytes.
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError) {
        let declared = try declaredLength(input)
        guard declared == output.count else {
            throw CompressionError(.sizeMismatch, codec: name, "declares \(declared) bytes, expected \(output.count)")
        }
        var size = output.count
        let status = snappy_uncompress(input.charPointer, input.count, output.charPointer, &size)
        guard status == SNAPPY_OK else {
            throw CompressionError(.corrupt, codec: name, "invalid block (status \(status.rawValue))")
        }
        guard size == output.count else {
            throw CompressionError(.sizeMismatch, codec: name, "decodes to \(size) bytes, expected \(output.count)")
        }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, maxOutput: Int) throws(CompressionError) -> [UInt8] {
        let declared = try declaredLength(input)
        guard declared <= maxOutput else {
            throw CompressionError(.limitExceeded, codec: name, "declares \(declared) bytes, more than the maximum of \(maxOutput)")
        }
        var output = [UInt8]()
        _ = try output.appendWriting(capacity: declared, codec: name) { (out) throws(CompressionError) -> Int in
            try decompress(input, into: out)
            return out.count
        }
        return output
    }
}
