// Runs a streaming decoder (zlib, zstd, brotli) over a whole input into an
// exact-size or a bounded output. The StreamingDecompressor runs the same
// decoders chunk by chunk.

/// A stream decoder over a native context. Internal: one class per library.
protocol StreamDecoder: AnyObject {
    var codecName: String { get }

    /// True when the bytes consumed since the last reset form complete streams
    /// (gzip members, zstd frames, a brotli stream), so the input may end here.
    /// True right after a reset: an input of zero bytes decodes to zero bytes.
    var isAtBoundary: Bool { get }

    /// Forgets any stream in progress; the next byte starts a new stream.
    func reset() throws(CompressionError)

    /// Consumes a prefix of `input` and writes a prefix of `output` (which is
    /// never empty), advancing both past what was used. A call with input left
    /// and room left always makes progress unless the data is corrupt.
    func step(_ input: inout UnsafeRawBufferPointer, _ output: inout UnsafeMutableRawBufferPointer) throws(CompressionError)
}

extension StreamDecoder {
    /// The error for a step that neither consumed, produced nor ended a stream.
    func stalled(inputLeft: Int) -> CompressionError {
        inputLeft == 0
            ? CompressionError(.corrupt, codec: codecName, "truncated input: the stream does not end")
            : CompressionError(.internalError, codec: codecName, "the decoder made no progress with \(inputLeft) bytes of input left")
    }

    /// One step, throwing when it makes no progress.
    func progressingStep(_ input: inout UnsafeRawBufferPointer, _ output: inout UnsafeMutableRawBufferPointer) throws(CompressionError) {
        let before = (input.count, output.count, isAtBoundary)
        try step(&input, &output)
        if input.count == before.0 && output.count == before.1 && isAtBoundary == before.2 {
            throw stalled(inputLeft: input.count)
        }
    }

    /// Steps once into a one-byte probe buffer, for when the real output is
    /// full: returns true when the decoder had more output to give.
    func probeForMoreOutput(_ input: inout UnsafeRawBufferPointer) throws(CompressionError) -> Bool {
        var probe: UInt8 = 0
        let result: Result<Bool, CompressionError> = withUnsafeMutableBytes(of: &probe) { probeBuffer in
            Result { () throws(CompressionError) in
                var room = probeBuffer
                try progressingStep(&input, &room)
                return room.isEmpty
            }
        }
        return try result.get()
    }

    /// Decodes all of `input` into exactly `output.count` bytes.
    func decodeExact(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError) {
        try reset()
        var input = input
        var room = output
        while !(input.isEmpty && isAtBoundary) {
            if room.isEmpty {
                if try probeForMoreOutput(&input) {
                    throw CompressionError(.sizeMismatch, codec: codecName, "decodes to more than the expected \(output.count) bytes")
                }
            } else {
                try progressingStep(&input, &room)
            }
        }
        if !room.isEmpty {
            throw CompressionError(.sizeMismatch, codec: codecName, "decodes to \(output.count - room.count) bytes, expected \(output.count)")
        }
    }

    /// Decodes all of `input`, growing the output up to `maxOutput` bytes.
    /// `sizeHint` is the expected size when known (a zstd frame header), else nil.
    func decodeBounded(_ input: UnsafeRawBufferPointer, maxOutput: Int, sizeHint: Int?) throws(CompressionError) -> [UInt8] {
        try reset()
        let maxOutput = Swift.max(0, maxOutput)
        var input = input
        var output: [UInt8] = []
        var produced = 0
        var nextCapacity = Swift.min(maxOutput, sizeHint ?? Swift.max(64 << 10, input.count.saturatingMultiplied(by: 4)))
        while !(input.isEmpty && isAtBoundary) {
            if produced == output.count {
                if output.count >= maxOutput {
                    if try probeForMoreOutput(&input) {
                        throw CompressionError(.limitExceeded, codec: codecName, "decodes to more than the maximum of \(maxOutput) bytes")
                    }
                    continue
                }
                let grow = Swift.max(1, Swift.min(nextCapacity, maxOutput) - output.count)
                output.appendZeros(grow)
                nextCapacity = Swift.min(maxOutput, output.count.saturatingMultiplied(by: 2))
            }
            let start = produced
            produced += try output.withMutableBytes { (all) throws(CompressionError) -> Int in
                var room = all.dropping(start)
                let before = room.count
                try progressingStep(&input, &room)
                return before - room.count
            }
        }
        output.removeLast(output.count - produced)
        return output
    }
}
