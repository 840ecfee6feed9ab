// Small helpers over raw buffers shared by the engines.
//
// Note: the package builds release with -Ounchecked, which removes
// preconditions and array bounds checks. Every check that protects memory
// here is therefore an explicit `if ... throw`, never a precondition.

/// One byte of static storage: a non-null address for empty buffers, since
/// some C libraries reject a null pointer even with a zero length. Nothing is
/// ever written through it.
nonisolated(unsafe) private let emptyStorage = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 16)

/// 64 KiB of zeros, never written after being made.
nonisolated(unsafe) private let zeroPage: UnsafeRawBufferPointer = {
    let page = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    page.initializeMemory(as: UInt8.self, repeating: 0)
    return UnsafeRawBufferPointer(page)
}()

extension UnsafeRawBufferPointer {
    /// The base address, or a valid non-null address when the buffer is empty.
    var nonNullBase: UnsafeRawPointer { baseAddress ?? UnsafeRawPointer(emptyStorage) }

    /// `nonNullBase` typed as bytes, the way C libraries take input.
    var bytePointer: UnsafePointer<UInt8> { nonNullBase.assumingMemoryBound(to: UInt8.self) }
    var charPointer: UnsafePointer<CChar> { nonNullBase.assumingMemoryBound(to: CChar.self) }

    /// The buffer without its first `n` bytes (`n` must be within the buffer).
    func dropping(_ n: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[(startIndex + n)...])
    }

    /// A big-endian `UInt32` at `offset`, or nil when fewer than 4 bytes remain.
    func bigEndianUInt32(at offset: Int) -> UInt32? {
        guard offset >= 0, count - offset >= 4 else { return nil }
        return UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16
            | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }
}

extension UnsafeMutableRawBufferPointer {
    /// The base address, or a valid non-null address when the buffer is empty
    /// (only ever passed with a zero capacity, so never written).
    var nonNullBase: UnsafeMutableRawPointer { baseAddress ?? emptyStorage }
    var bytePointer: UnsafeMutablePointer<UInt8> { nonNullBase.assumingMemoryBound(to: UInt8.self) }
    var charPointer: UnsafeMutablePointer<CChar> { nonNullBase.assumingMemoryBound(to: CChar.self) }

    /// The buffer without its first `n` bytes (`n` must be within the buffer).
    func dropping(_ n: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: self[(startIndex + n)...])
    }

    /// The first `n` bytes (`n` must be within the buffer).
    func prefix(upTo n: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: self[startIndex..<(startIndex + n)])
    }
}

extension Array where Element == UInt8 {
    /// Appends `count` zero bytes: room for a C library to write into.
    ///
    /// Not `append(contentsOf: repeatElement(0, count:))`, which unoptimized
    /// builds run byte by byte (seconds for a few megabytes in debug tests):
    /// a new array is a memset, and a non-empty one is extended by copies of a
    /// static zero page, growing geometrically as appends do.
    mutating func appendZeros(_ count: Int) {
        guard count > 0 else { return }
        if isEmpty {
            self = [UInt8](repeating: 0, count: count)
            return
        }
        var left = count
        while left > 0 {
            let n = Swift.min(left, zeroPage.count)
            append(contentsOf: UnsafeRawBufferPointer(rebasing: zeroPage[0..<n]))
            left -= n
        }
    }

    /// Grows the array by `capacity` bytes, lets `body` write into them and
    /// return how many it wrote, then keeps only those. On error the array is
    /// left as it was. Returns the number of bytes kept.
    mutating func appendWriting(
        capacity: Int,
        codec: String,
        _ body: (UnsafeMutableRawBufferPointer) throws(CompressionError) -> Int
    ) throws(CompressionError) -> Int {
        let start = count
        appendZeros(capacity)
        let result: Result<Int, CompressionError> = withUnsafeMutableBytes { all in
            Result { () throws(CompressionError) in try body(all.dropping(start)) }
        }
        switch result {
        case .success(let written) where written >= 0 && written <= capacity:
            removeLast(capacity - written)
            return written
        case .success(let written):
            removeLast(capacity)
            throw CompressionError(.internalError, codec: codec, "wrote \(written) bytes into \(capacity)")
        case .failure(let error):
            removeLast(capacity)
            throw error
        }
    }

    /// Runs `body` over the array's bytes with typed throws.
    mutating func withMutableBytes<R>(
        _ body: (UnsafeMutableRawBufferPointer) throws(CompressionError) -> R
    ) throws(CompressionError) -> R {
        let result: Result<R, CompressionError> = withUnsafeMutableBytes { all in
            Result { () throws(CompressionError) in try body(all) }
        }
        return try result.get()
    }
}

/// Saturating arithmetic for size estimates (never for bounds that protect memory).
extension Int {
    func saturatingMultiplied(by other: Int) -> Int {
        let (value, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : value
    }

    func saturatingAdding(_ other: Int) -> Int {
        let (value, overflow) = addingReportingOverflow(other)
        return overflow ? .max : value
    }
}
