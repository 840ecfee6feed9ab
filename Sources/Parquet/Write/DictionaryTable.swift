#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A column chunk's dictionary of fixed-width values, keyed on their bit patterns (so -0.0
/// and +0.0, or two NaN payloads, are distinct entries, as a byte-exact dictionary must be).
///
/// Open addressing with linear probing over a power-of-two slot array, at most half full.
struct FixedWidthDictionary {
    private(set) var keys: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    init() {
        slots = [Int32](repeating: -1, count: 1024)
        mask = 1023
    }

    private init(placeholder: Void) {
        slots = []
        mask = 0
    }

    /// An empty value to swap in while the real table is borrowed (allocates nothing).
    static var placeholder: FixedWidthDictionary { FixedWidthDictionary(placeholder: ()) }

    var count: Int { keys.count }

    /// The index of `key`, inserting it when new.
    @inline(__always)
    mutating func index(of key: UInt64) -> (index: UInt32, inserted: Bool) {
        var slot = Int(truncatingIfNeeded: DictionaryHash.mix(key)) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            if keys[Int(entry)] == key { return (UInt32(entry), false) }
            slot = (slot + 1) & mask
        }
        let index = Int32(keys.count)
        keys.append(key)
        slots[slot] = index
        if keys.count * 2 > slots.count { grow() }
        return (UInt32(index), true)
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        mask = capacity - 1
        slots = [Int32](repeating: -1, count: capacity)
        for (index, key) in keys.enumerated() {
            var slot = Int(truncatingIfNeeded: DictionaryHash.mix(key)) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }
}

/// A column chunk's dictionary of byte strings. The entries live in one arena that is already
/// the PLAIN dictionary page body (with a 4-byte length before each value for BYTE_ARRAY, raw
/// for FIXED_LEN_BYTE_ARRAY); the table holds entry numbers, and each entry its hash, start
/// and length, so no value is ever a separate allocation.
struct BytesDictionary {
    let lengthPrefixed: Bool
    /// The PLAIN-encoded entries, in index order.
    private(set) var arena: [UInt8] = []
    private var starts: [Int] = []
    private var lengths: [Int32] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    init(lengthPrefixed: Bool) {
        self.lengthPrefixed = lengthPrefixed
        slots = [Int32](repeating: -1, count: 1024)
        mask = 1023
    }

    private init(placeholder: Void) {
        lengthPrefixed = false
        slots = []
        mask = 0
    }

    /// An empty value to swap in while the real table is borrowed (allocates nothing).
    static var placeholder: BytesDictionary { BytesDictionary(placeholder: ()) }

    var count: Int { starts.count }

    /// The bytes of entry `index`.
    func withEntry<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        arena.withUnsafeBytes { raw in
            body(UnsafeRawBufferPointer(rebasing: raw[starts[index]..<(starts[index] + Int(lengths[index]))]))
        }
    }

    @inline(__always)
    mutating func index(of bytes: UnsafeRawBufferPointer) -> (index: UInt32, inserted: Bool) {
        let hash = DictionaryHash.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & mask
        let length = Int32(bytes.count)
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            let e = Int(entry)
            if hashes[e] == hash && lengths[e] == length {
                let same = arena.withUnsafeBytes { raw in
                    bytes.count == 0 || memcmp(raw.baseAddress! + starts[e], bytes.baseAddress!, bytes.count) == 0
                }
                if same { return (UInt32(e), false) }
            }
            slot = (slot + 1) & mask
        }
        let index = Int32(starts.count)
        if lengthPrefixed {
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { arena.append(contentsOf: $0) }
        }
        starts.append(arena.count)
        arena.append(contentsOf: bytes)
        lengths.append(length)
        hashes.append(hash)
        slots[slot] = index
        if starts.count * 2 > slots.count { grow() }
        return (UInt32(index), true)
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        mask = capacity - 1
        slots = [Int32](repeating: -1, count: capacity)
        for (index, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }
}

enum DictionaryHash {
    /// A 64-bit finalizer (MurmurHash3's fmix64): every input bit affects every output bit.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// A fast hash of a byte string: 8-byte words folded by multiply-rotate, then mixed.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ (word &* 0x87C3_7B91_1142_53D5)).rotateLeft(31) &* 0x4CF5_AD43_2745_937F
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ (tail &* 0x87C3_7B91_1142_53D5)).rotateLeft(31) &* 0x4CF5_AD43_2745_937F
        }
        return mix(h)
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotateLeft(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
