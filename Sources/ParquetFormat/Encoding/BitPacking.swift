// Bit unpacking and packing, LSB-first as in the RLE/bit-packed hybrid and DELTA_BINARY_PACKED.
//
// Values are unpacked eight at a time (a group of 8 values of width w is exactly w bytes). The
// width is turned into a compile-time constant by a switch, so each group is eight unaligned
// 64-bit loads at constant offsets, shifts and masks, fully unrolled. The fast path may read up
// to `BitUnpacking.slack` bytes past a group; groups near the end of the input go through a
// zero-padded copy instead, so nothing is ever read outside the input buffer.

enum BitUnpacking {
    /// Bytes past the end of a group that the fast path may read (8-byte loads, plus one byte
    /// for 64-bit values that straddle a word).
    static let slack = 9

    /// Unpacks eight `w`-bit values starting at `source` (which must have `w + slack` readable
    /// bytes) into `destination[0..<8]`.
    @inline(__always)
    static func unpack8<T: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<T>, _ w: Int
    ) {
        let mask: UInt64 = w >= 64 ? ~0 : (1 &<< UInt64(w)) &- 1
        var i = 0
        while i < 8 {
            let bit = i &* w
            let byte = bit &>> 3
            let shift = bit & 7
            var value = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) &>> UInt64(shift)
            if shift &+ w > 64 {
                let high = UInt64(source.load(fromByteOffset: byte &+ 8, as: UInt8.self))
                value |= high &<< UInt64(64 &- shift)
            }
            destination[i] = T(truncatingIfNeeded: value & mask)
            i &+= 1
        }
    }

    @inline(__always)
    static func unpackGroups<T: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<T>, _ groups: Int, _ w: Int
    ) {
        var s = source
        var d = destination
        var g = 0
        while g < groups {
            unpack8(s, d, w)
            s += w
            d += 8
            g &+= 1
        }
    }

    /// Unpacks `groups` groups of values of width 0…32; `source` must have
    /// `groups * width + slack` readable bytes.
    @_specialize(where T == UInt8)
    @_specialize(where T == UInt16)
    @_specialize(where T == UInt32)
    static func unpackGroups32<T: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<T>, groups: Int, width: Int
    ) {
        switch width {
        case 0: destination.update(repeating: 0, count: groups &* 8)
        case 1: unpackGroups(source, destination, groups, 1)
        case 2: unpackGroups(source, destination, groups, 2)
        case 3: unpackGroups(source, destination, groups, 3)
        case 4: unpackGroups(source, destination, groups, 4)
        case 5: unpackGroups(source, destination, groups, 5)
        case 6: unpackGroups(source, destination, groups, 6)
        case 7: unpackGroups(source, destination, groups, 7)
        case 8: unpackGroups(source, destination, groups, 8)
        case 9: unpackGroups(source, destination, groups, 9)
        case 10: unpackGroups(source, destination, groups, 10)
        case 11: unpackGroups(source, destination, groups, 11)
        case 12: unpackGroups(source, destination, groups, 12)
        case 13: unpackGroups(source, destination, groups, 13)
        case 14: unpackGroups(source, destination, groups, 14)
        case 15: unpackGroups(source, destination, groups, 15)
        case 16: unpackGroups(source, destination, groups, 16)
        case 17: unpackGroups(source, destination, groups, 17)
        case 18: unpackGroups(source, destination, groups, 18)
        case 19: unpackGroups(source, destination, groups, 19)
        case 20: unpackGroups(source, destination, groups, 20)
        case 21: unpackGroups(source, destination, groups, 21)
        case 22: unpackGroups(source, destination, groups, 22)
        case 23: unpackGroups(source, destination, groups, 23)
        case 24: unpackGroups(source, destination, groups, 24)
        case 25: unpackGroups(source, destination, groups, 25)
        case 26: unpackGroups(source, destination, groups, 26)
        case 27: unpackGroups(source, destination, groups, 27)
        case 28: unpackGroups(source, destination, groups, 28)
        case 29: unpackGroups(source, destination, groups, 29)
        case 30: unpackGroups(source, destination, groups, 30)
        case 31: unpackGroups(source, destination, groups, 31)
        case 32: unpackGroups(source, destination, groups, 32)
        default: fatalError("bit width \(width) outside 0...32")
        }
    }

    /// Unpacks `groups` groups of values of width 0…64 into 64-bit values; `source` must have
    /// `groups * width + slack` readable bytes.
    static func unpackGroups64(
        _ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<UInt64>, groups: Int, width: Int
    ) {
        switch width {
        case 0: destination.update(repeating: 0, count: groups &* 8)
        case 1: unpackGroups(source, destination, groups, 1)
        case 2: unpackGroups(source, destination, groups, 2)
        case 3: unpackGroups(source, destination, groups, 3)
        case 4: unpackGroups(source, destination, groups, 4)
        case 5: unpackGroups(source, destination, groups, 5)
        case 6: unpackGroups(source, destination, groups, 6)
        case 7: unpackGroups(source, destination, groups, 7)
        case 8: unpackGroups(source, destination, groups, 8)
        case 9: unpackGroups(source, destination, groups, 9)
        case 10: unpackGroups(source, destination, groups, 10)
        case 11: unpackGroups(source, destination, groups, 11)
        case 12: unpackGroups(source, destination, groups, 12)
        case 13: unpackGroups(source, destination, groups, 13)
        case 14: unpackGroups(source, destination, groups, 14)
        case 15: unpackGroups(source, destination, groups, 15)
        case 16: unpackGroups(source, destination, groups, 16)
        case 17: unpackGroups(source, destination, groups, 17)
        case 18: unpackGroups(source, destination, groups, 18)
        case 19: unpackGroups(source, destination, groups, 19)
        case 20: unpackGroups(source, destination, groups, 20)
        case 21: unpackGroups(source, destination, groups, 21)
        case 22: unpackGroups(source, destination, groups, 22)
        case 23: unpackGroups(source, destination, groups, 23)
        case 24: unpackGroups(source, destination, groups, 24)
        case 25: unpackGroups(source, destination, groups, 25)
        case 26: unpackGroups(source, destination, groups, 26)
        case 27: unpackGroups(source, destination, groups, 27)
        case 28: unpackGroups(source, destination, groups, 28)
        case 29: unpackGroups(source, destination, groups, 29)
        case 30: unpackGroups(source, destination, groups, 30)
        case 31: unpackGroups(source, destination, groups, 31)
        case 32: unpackGroups(source, destination, groups, 32)
        case 33: unpackGroups(source, destination, groups, 33)
        case 34: unpackGroups(source, destination, groups, 34)
        case 35: unpackGroups(source, destination, groups, 35)
        case 36: unpackGroups(source, destination, groups, 36)
        case 37: unpackGroups(source, destination, groups, 37)
        case 38: unpackGroups(source, destination, groups, 38)
        case 39: unpackGroups(source, destination, groups, 39)
        case 40: unpackGroups(source, destination, groups, 40)
        case 41: unpackGroups(source, destination, groups, 41)
        case 42: unpackGroups(source, destination, groups, 42)
        case 43: unpackGroups(source, destination, groups, 43)
        case 44: unpackGroups(source, destination, groups, 44)
        case 45: unpackGroups(source, destination, groups, 45)
        case 46: unpackGroups(source, destination, groups, 46)
        case 47: unpackGroups(source, destination, groups, 47)
        case 48: unpackGroups(source, destination, groups, 48)
        case 49: unpackGroups(source, destination, groups, 49)
        case 50: unpackGroups(source, destination, groups, 50)
        case 51: unpackGroups(source, destination, groups, 51)
        case 52: unpackGroups(source, destination, groups, 52)
        case 53: unpackGroups(source, destination, groups, 53)
        case 54: unpackGroups(source, destination, groups, 54)
        case 55: unpackGroups(source, destination, groups, 55)
        case 56: unpackGroups(source, destination, groups, 56)
        case 57: unpackGroups(source, destination, groups, 57)
        case 58: unpackGroups(source, destination, groups, 58)
        case 59: unpackGroups(source, destination, groups, 59)
        case 60: unpackGroups(source, destination, groups, 60)
        case 61: unpackGroups(source, destination, groups, 61)
        case 62: unpackGroups(source, destination, groups, 62)
        case 63: unpackGroups(source, destination, groups, 63)
        case 64: unpackGroups(source, destination, groups, 64)
        default: fatalError("bit width \(width) outside 0...64")
        }
    }

    @inline(__always)
    static func dispatch<T: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<T>, groups: Int, width: Int
    ) {
        if T.bitWidth == 64 {
            destination.withMemoryRebound(to: UInt64.self, capacity: groups &* 8) {
                unpackGroups64(source, $0, groups: groups, width: width)
            }
        } else {
            unpackGroups32(source, destination, groups: groups, width: width)
        }
    }

    /// Unpacks one group whose bytes may be cut short by the end of the input: copies the
    /// available bytes (at most `width`) into a zeroed scratch and unpacks from there.
    @inline(__always)
    static func unpackGroupSafely<T: FixedWidthInteger & UnsignedInteger>(
        _ source: UnsafeRawPointer?, available: Int, _ destination: UnsafeMutablePointer<T>, width: Int
    ) {
        withUnsafeTemporaryAllocation(byteCount: 80, alignment: 8) { scratch in
            scratch.initializeMemory(as: UInt8.self, repeating: 0)
            let n = min(max(available, 0), width)
            if n > 0, let source {
                scratch.baseAddress.unsafelyUnwrapped.copyMemory(from: source, byteCount: n)
            }
            dispatch(UnsafeRawPointer(scratch.baseAddress.unsafelyUnwrapped), destination, groups: 1, width: width)
        }
    }

    /// Unpacks values `first ..< first + count` of a bit-packed sequence of `width`-bit values
    /// that starts at byte `start` of `base`, reading no byte at or past `limit` (missing bytes
    /// read as zero). `T` is `UInt64` for widths up to 64, a narrower type for widths up to 32.
    @inline(__always)
    static func unpackRange<T: FixedWidthInteger & UnsignedInteger>(
        base: UnsafeRawPointer?, start: Int, limit: Int, width: Int,
        first: Int, count: Int, into destination: UnsafeMutablePointer<T>
    ) {
        if count <= 0 { return }
        if width == 0 {
            destination.update(repeating: 0, count: count)
            return
        }
        var index = first
        var out = destination
        var left = count
        // A group begun earlier: unpack it whole into a scratch and take the part needed.
        let inGroup = index & 7
        if inGroup != 0 {
            let take = min(8 &- inGroup, left)
            unpackPartial(base: base, start: start, limit: limit, width: width, group: index &>> 3, skip: inGroup, take: take, into: out)
            index &+= take
            out += take
            left &-= take
        }
        // Whole groups: the fast path while `slack` bytes past the group are in the input.
        let wholeGroups = left &>> 3
        if wholeGroups > 0 {
            let groupStart = start &+ (index &>> 3) &* width
            let room = limit &- groupStart &- width &- slack
            let fast = room < 0 ? 0 : min(wholeGroups, room / width &+ 1)
            if fast > 0 {
                dispatch(base.unsafelyUnwrapped + groupStart, out, groups: fast, width: width)
            }
            var g = fast
            while g < wholeGroups {
                let offset = groupStart &+ g &* width
                unpackGroupSafely(base.map { $0 + offset }, available: limit &- offset, out + g &* 8, width: width)
                g &+= 1
            }
            index &+= wholeGroups &* 8
            out += wholeGroups &* 8
            left &-= wholeGroups &* 8
        }
        if left > 0 {
            unpackPartial(base: base, start: start, limit: limit, width: width, group: index &>> 3, skip: 0, take: left, into: out)
        }
    }

    @inline(__always)
    static func unpackPartial<T: FixedWidthInteger & UnsignedInteger>(
        base: UnsafeRawPointer?, start: Int, limit: Int, width: Int,
        group: Int, skip: Int, take: Int, into destination: UnsafeMutablePointer<T>
    ) {
        withUnsafeTemporaryAllocation(of: T.self, capacity: 8) { scratch in
            let s = scratch.baseAddress.unsafelyUnwrapped
            let offset = start &+ group &* width
            if limit &- offset >= width &+ slack {
                dispatch(base.unsafelyUnwrapped + offset, s, groups: 1, width: width)
            } else {
                unpackGroupSafely(base.map { $0 + offset }, available: limit &- offset, s, width: width)
            }
            (destination).update(from: s + skip, count: take)
        }
    }
}

