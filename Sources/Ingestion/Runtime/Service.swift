import Foundation
import Logging
import Queues
import Synchronization

/// Set when the process is asked to stop (SIGTERM, SIGINT): loops finish the job in hand (or
/// give its lease back) and return.
public final class StopFlag: Sendable {
    private let stopped = Atomic<Bool>(false)
    public init() {}
    public var isSet: Bool { stopped.load(ordering: .acquiring) }
    public func set() { stopped.store(true, ordering: .releasing) }
}

/// When work was last done, for idle exits.
final class Activity: Sendable {
    private let last = Mutex(ContinuousClock.now)
    func touch() { last.withLock { $0 = ContinuousClock.now } }
    var idle: Duration { ContinuousClock.now - last.withLock { $0 } }
}

/// The long-running parts of `lakegate run` and `lakegate worker`: discovery and scanning on a
/// timer, N workers taking jobs from the queue, and the reconciliation sweep that repairs what
/// a crash or a lost message left behind.
public struct IngestionService: Sendable {
    public let runtime: Runtime
    let logger = Logger(label: "lakegate.service")

    public init(runtime: Runtime) { self.runtime = runtime }

    public struct Summary: Sendable, Equatable {
        public var discovered = 0
        public var scanned = 0
        public var completed = 0
        public var rows = 0
        public init() {}
    }

