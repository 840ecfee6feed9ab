import LakegateCore

/// The bytes of one column chunk, fetched from the source a window at a time as its pages are
/// read: the chunk is never requested whole (unless it is smaller than the read-ahead).
///
/// The window holds the file's bytes `start ..< start + bytes.count`; `require(n)` makes sure
/// it holds the `n` bytes at `position`, keeping the unread bytes it has and fetching the rest
/// (at least `readAhead` bytes, never past the chunk).
struct ChunkWindow {
    let source: any ByteRangeSource
    let path: String?
    /// The chunk's bytes in the file.
    let range: Range<Int>
    private var bytes: [UInt8] = []
    private var start: Int
    /// File offset of the next byte to read.
    private(set) var position: Int

    /// Bytes fetched beyond what is needed, so small pages do not each cost a request.
    static let readAhead = 1 << 20

    init(source: any ByteRangeSource, path: String?, range: Range<Int>) {
        self.source = source
        self.path = path
        self.range = range
        start = range.lowerBound
        position = range.lowerBound
    }

    /// Bytes of the chunk after the position.
    var remaining: Int { range.upperBound - position }

    /// Bytes after the position that the window holds.
    var available: Int { max(0, start + bytes.count - position) }

    /// Makes the window hold the `count` bytes after the position (at most the rest of the
    /// chunk).
    mutating func require(_ count: Int) throws(ParquetError) {
        let count = min(count, remaining)
        let kept = available
        guard kept < count else { return }
        let wanted = min(remaining, max(count, Self.readAhead))
        let end = position + wanted
        let from = position + kept
        let fetched = try ParquetFileReader.read(source, from..<end, path: path)
        guard fetched.count == end - from else {
            throw ParquetError(
                .io, "the source returned \(fetched.count) bytes for \(end - from) requested", path: path, offset: from)
        }
        if kept == 0 {
            bytes = fetched
        } else {
            // A page that straddles two windows: the unread tail, then the new bytes.
            let old = bytes
            let offset = position - start
            bytes = [UInt8](unsafeUninitializedCapacity: wanted) { out, initialized in
                let target = UnsafeMutableRawPointer(out.baseAddress.unsafelyUnwrapped)
                old.withUnsafeBytes { target.copyMemory(from: $0.baseAddress.unsafelyUnwrapped + offset, byteCount: kept) }
                fetched.withUnsafeBytes { (target + kept).copyMemory(from: $0.baseAddress.unsafelyUnwrapped, byteCount: fetched.count) }
                initialized = wanted
            }
        }
        start = position
    }

    /// The bytes the window holds and where the position falls in them; reading them through
    /// a local copy of the array leaves the reader free to mutate itself meanwhile.
    var view: (bytes: [UInt8], offset: Int) { (bytes, position - start) }

    mutating func advance(_ count: Int) {
        position += count
    }
}