enum BitPacking {
    /// Packs `count` values (a multiple of 8) of `width` bits (0…64) LSB-first at `destination`,
    /// which must have room for `count * width / 8` bytes; returns that number of bytes.
    /// Bits of a value above `width` are ignored.
    @inline(__always)
    static func pack<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafePointer<T>, count: Int, width: Int, into destination: UnsafeMutableRawPointer
    ) -> Int {
        if width == 0 { return 0 }
        let mask: UInt64 = width >= 64 ? ~0 : (1 &<< UInt64(width)) &- 1
        var accumulator: UInt64 = 0
        var bits = 0
        var out = 0
        var i = 0
        while i < count {
            let value = UInt64(truncatingIfNeeded: values[i]) & mask
            accumulator |= value &<< UInt64(bits)
            bits &+= width
            if bits >= 64 {
                destination.storeBytes(of: accumulator.littleEndian, toByteOffset: out, as: UInt64.self)
                out &+= 8
                bits &-= 64
                accumulator = bits > 0 ? value &>> UInt64(width &- bits) : 0
            }
            i &+= 1
        }
        while bits > 0 {
            destination.storeBytes(of: UInt8(truncatingIfNeeded: accumulator), toByteOffset: out, as: UInt8.self)
            accumulator &>>= 8
            out &+= 1
            bits &-= 8
        }
        return out
    }
}
