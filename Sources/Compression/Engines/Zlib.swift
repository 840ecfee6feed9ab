import CZlib

// zlib keeps a pointer back to its z_stream and checks it on every call, so
// each z_stream lives at a fixed heap address for the life of its owner.

/// zlib's window bits for each framing.
enum ZlibFraming {
    /// RFC 1952 gzip (writing).
    case gzip
    /// gzip or zlib, detected from the header (reading).
    case gzipOrZlib
    /// RFC 1951 raw deflate.
    case raw

    var windowBits: Int32 {
        switch self {
        case .gzip: 15 + 16
        case .gzipOrZlib: 15 + 32
        case .raw: -15
        }
    }
}

/// zlib's static message for the last error, or a fallback.
private func zlibMessage(_ stream: UnsafeMutablePointer<z_stream>, _ code: Int32) -> String {
    if let msg = stream.pointee.msg { return String(cString: msg) }
    return "zlib error \(code)"
}

/// A deflate context reused across compressions.
final class ZlibDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    let codecName: String

    init(level: Int32, framing: ZlibFraming, codecName: String) throws(CompressionError) {
        self.codecName = codecName
        guard level == Z_DEFAULT_COMPRESSION || (0...9).contains(level) else {
            throw CompressionError(.unsupported, codec: codecName, "level \(level) is outside 0...9")
        }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = deflateInit2_(stream, level, Z_DEFLATED, framing.windowBits, 8, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw CompressionError(.internalError, codec: codecName, "deflateInit2 failed with \(rc)")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input` as one complete stream (one gzip member) at the end of `output`.
    func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws(CompressionError) -> Int {
        guard deflateReset(stream) == Z_OK else {
            throw CompressionError(.internalError, codec: codecName, "deflateReset failed")
        }
        let bound = Int(deflateBound(stream, UInt(input.count)))
        return try output.appendWriting(capacity: bound, codec: codecName) { (out) throws(CompressionError) -> Int in
            var inPos = 0
            var outPos = 0
            while true {
                let inChunk = min(input.count - inPos, Int(UInt32.max))
                let outChunk = min(out.count - outPos, Int(UInt32.max))
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bytePointer + inPos)
                stream.pointee.avail_in = UInt32(inChunk)
                stream.pointee.next_out = out.bytePointer + outPos
                stream.pointee.avail_out = UInt32(outChunk)
                let flush = inPos + inChunk == input.count ? Z_FINISH : Z_NO_FLUSH
                let rc = deflate(stream, flush)
                let consumed = inChunk - Int(stream.pointee.avail_in)
                let produced = outChunk - Int(stream.pointee.avail_out)
                inPos += consumed
                outPos += produced
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
                switch rc {
                case Z_STREAM_END:
                    return outPos
                case Z_OK, Z_BUF_ERROR:
                    if consumed > 0 || produced > 0 { continue }
                    throw CompressionError(.internalError, codec: codecName, "deflate made no progress after \(outPos) of \(bound) bytes")
                default:
                    throw CompressionError(.internalError, codec: codecName, "deflate failed with \(rc) after \(outPos) of \(bound) bytes")
                }
            }
        }
    }
}

/// An inflate context reused across decompressions, reading concatenated
/// gzip members (or zlib streams) when `multiMember`.
final class ZlibInflater: StreamDecoder {
    private let stream: UnsafeMutablePointer<z_stream>
    private let multiMember: Bool
    let codecName: String
    private(set) var isAtBoundary = true
    /// A stream ended; the next input byte starts a new member (after inflateReset).
    private var memberEnded = false

    init(framing: ZlibFraming, multiMember: Bool, codecName: String) throws(CompressionError) {
        self.codecName = codecName
        self.multiMember = multiMember
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = inflateInit2_(stream, framing.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw CompressionError(.internalError, codec: codecName, "inflateInit2 failed with \(rc)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func reset() throws(CompressionError) {
        guard inflateReset(stream) == Z_OK else {
            throw CompressionError(.internalError, codec: codecName, "inflateReset failed")
        }
        isAtBoundary = true
        memberEnded = false
    }

    func step(_ input: inout UnsafeRawBufferPointer, _ output: inout UnsafeMutableRawBufferPointer) throws(CompressionError) {
        if memberEnded {
            if input.isEmpty { return }
            guard multiMember else {
                throw CompressionError(.corrupt, codec: codecName, "\(input.count) trailing bytes after the end of the stream", trailingBytes: input.count)
            }
            try reset()
        }
        if !input.isEmpty { isAtBoundary = false }
        let inChunk = min(input.count, Int(UInt32.max))
        let outChunk = min(output.count, Int(UInt32.max))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bytePointer)
        stream.pointee.avail_in = UInt32(inChunk)
        stream.pointee.next_out = output.bytePointer
        stream.pointee.avail_out = UInt32(outChunk)
        let rc = inflate(stream, Z_NO_FLUSH)
        input = input.dropping(inChunk - Int(stream.pointee.avail_in))
        output = output.dropping(outChunk - Int(stream.pointee.avail_out))
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        switch rc {
        case Z_STREAM_END:
            isAtBoundary = true
            memberEnded = true
        case Z_OK, Z_BUF_ERROR:
            break  // progress, or none (the driver tells truncation from a stall)
        case Z_NEED_DICT:
            throw CompressionError(.corrupt, codec: codecName, "the stream needs a preset dictionary")
        case Z_DATA_ERROR:
            throw CompressionError(.corrupt, codec: codecName, zlibMessage(stream, rc))
        case Z_MEM_ERROR:
            throw CompressionError(.internalError, codec: codecName, "out of memory")
        default:
            throw CompressionError(.internalError, codec: codecName, "inflate failed with \(rc)")
        }
    }
}
