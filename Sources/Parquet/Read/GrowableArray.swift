/// An array of plain values that grows without initializing the space it appends: decoders
/// reserve room, write every element of it, and only then count it. `finish()` hands the
/// elements over as an ordinary `Array` without copying.
///
/// Swift's `Array` cannot append uninitialized elements, and appending `repeatElement(0, …)`
/// costs a loop per byte; for the trivial element types used here, an array created with
/// `init(unsafeUninitializedCapacity:)` and trimmed at the end is equivalent and fast.
struct GrowableArray<Element: BitwiseCopyable> {
    /// Elements `0..<count` are written; the rest is spare room.
    private var storage: [Element]
    private(set) var count = 0

    init(capacity: Int = 0) {
        storage = Self.uninitialized(max(capacity, 0))
    }

    private static func uninitialized(_ n: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
    }

    /// Makes room for `extra` more elements (growing geometrically).
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        let needed = count + extra
        if needed > storage.count { grow(to: needed) }
    }

    private mutating func grow(to needed: Int) {
        let capacity = max(needed, storage.count &* 2, 16)
        let old = storage
        let used = count
        storage = [Element](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            old.withUnsafeBufferPointer { source in
                if used > 0 {
                    buffer.baseAddress.unsafelyUnwrapped.update(from: source.baseAddress.unsafelyUnwrapped, count: used)
                }
            }
            initialized = capacity
        }
    }

    @inline(__always)
    mutating func append(_ value: Element) {
        reserve(1)
        storage.withUnsafeMutableBufferPointer { $0[count] = value }
        count += 1
    }

    /// Appends `n` elements that `body` writes (it must write all of them).
    @inline(__always)
    mutating func append<R>(
        uninitialized n: Int, _ body: (UnsafeMutableBufferPointer<Element>) throws -> R
    ) rethrows -> R {
        reserve(n)
        let start = count
        let result = try storage.withUnsafeMutableBufferPointer { buffer in
            try body(UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + n)]))
        }
        count = start + n
        return result
    }

    mutating func append(contentsOf source: UnsafeBufferPointer<Element>) {
        guard let base = source.baseAddress, !source.isEmpty else { return }
        append(uninitialized: source.count) { $0.baseAddress.unsafelyUnwrapped.update(from: base, count: source.count) }
    }

    /// Drops elements past `newCount` (which must not exceed `count`).
    mutating func truncate(to newCount: Int) {
        count = max(0, min(count, newCount))
    }

    /// Drops the first `n` elements, moving the rest to the front (the room stays).
    mutating func removeFirst(_ n: Int) {
        guard n > 0 else { return }
        let rest = count - n
        if rest > 0 {
            let stride = MemoryLayout<Element>.stride
            storage.withUnsafeMutableBytes { raw in
                let base = raw.baseAddress.unsafelyUnwrapped
                // copyMemory is a memmove: the ranges may overlap.
                base.copyMemory(from: base + n &* stride, byteCount: rest &* stride)
            }
        }
        count = rest
    }

    /// A copy of the written elements `range`, as an exactly sized array.
    func copy(_ range: Range<Int>) -> [Element] {
        let n = range.count
        return [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 {
                storage.withUnsafeBufferPointer { source in
                    buffer.baseAddress.unsafelyUnwrapped.update(
                        from: source.baseAddress.unsafelyUnwrapped + range.lowerBound, count: n)
                }
            }
            initialized = n
        }
    }

    /// Hands over elements `0..<length` as an array without copying them, and keeps elements
    /// `from..<count` at the front of new storage with room for `capacity` elements. Cheap
    /// when the kept part is short.
    mutating func split(taking length: Int, keepingFrom from: Int, capacity: Int) -> [Element] {
        let keep = count - from
        let room = max(capacity, keep)
        let fresh = [Element](unsafeUninitializedCapacity: room) { buffer, initialized in
            if keep > 0 {
                storage.withUnsafeBufferPointer { source in
                    buffer.baseAddress.unsafelyUnwrapped.update(
                        from: source.baseAddress.unsafelyUnwrapped + from, count: keep)
                }
            }
            initialized = room
        }
        var taken = storage
        storage = fresh
        count = keep
        // `taken` is now the only reference: trimming it does not copy.
        if taken.count > length { taken.removeLast(taken.count - length) }
        return taken
    }

    /// Room for elements (written or not).
    var capacity: Int { storage.count }

    /// Reads the written elements.
    @inline(__always)
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<count])) }
    }

    /// Modifies the written elements.
    @inline(__always)
    mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Element>) throws -> R
    ) rethrows -> R {
        let used = count
        return try storage.withUnsafeMutableBufferPointer {
            try body(UnsafeMutableBufferPointer(rebasing: $0[0..<used]))
        }
    }

    /// Runs `body` on the written elements as an ordinary array (for APIs that append to one).
    mutating func withArray<R>(_ body: (inout [Element]) throws -> R) rethrows -> R {
        if storage.count > count { storage.removeLast(storage.count - count) }
        defer { count = storage.count }
        return try body(&storage)
    }

    /// The written elements as an array; the buffer is left empty.
    mutating func finish() -> [Element] {
        if storage.count > count { storage.removeLast(storage.count - count) }
        let result = storage
        storage = []
        count = 0
        return result
    }

    var last: Element? {
        guard count > 0 else { return nil }
        return storage[count - 1]
    }
}
