/// A loop's run of consecutive failures (a database or scanner that is away): waits that double
/// from `base` up to `ceiling`, and logs that say so once, then once per `quietPeriod`, then on
/// recovery, instead of the same error every turn of a 100 ms loop. Pure: the caller passes
/// the clock's reading.
struct FailureStreak {
    let base: Duration
    let ceiling: Duration
    let quietPeriod: Duration
    private(set) var count = 0
    private var lastLogged: ContinuousClock.Instant?

    init(base: Duration, ceiling: Duration = .seconds(5), quietPeriod: Duration = .seconds(60)) {
        self.base = base
        self.ceiling = max(base, ceiling)
        self.quietPeriod = quietPeriod
    }

    /// Records a failure at `now`: how long to wait before the next turn, and whether to log it.
    mutating func failed(at now: ContinuousClock.Instant) -> (wait: Duration, log: Bool) {
        count += 1
        let log = lastLogged.map { now - $0 >= quietPeriod } ?? true
        if log { lastLogged = now }
        let wait = count > 30 ? ceiling : min(ceiling, base * (1 << (count - 1)))
        return (wait, log)
    }

    /// Records a success: the length of the streak it ended (0 when there was none).
    mutating func succeeded() -> Int {
        defer {
            count = 0
            lastLogged = nil
        }
        return count
    }
}
