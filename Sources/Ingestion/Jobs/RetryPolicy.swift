/// When work that failed is tried again, and when it stops: exponential backoff from `initial`
/// doubling up to `maximum`, and at most `maxAttempts` load attempts before a job is dead.
/// Scans without a verdict (scanner down) are retried forever: the file waits, untrusted.
public struct RetryPolicy: Sendable, Equatable {
    public var initial: Double
    public var maximum: Double
    public var maxAttempts: Int

    public init(initial: Double = 1, maximum: Double = 300, maxAttempts: Int = 5) {
        self.initial = initial
        self.maximum = maximum
        self.maxAttempts = maxAttempts
    }

    /// Seconds to wait after the `attempt`-th failure (1-based).
    public func delay(afterAttempt attempt: Int) -> Double {
        guard attempt > 1 else { return min(initial, maximum) }
        let exponent = min(attempt - 1, 40)
        return min(initial * Double(1 << UInt64(exponent)), maximum)
    }

    public enum Decision: Equatable, Sendable {
        /// Queue it again after this many seconds.
        case retry(after: Double)
        /// Give up: dead.
        case giveUp
    }

    /// What to do after a load attempt failed, `attempts` counting the one that failed.
    public func afterFailure(attempts: Int) -> Decision {
        attempts >= maxAttempts ? .giveUp : .retry(after: delay(afterAttempt: attempts))
    }
}
