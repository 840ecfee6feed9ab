/// A growable buffer of plain values for the writer's hot paths: appends write straight to
/// memory (no per-element capacity or uniqueness checks, no zero-filling of space about to be
/// overwritten). A class, so loops that hold it do not copy it; one owner at a time.
final class GrowableBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffer) }

    subscript(index: Int) -> Element {
        @inline(__always) get { base[index] }
    }

    /// Makes room for `extra` more elements without reallocating.
    @inline(__always)
    func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(to: count &+ extra) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ value: Element) {
        if count == capacity { grow(to: count &+ 1) }
        base[count] = value
        count &+= 1
    }

    /// Appends `n` uninitialized elements and returns where they start; the caller fills them.
    @inline(__always)
    func appendUninitialized(_ n: Int) -> UnsafeMutablePointer<Element> {
        reserve(n)
        let start = base + count
        count &+= n
        return start
    }

    func append(repeating value: Element, count n: Int) {
        guard n > 0 else { return }
        appendUninitialized(n).initialize(repeating: value, count: n)
    }

    func append(contentsOf values: UnsafeBufferPointer<Element>) {
        guard let source = values.baseAddress, values.count > 0 else { return }
        appendUninitialized(values.count).update(from: source, count: values.count)
    }

    /// Forgets the elements, keeping the memory.
    func removeAll() { count = 0 }
}

extension GrowableBuffer where Element == UInt8 {
    func append(bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }
}

extension Array where Element == UInt8 {
    /// Appends a buffer's bytes.
    mutating func append(_ buffer: GrowableBuffer<some BitwiseCopyable>) {
        append(contentsOf: buffer.bytes)
    }
}

/// Bytes appended in blocks that never move: the closed pages of a column chunk. Unlike a
/// doubling array it holds at most one partly filled block beyond its contents and never
/// copies what it already has, which keeps a buffered row group close to its real size.
struct BlockBytes {
    private(set) var blocks: [[UInt8]] = []
    private(set) var count = 0
    private let blockSize: Int

    init(blockSize: Int = 1 << 20) { self.blockSize = blockSize }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        while !rest.isEmpty {
            if blocks.isEmpty || blocks[blocks.count - 1].count >= blocks[blocks.count - 1].capacity {
                // A page larger than a block gets a block of its own size.
                blocks.append([])
                blocks[blocks.count - 1].reserveCapacity(max(blockSize, rest.count))
            }
            let room = blocks[blocks.count - 1].capacity - blocks[blocks.count - 1].count
            let n = min(room, rest.count)
            blocks[blocks.count - 1].append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<n]))
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            count += n
        }
    }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }
}
