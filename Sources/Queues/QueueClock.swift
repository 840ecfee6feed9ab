import Foundation
import Synchronization

/// Wall time for leases, delays and dead letters, in seconds since 1970. Injected so that tests
/// can move time instead of sleeping. Waiting in `receive` is measured in real time whatever the
/// clock.
///
/// The SQL queue compares times written by every consumer: consumers on several machines need
/// clocks in step (NTP) to well within the visibility timeout.
public protocol QueueClock: Sendable {
    func now() -> Double
}

extension QueueClock {
    /// Now in whole milliseconds.
    var nowMilliseconds: Int64 { Int64((now() * 1000).rounded(.down)) }
}

public struct SystemQueueClock: QueueClock {
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
}

/// A clock that moves only when told.
public final class ManualQueueClock: QueueClock {
    private let current: Mutex<Double>

    public init(start: Double = 1_700_000_000) {
        current = Mutex(start)
    }

    public func now() -> Double { current.withLock { $0 } }

    public func advance(by duration: Duration) {
        current.withLock { $0 += duration.seconds }
    }

    public func set(_ seconds: Double) {
        current.withLock { $0 = seconds }
    }
}

extension Duration {
    /// As a number of seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded down, at least 0.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? .max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000).partialValue
    }
}
