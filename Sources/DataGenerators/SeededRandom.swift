/// A seeded pseudo-random generator of our own: xoshiro256** (Blackman and Vigna) whose state
/// is filled by SplitMix64 from the seed.
///
/// Everything derived from it is built from integer arithmetic and the IEEE-754 basic operations
/// (+ - * / sqrt, which every machine rounds the same way), never from the standard library's
/// `random(in:using:)` (whose algorithm may change between releases) or from libm's
/// transcendental functions (whose last bits differ between platforms). So one seed gives the
/// same bytes on every run and every machine.
public struct SeededRandom: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    public init(seed: UInt64) {
        var mixer = SplitMix64(seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// A generator for one purpose (`stream`) derived from a user's seed, so that two parts of
    /// a generator drawing from separate streams do not shift each other's values.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: SplitMix64.mix(seed ^ SplitMix64.mix(stream &+ 0x5851_F42D_4C95_7F2D)))
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in `0..<bound` (Lemire's multiply-and-reject: exact, no modulo bias).
    @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let n = UInt64(bound)
        var (high, low) = next().multipliedFullWidth(by: n)
        if low < n {
            let threshold = (0 &- n) % n
            while low < threshold { (high, low) = next().multipliedFullWidth(by: n) }
        }
        return Int(high)
    }

    /// Uniform in `range`.
    @inline(__always)
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Uniform in [0, 1), with 53 random bits.
    @inline(__always)
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `probability`.
    @inline(__always)
    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// One element, each equally likely.
    @inline(__always)
    public mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[below(elements.count)]
    }

    /// A heavy-tailed positive value (Pareto with shape 1): at least `minimum`, below `cap`;
    /// half the draws are under twice the minimum, a few reach the cap.
    @inline(__always)
    public mutating func pareto(minimum: Double, cap: Double) -> Double {
        let u = 1 - unit()  // (0, 1]
        return min(cap, minimum / u)
    }

    /// A heavy-tailed value with a lighter tail (Pareto with shape 2).
    @inline(__always)
    public mutating func pareto2(minimum: Double, cap: Double) -> Double {
        let u = 1 - unit()
        return min(cap, minimum / u.squareRoot())
    }

    /// Failures before the first success with probability `p` per trial, at most `cap`.
    @inline(__always)
    public mutating func geometric(_ p: Double, cap: Int) -> Int {
        var count = 0
        while count < cap && !chance(p) { count += 1 }
        return count
    }

    /// Roughly bell-shaped in [-1, 1] (the mean of three uniforms, rescaled).
    @inline(__always)
    public mutating func bell() -> Double {
        (unit() + unit() + unit()) * (2.0 / 3.0) - 1
    }
}

/// SplitMix64 (Steele, Lea and Flood): fills xoshiro's state, and hashes numbers into
/// well-spread 64-bit values (per-user attributes, session ids).
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(_ seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finalizer: a bijection on 64-bit values that spreads every input bit.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Draws indexes with fixed relative weights: a cumulative table of integers, searched in
/// O(log n). Built once; the weights are turned into integers with basic arithmetic only.
public struct WeightedIndex: Sendable {
    private let cumulative: [UInt64]
    private let total: UInt64

    public init(_ weights: [Double]) {
        precondition(!weights.isEmpty, "no weights")
        let sum = weights.reduce(0, +)
        precondition(sum > 0, "weights must add up to more than zero")
        var running: UInt64 = 0
        var table: [UInt64] = []
        table.reserveCapacity(weights.count)
        for weight in weights {
            precondition(weight >= 0, "negative weight")
            // At least 1 for a positive weight, so every listed choice can occur.
            let scaled = weight > 0 ? max(1, UInt64(weight / sum * 4_294_967_296.0)) : 0
            running += scaled
            table.append(running)
        }
        cumulative = table
        total = running
    }

    /// Zipf-like weights 1/(rank + offset)^s for `count` ranks (Zipf-Mandelbrot: a larger
    /// `offset` flattens the head). Basic arithmetic only, so the table is the same everywhere.
    public static func zipf(count: Int, offset: Double = 1, exponent: ZipfExponent = .one) -> WeightedIndex {
        WeightedIndex((0..<count).map { rank in
            let k = Double(rank) + offset
            switch exponent {
            case .half: return 1 / k.squareRoot()
            case .one: return 1 / k
            case .oneAndHalf: return 1 / (k * k.squareRoot())
            }
        })
    }

    public enum ZipfExponent: Sendable { case half, one, oneAndHalf }

    public var count: Int { cumulative.count }

    @inline(__always)
    public func draw(_ random: inout SeededRandom) -> Int {
        let target = UInt64(random.below(Int(total)))
        // The first entry whose running total exceeds the target.
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) >> 1
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
