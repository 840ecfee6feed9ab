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
