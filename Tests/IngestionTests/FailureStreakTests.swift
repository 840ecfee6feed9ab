import Testing

@testable import Ingestion

@Suite struct FailureStreakTests {
    /// Waits double up to the ceiling; the error is logged first, then once per quiet period,
    /// and a success ends the streak and reports its length.
    @Test func waitsDoubleAndLogsStayQuiet() {
        var streak = FailureStreak(base: .milliseconds(100), ceiling: .seconds(1), quietPeriod: .seconds(10))
        let start = ContinuousClock.now
        var waits: [Duration] = []
        var logged: [Int] = []
        for n in 0..<40 {
            let (wait, log) = streak.failed(at: start + .milliseconds(500 * n))
            waits.append(wait)
            if log { logged.append(n) }
        }
        #expect(waits.prefix(6) == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        #expect(waits.last == .seconds(1))
        #expect(logged == [0, 20])
        #expect(streak.succeeded() == 40)
        #expect(streak.succeeded() == 0)
        #expect(streak.failed(at: start + .seconds(21)) == (.milliseconds(100), true))
    }
}
