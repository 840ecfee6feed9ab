/// The saved "last field id" of each enclosing struct, for delta-encoded field headers.
///
/// The four innermost levels live in one integer, so reading or writing a page header (three
/// levels deep) allocates nothing; deeper levels spill to an array.
@usableFromInline
internal struct FieldIdStack: Sendable {
    @usableFromInline internal var packed: UInt64 = 0
    @usableFromInline internal var overflow: [Int16] = []
    @usableFromInline internal var count: Int = 0

    @inlinable
    internal init() {}

    @inlinable
    internal mutating func push(_ id: Int16) {
        if count < 4 {
            let shift = UInt64(count &* 16)
            packed = packed & ~(0xFFFF &<< shift) | UInt64(UInt16(bitPattern: id)) &<< shift
        } else {
            overflow.append(id)
        }
        count &+= 1
    }

    @inlinable
    internal mutating func pop() -> Int16 {
        precondition(count > 0, "endStruct() without beginStruct()")
        count &-= 1
        if count < 4 {
            return Int16(bitPattern: UInt16(truncatingIfNeeded: packed &>> UInt64(count &* 16)))
        }
        return overflow.removeLast()
    }
}
