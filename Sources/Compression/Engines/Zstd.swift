import CZstd

/// `ZSTD_CONTENTSIZE_UNKNOWN` and `ZSTD_CONTENTSIZE_ERROR` (macros Swift does not import).
private let zstdContentSizeUnknown = UInt64.max
private let zstdContentSizeError = UInt64.max - 1

private func isZstdError(_ code: Int) -> Bool { ZSTD_isError(code) != 0 }

/// Maps a zstd error code to a CompressionError.
private func zstdError(_ code: Int, codecName: String, context: String) -> CompressionError {
    let name = String(cString: ZSTD_getErrorName(code))
    switch ZSTD_getErrorCode(code) {
    case ZSTD_error_memory_allocation:
        return CompressionError(.internalError, codec: codecName, "\(context): \(name)")
    case ZSTD_error_dstSize_tooSmall:
        return CompressionError(.sizeMismatch, codec: codecName, "\(context): \(name)")
    case ZSTD_error_frameParameter_windowTooLarge:
        return CompressionError(.limitExceeded, codec: codecName, "\(context): \(name)")
    default:
        return CompressionError(.corrupt, codec: codecName, "\(context): \(name)")
    }
}

/// A compression context reused across compressions, its level set once.
final class ZstdCompressContext {
    private let cctx: OpaquePointer
    let codecName: String

    init(level: Int32, codecName: String) throws(CompressionError) {
        self.codecName = codecName
        guard level >= ZSTD_minCLevel(), level <= ZSTD_maxCLevel() else {
            throw CompressionError(.unsupported, codec: codecName, "level \(level) is outside \(ZSTD_minCLevel())...\(ZSTD_maxCLevel())")
        }
        guard let cctx = ZSTD_createCCtx() else {
            throw CompressionError(.internalError, codec: codecName, "ZSTD_createCCtx failed")
        }
        self.cctx = cctx
        let rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        if isZstdError(rc) {
            throw zstdError(rc, codecName: codecName, context: "setting the level")
        }
    }

    deinit { ZSTD_freeCCtx(cctx) }

    /// Compresses `input` as one frame (with its content size) at the end of `output`.
    func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws(CompressionError) -> Int {
        let bound = ZSTD_compressBound(input.count)
        if isZstdError(bound) {
            throw CompressionError(.unsupported, codec: codecName, "input of \(input.count) bytes is too large")
        }
        return try output.appendWriting(capacity: bound, codec: codecName) { (out) throws(CompressionError) -> Int in
            let rc = ZSTD_compress2(cctx, out.nonNullBase, out.count, input.nonNullBase, input.count)
            if isZstdError(rc) {
                throw zstdError(rc, codecName: codecName, context: "compressing")
            }
            return rc
        }
    }
}

/// A decompression context reused across decompressions. Reads one or more
/// frames (skippable frames included). Its window is capped at zstd's default
/// limit (2^27 bytes), so a frame cannot make it allocate more.
final class ZstdDecoder: StreamDecoder {
    private let dctx: OpaquePointer
    let codecName: String
    private(set) var isAtBoundary = true

    init(codecName: String) throws(CompressionError) {
        self.codecName = codecName
        guard let dctx = ZSTD_createDCtx() else {
            throw CompressionError(.internalError, codec: codecName, "ZSTD_createDCtx failed")
        }
        self.dctx = dctx
    }

    deinit { ZSTD_freeDCtx(dctx) }

    func reset() throws(CompressionError) {
        let rc = ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only)
        if isZstdError(rc) { throw zstdError(rc, codecName: codecName, context: "reset") }
        isAtBoundary = true
    }

    func step(_ input: inout UnsafeRawBufferPointer, _ output: inout UnsafeMutableRawBufferPointer) throws(CompressionError) {
        var inBuffer = ZSTD_inBuffer(src: input.nonNullBase, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.nonNullBase, size: output.count, pos: 0)
        let rc = ZSTD_decompressStream(dctx, &outBuffer, &inBuffer)
        if isZstdError(rc) {
            isAtBoundary = false
            throw zstdError(rc, codecName: codecName, context: "decompressing")
        }
        if inBuffer.pos > 0 || outBuffer.pos > 0 { isAtBoundary = rc == 0 }
        input = input.dropping(inBuffer.pos)
        output = output.dropping(outBuffer.pos)
    }

    /// Decodes all frames of `input` into exactly `output.count` bytes, in one call.
    func decompressExact(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(CompressionError) {
        let rc = ZSTD_decompressDCtx(dctx, output.nonNullBase, output.count, input.nonNullBase, input.count)
        if isZstdError(rc) {
            if ZSTD_getErrorCode(rc) == ZSTD_error_dstSize_tooSmall {
                throw CompressionError(.sizeMismatch, codec: codecName, "decodes to more than the expected \(output.count) bytes")
            }
            throw zstdError(rc, codecName: codecName, context: "decompressing")
        }
        if rc != output.count {
            throw CompressionError(.sizeMismatch, codec: codecName, "decodes to \(rc) bytes, expected \(output.count)")
        }
    }

    /// The content size the first frame header declares, when it declares one:
    /// a hint for the output's first allocation, never trusted as a bound.
    static func declaredSize(of input: UnsafeRawBufferPointer) -> Int? {
        let size = ZSTD_getFrameContentSize(input.nonNullBase, input.count)
        guard size != zstdContentSizeUnknown, size != zstdContentSizeError, size <= UInt64(Int.max) else { return nil }
        return Int(size)
    }
}