    /// Discovery, scanning and loading until nothing is left that can be done now (files whose
    /// scan must wait for the scanner are left pending). For one-shot use and demos.
    ///
    /// Each pass scans what is due while a worker loads what the scans have queued so far, so
    /// clamd and the lake commits use both cores instead of taking turns.
    public func drain(settle: Double = 0, maxPasses: Int = 1_000_000) async throws -> Summary {
        var summary = Summary()
        let worker = runtime.worker(consumer: "drain-\(getpid())")
        let discovery = runtime.discovery(settle: settle)
        let scan = runtime.scanStage()
        for _ in 0..<maxPasses {
            try await runtime.adoptClientsFromLanding()
            let discovered = try await discovery.discover().count
            summary.discovered += discovered
            let scanning = StopFlag()
            async let scanned = { () async throws -> [ScanStage.Outcome] in
                defer { scanning.set() }
                return try await scan.scanDue(limit: 256, concurrency: 2)
            }()
            let loads = try await Self.load(worker, until: scanning)
            let scans = try await scanned
            summary.scanned += scans.count
            for case .completed(let rows) in loads {
                summary.completed += 1
                summary.rows += rows
            }
            let waiting = try await runtime.store.due(.queued, now: .now + 3600, limit: 1)
            let idle = discovered == 0 && loads.isEmpty && waiting.isEmpty
            if idle && scans.allSatisfy({ if case .deferred = $0 { true } else { false } }) { break }
            if loads.isEmpty && !waiting.isEmpty {
                // Retries wait out their backoff.
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        return summary
    }

    /// Loads queued jobs until the queue is empty after `scanning` is set.
    private static func load(_ worker: Worker, until scanning: StopFlag) async throws -> [Worker.Outcome] {
        var outcomes: [Worker.Outcome] = []
        while true {
            let scanDone = scanning.isSet  // read before receiving: nothing queued after it is missed
            let taken = try await worker.runOnce(limit: 16, wait: .zero)
            outcomes += taken
            if taken.isEmpty {
                if scanDone { return outcomes }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// Runs until `stop` is set: discovery and scanning (when `scanning`), `workers` workers,
    /// and reconciliation. With `idleExit`, returns after that long without any work.
    public func run(workers: Int, scanning: Bool, idleExit: Duration?, stop: StopFlag) async {
        let lastWork = Activity()
        await withTaskGroup(of: Void.self) { group in
            if scanning {
                group.addTask { await self.scanLoop(stop: stop, lastWork: lastWork) }
                group.addTask { await self.reconcileLoop(stop: stop) }
                group.addTask { await self.housekeepingLoop(stop: stop) }
            }
            for index in 0..<max(1, workers) {
                group.addTask { await self.workerLoop(index: index, stop: stop, lastWork: lastWork) }
            }
            if let idleExit {
                group.addTask {
                    while !stop.isSet {
                        try? await Task.sleep(for: .milliseconds(200))
                        if lastWork.idle > idleExit {
                            logger.info("idle; exiting", metadata: ["idle_exit": "\(idleExit)"])
                            stop.set()
                        }
                    }
                }
            }
        }
    }

    func scanLoop(stop: StopFlag, lastWork: Activity) async {
        let interval = runtime.configuration.discovery.interval
        let discovery = runtime.discovery()
        let scan = runtime.scanStage()
        // Listing runs every `interval`; pending jobs (from a notification, or waiting out a
        // scanner's backoff) are looked at every half second in between.
        let tick = min(interval, .milliseconds(500))
        var nextListing = ContinuousClock.now
        var failures = FailureStreak(base: tick)
        while !stop.isSet {
            var wait = tick
            do {
                var found: [Job] = []
                if ContinuousClock.now >= nextListing {
                    try await runtime.adoptClientsFromLanding()
                    found = try await discovery.discover()
                    nextListing = ContinuousClock.now + interval
                }
                let scanned = try await scan.scanDue(limit: 256, concurrency: 2)
                recovered(&failures, "discovery and scanning")
                if !found.isEmpty || !scanned.isEmpty { lastWork.touch() }
                if !scanned.isEmpty { continue }  // more may be due at once
            } catch {
                let (delay, log) = failures.failed(at: .now)
                wait = delay
                if log {
                    logger.error("discovery or scanning failed; retrying", metadata: ["error": "\(error)", "failures": "\(failures.count)"])
                    await runtime.store.alert("discovery", "\(error)", now: .now)
                }
            }
            await sleep(wait, unless: stop)
        }
    }

    private func recovered(_ failures: inout FailureStreak, _ what: String) {
        let streak = failures.succeeded()
        if streak > 0 { logger.info("\(what): working again", metadata: ["failures": "\(streak)"]) }
    }

    func workerLoop(index: Int, stop: StopFlag, lastWork: Activity) async {
        let worker = runtime.worker(consumer: "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(index)")
        var failures = FailureStreak(base: .milliseconds(500))
        while !stop.isSet {
            do {
                let outcomes = try await worker.runOnce(limit: 1, wait: .seconds(1))
                recovered(&failures, "worker \(index)")
                if !outcomes.isEmpty { lastWork.touch() }
            } catch {
                let (delay, log) = failures.failed(at: .now)
                if log { logger.error("worker cannot receive; retrying", metadata: ["error": "\(error)", "worker": "\(index)"]) }
                await sleep(delay, unless: stop)
            }
        }
    }

    func reconcileLoop(stop: StopFlag) async {
        while !stop.isSet {
            await sleep(runtime.configuration.discovery.reconcileInterval, unless: stop)
            if stop.isSet { return }
            do {
                let repaired = try await Reconciliation(runtime: runtime).sweep()
                if repaired > 0 { logger.info("reconciliation re-enqueued jobs", metadata: ["jobs": "\(repaired)"]) }
            } catch {
                logger.error("reconciliation failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Once per `housekeeping.orphan_grace`: deletes the lake files that writers killed before
    /// their commit left behind, once that old (so a file is swept at most a grace period late).
    func housekeepingLoop(stop: StopFlag) async {
        let grace = runtime.configuration.housekeeping.orphanGrace
        while !stop.isSet {
            await sleep(grace, unless: stop)
            if stop.isSet { return }
            do {
                let swept = try await runtime.sweepUnreferencedFiles()
                if swept > 0 { logger.info("housekeeping deleted unreferenced files", metadata: ["files": "\(swept)"]) }
            } catch {
                logger.error("housekeeping failed", metadata: ["error": "\(error)"])
            }
        }
    }

    func sleep(_ duration: Duration, unless stop: StopFlag) async {
        let end = ContinuousClock.now + duration
        while !stop.isSet && ContinuousClock.now < end {
            try? await Task.sleep(for: min(.milliseconds(200), end - ContinuousClock.now))
        }
    }
}

/// Repairs what crashes and lost messages leave: scans whose process died go back to pending;
/// queued jobs whose message may be lost, and running jobs whose worker died, are enqueued
/// again (a duplicate message is harmless: workers check the job store and the lake's
/// idempotency key before doing anything).
public struct Reconciliation: Sendable {
    public let runtime: Runtime
    /// A job untouched for this long in `scanning`, `queued` or `running` is repaired (default:
    /// twice the queue's visibility timeout, by when any lease a dead process held has run out).
    public var staleAfter: Double

    public init(runtime: Runtime, staleAfter: Double? = nil) {
        self.runtime = runtime
        self.staleAfter = staleAfter ?? runtime.configuration.queue.visibilityTimeout.seconds * 2
    }

    @discardableResult
    public func sweep() async throws(IngestionError) -> Int {
        let store = runtime.store
        let before = Double.now - staleAfter
        var repaired = 0
        for job in try await store.stale(.scanning, before: before, limit: 1000) {
            if try await store.transition(job.id, from: [.scanning], to: .pending, now: .now) { repaired += 1 }
        }
        for state in [JobState.queued, .running] {
            for job in try await store.stale(state, before: before, limit: 1000) {
                if try await runtime.requeue(job, from: [state]) { repaired += 1 }
            }
        }
        return repaired
    }
}
