/// A growable run of plain values in manually managed memory: what `ColumnBuilder` appends
/// into. Unlike an `Array` in a class, an append costs no uniqueness check and no call into
/// the runtime, and inlines into the reader's loop. The owner frees it (`deallocate`).
@usableFromInline
struct BuilderStorage<Element: BitwiseCopyable> {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    @inlinable
    init(capacity: Int = 16) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inlinable
    func deallocate() { base.deallocate() }

    @inlinable
    subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    @inlinable
    var last: Element { base[count - 1] }

    /// Room for `extra` more elements.
    @inlinable
    mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(to: count &+ extra) }
    }

    @usableFromInline
    @inline(never)
    mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity &* 2)
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    @inlinable
    mutating func append(_ element: Element) {
        if count == capacity { grow(to: count &+ 1) }
        (base + count).initialize(to: element)
        count &+= 1
    }

    @inlinable
    mutating func append(repeating element: Element, count n: Int) {
        reserve(n)
        (base + count).initialize(repeating: element, count: n)
        count &+= n
    }

    @inlinable
    mutating func removeLast(_ n: Int) { count -= n }

    /// The elements as an array (a copy; the storage is then empty, its capacity kept).
    @inlinable
    mutating func takeArray() -> [Element] {
        let taken = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.update(from: base, count: count) }
            initialized = count
        }
        count = 0
        return taken
    }
}

extension BuilderStorage where Element == UInt8 {
    @inlinable
    mutating func append(bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0 else { return }
        reserve(n)
        UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress!, byteCount: n)
        count &+= n
    }

    /// Appends the bytes of a plain value (little-endian, as stored in columns).
    @inlinable
    mutating func append<T: BitwiseCopyable>(raw value: T) {
        let n = MemoryLayout<T>.size
        reserve(n)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value, as: T.self)
        count &+= n
    }
}
