/// A packed bit per slot, least significant bit first (Arrow's validity layout).
/// A set bit means "valid" (not null).
public struct Bitmap: Hashable, Sendable {
    public private(set) var bytes: [UInt8]
    public private(set) var count: Int

    public init() {
        bytes = []
        count = 0
    }

    /// `count` bits, all set to `value`.
    public init(repeating value: Bool, count: Int) {
        self.count = count
        bytes = [UInt8](repeating: value ? 0xFF : 0, count: (count + 7) >> 3)
        clearPadding()
    }

    /// Wraps already packed bits. `bytes` must hold at least `count` bits.
    public init(bytes: [UInt8], count: Int) {
        precondition(bytes.count * 8 >= count, "bitmap bytes too short")
        self.bytes = bytes
        self.count = count
    }

    /// Builds from one byte per slot (non-zero = set), the form decoders produce.
    public init(bools: UnsafeBufferPointer<UInt8>) {
        count = bools.count
        bytes = [UInt8](repeating: 0, count: (bools.count + 7) >> 3)
        bytes.withUnsafeMutableBufferPointer { out in
            var i = 0
            let n = bools.count
            while i + 8 <= n {
                var byte: UInt8 = 0
                for bit in 0..<8 where bools[i + bit] != 0 { byte |= 1 << UInt8(bit) }
                out[i >> 3] = byte
                i += 8
            }
            while i < n {
                if bools[i] != 0 { out[i >> 3] |= 1 << UInt8(i & 7) }
                i += 1
            }
        }
    }

    @inline(__always)
    public subscript(index: Int) -> Bool {
        get { bytes[index >> 3] & (1 << UInt8(index & 7)) != 0 }
        set {
            if newValue {
                bytes[index >> 3] |= 1 << UInt8(index & 7)
            } else {
                bytes[index >> 3] &= ~(1 << UInt8(index & 7))
            }
        }
    }

    @inline(__always)
    public mutating func append(_ value: Bool) {
        if count & 7 == 0 { bytes.append(0) }
        if value { bytes[count >> 3] |= 1 << UInt8(count & 7) }
        count += 1
    }

    public mutating func append(_ value: Bool, count n: Int) {
        for _ in 0..<n { append(value) }
    }

    public mutating func reserveCapacity(_ n: Int) { bytes.reserveCapacity((n + 7) >> 3) }

    /// Keeps the first `n` bits (clearing the dropped ones in the last byte kept).
    public mutating func truncate(to n: Int) {
        precondition(n >= 0 && n <= count, "truncating \(count) bits to \(n)")
        bytes.removeLast(bytes.count - ((n + 7) >> 3))
        if n & 7 != 0 { bytes[bytes.count - 1] &= UInt8((1 << (n & 7)) - 1) }
        count = n
    }

    /// Number of set bits.
    public var setCount: Int {
        var total = 0
        for byte in bytes { total += byte.nonzeroBitCount }
        return total
    }

    /// Bits `range` as a new bitmap starting at bit 0.
    public func slice(_ range: Range<Int>) -> Bitmap {
        var out = Bitmap()
        out.reserveCapacity(range.count)
        for i in range { out.append(self[i]) }
        return out
    }

    private mutating func clearPadding() {
        let tail = count & 7
        if tail != 0 { bytes[bytes.count - 1] &= UInt8((1 << tail) - 1) }
    }
}
