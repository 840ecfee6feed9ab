import CBrotli

/// Brotli one-shot compression (the library keeps no reusable encoder across
/// streams in its one-shot API, and its streaming encoder cannot be reset).
enum BrotliEncoding {
    static let qualities: ClosedRange<Int32> = 0...11

    static func compress(_ input: UnsafeRawBufferPointer, quality: Int32, appendingTo output: inout [UInt8], codecName: String) throws(CompressionError) -> Int {
        let bound = BrotliEncoderMaxCompressedSize(input.count)
        guard bound > 0 else {
            throw CompressionError(.unsupported, codec: codecName, "input of \(input.count) bytes is too large")
        }
        return try output.appendWriting(capacity: bound, codec: codecName) { (out) throws(CompressionError) -> Int in
            var size = out.count
            let ok = BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                                           input.count, input.bytePointer, &size, out.bytePointer)
            guard ok == BROTLI_TRUE else {
                throw CompressionError(.internalError, codec: codecName, "BrotliEncoderCompress failed")
            }
            return size
        }
    }
}

/// A brotli decoder. Brotli 1.0 has no reset, so a new native state is made
/// for each stream, only once the previous one was used.
final class BrotliDecoder: StreamDecoder {
    private var state: OpaquePointer
    private var used = false
    private var finished = false
    let codecName: String
    private(set) var isAtBoundary = true

    init(codecName: String) throws(CompressionError) {
        self.codecName = codecName
        state = try Self.makeState(codecName: codecName)
    }

    deinit { BrotliDecoderDestroyInstance(state) }

    private static func makeState(codecName: String) throws(CompressionError) -> OpaquePointer {
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else {
            throw CompressionError(.internalError, codec: codecName, "BrotliDecoderCreateInstance failed")
        }
        return state
    }

    func reset() throws(CompressionError) {
        if used {
            let fresh = try Self.makeState(codecName: codecName)
            BrotliDecoderDestroyInstance(state)
            state = fresh
            used = false
        }
        finished = false
        isAtBoundary = true
    }

    func step(_ input: inout UnsafeRawBufferPointer, _ output: inout UnsafeMutableRawBufferPointer) throws(CompressionError) {
        if finished {
            if input.isEmpty { return }
            throw CompressionError(.corrupt, codec: codecName, "\(input.count) trailing bytes after the end of the stream", trailingBytes: input.count)
        }
        used = true
        if !input.isEmpty { isAtBoundary = false }
        var availableIn = input.count
        var nextIn: UnsafePointer<UInt8>? = input.bytePointer
        var availableOut = output.count
        var nextOut: UnsafeMutablePointer<UInt8>? = output.bytePointer
        let result = BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
        input = input.dropping(input.count - availableIn)
        output = output.dropping(output.count - availableOut)
        switch result {
        case BROTLI_DECODER_RESULT_SUCCESS:
            finished = true
            isAtBoundary = true
            if !input.isEmpty {
                throw CompressionError(.corrupt, codec: codecName, "\(input.count) trailing bytes after the end of the stream", trailingBytes: input.count)
            }
        case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT, BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
            isAtBoundary = false
        default:
            let code = BrotliDecoderGetErrorCode(state)
            let message = String(cString: BrotliDecoderErrorString(code))
            // Codes -21 through -30 are allocation failures; the rest are format errors.
            let isAlloc = (-30 ... -21).contains(code.rawValue)
            throw CompressionError(isAlloc ? .internalError : .corrupt, codec: codecName, message)
        }
    }
}
