import Compression

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local input file read front to back in chunks, decompressed on the way when its first
/// bytes are a gzip or zstd magic number. Memory stays at one chunk whatever the file's size.
public final class InputFile {
    public let path: String
    /// Size on disk (compressed, when it is).
    public let size: Int
    /// The compression detected from the magic bytes, nil for plain files.
    public let compression: CompressionCodec?
    /// The first bytes as stored (at most 8), for format detection.
    public let magic: [UInt8]

    private let descriptor: Int32

    public init(path: String) throws(FileFormatError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FileFormatError(.io, "cannot open the file: \(String(cString: strerror(errno)))", path: path)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw FileFormatError(.io, "not a regular file", path: path)
        }
        size = Int(info.st_size)
        var head = [UInt8](repeating: 0, count: 8)
        let fd = descriptor
        let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 8, 0) }
        magic = Array(head.prefix(max(0, got)))
        compression = magic.withUnsafeBytes { StreamingDecompressor.detect(magic: $0) }
    }

    deinit { close(descriptor) }

    /// The first bytes after decompression (up to `count`), for format detection.
    public func decompressedPrefix(_ count: Int) throws(FileFormatError) -> [UInt8] {
        var prefix: [UInt8] = []
        struct Enough: Error {}
        do {
            try forEachChunk(chunkSize: 64 << 10) { chunk in
                prefix.append(contentsOf: chunk.prefix(count - prefix.count))
                if prefix.count >= count { throw Enough() }
            }
        } catch is Enough {
        } catch let error as FileFormatError {
            // A damaged stream still has a prefix to look at; the real read reports the damage.
            if prefix.isEmpty { throw error }
        } catch {
            throw FileFormatError(.io, "\(error)", path: path)
        }
        return prefix
    }

    /// Calls `body` with the file's (decompressed) bytes in order, chunk by chunk, from the
    /// start. `progress` receives the stored bytes read so far. Decompressed output beyond
    /// `maxDecompressedBytes` is an error (a decompression bomb), not an out-of-memory.
    public func forEachChunk(
        chunkSize: Int = 1 << 20, maxDecompressedBytes: Int = .max, progress: ((Int) -> Void)? = nil,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let decompressor: StreamingDecompressor?
        if let compression {
            do {
                decompressor = try StreamingDecompressor(codec: compression, bufferSize: chunkSize, maxOutput: maxDecompressedBytes)
            } catch {
                throw FileFormatError(.unsupported, "cannot decompress \(compression.name): \(error)", path: path)
            }
        } else {
            decompressor = nil
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        var offset = 0
        while true {
            let got = pread(descriptor, buffer.baseAddress, chunkSize, off_t(offset))
            if got < 0 {
                if errno == EINTR { continue }
                throw FileFormatError(.io, "read failed: \(String(cString: strerror(errno)))", path: path, offset: offset)
            }
            if got == 0 { break }
            offset += got
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            if let decompressor {
                do {
                    try decompressor.feed(chunk, output: body)
                } catch let error as CompressionError {
                    if error.code == .limitExceeded {
                        throw FileFormatError(
                            .limitExceeded,
                            "\(compression!.name) input decompresses to more than the limit of \(maxDecompressedBytes) bytes (a decompression bomb?)",
                            path: path, offset: offset - got)
                    }
                    throw FileFormatError(.syntax, "\(compression!.name) stream: \(error)", path: path, offset: offset - got)
                }
            } else {
                if offset > maxDecompressedBytes {
                    throw FileFormatError(.limitExceeded, "the input exceeds \(maxDecompressedBytes) bytes", path: path)
                }
                try body(chunk)
            }
            progress?(offset)
        }
        if let decompressor {
            do {
                try decompressor.finish()
            } catch {
                throw FileFormatError(.syntax, "\(compression!.name) stream: \(error)", path: path, offset: offset)
            }
        }
    }
}
