import Synchronization

/// A scanner for the engine's unit tests: content containing one of its signatures' bytes is
/// infected, content over `unscannableOver` bytes is unscannable (as clamd's StreamMaxLength), and
/// it can be told to fail (unavailable, timeout, a scanner error) when a session opens, at a send
/// or at finish. It counts sessions and keeps the verdicts it gave. Nothing waits: a `.timeout`
/// failure is thrown at once.
public final class InMemoryScanner: MalwareScanner {
    public struct Signature: Sendable, Hashable {
        public var name: String
        public var bytes: [UInt8]

        public init(name: String, bytes: [UInt8]) {
            precondition(!bytes.isEmpty, "a signature needs at least one byte")
            self.name = name
            self.bytes = bytes
        }

        public init(name: String, marker: String) {
            self.init(name: name, bytes: Array(marker.utf8))
        }

        /// The 68-byte EICAR test string, named as ClamAV's official database names it. Kept as
        /// hex so that no scanner flags this module's binary.
        public static let eicar = Signature(
            name: "Eicar-Test-Signature",
            bytes: hexBytes(
                "58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a"
            ))

        /// The marker scripts/testenv/clamd.sh puts in its test database too.
        public static let testMarker = Signature(name: "Lakegate.Test.Marker", marker: "LAKEGATE-TEST-MALWARE-MARKER")
    }

    public enum Failure: Sendable, Hashable {
        case unavailable
        case timeout
        /// As clamd's "… ERROR" replies.
        case scannerError(String)
    }

    public enum FailurePoint: Sendable, Hashable {
        case open, send, finish
    }

    struct Configuration {
        var signatures: [Signature]
        var unscannableOver: Int?
        var failure: (Failure, FailurePoint)?
    }

    struct Counters {
        var sessionsOpened = 0
        var sessionsClosed = 0
        var bytesReceived = 0
        var verdicts: [ScanVerdict] = []
    }

    public let name: String
    private let configuration: Mutex<Configuration>
    private let counters = Mutex(Counters())

    public init(name: String = "in-memory scanner", signatures: [Signature] = [.eicar, .testMarker], unscannableOver: Int? = nil) {
        self.name = name
        self.configuration = Mutex(Configuration(signatures: signatures, unscannableOver: unscannableOver, failure: nil))
    }

    /// Signatures for sessions opened from now on.
    public var signatures: [Signature] {
        get { configuration.withLock { $0.signatures } }
        set { configuration.withLock { $0.signatures = newValue } }
    }

    /// Content longer than this is `.unscannable(reason: "INSTREAM size limit exceeded")`.
    public var unscannableOver: Int? {
        get { configuration.withLock { $0.unscannableOver } }
        set { configuration.withLock { $0.unscannableOver = newValue } }
    }

    /// Makes `ping`, `version` and scans fail at `point` from now on (also sessions already
    /// open, at their next send or finish); nil heals it.
    public func fail(with failure: Failure?, at point: FailurePoint = .open) {
        configuration.withLock { $0.failure = failure.map { ($0, point) } }
    }

    /// Sessions opened so far.
    public var sessionsOpened: Int { counters.withLock { $0.sessionsOpened } }
    /// Sessions opened and not yet finished, failed or cancelled (a leak in the engine if it stays above 0).
    public var sessionsInProgress: Int { counters.withLock { $0.sessionsOpened - $0.sessionsClosed } }
    /// Verdicts given, in order; `verdicts.count` is the number of completed scans.
    public var verdicts: [ScanVerdict] { counters.withLock { $0.verdicts } }
    public var scansCompleted: Int { counters.withLock { $0.verdicts.count } }
    /// Content bytes received by all sessions.
    public var bytesReceived: Int { counters.withLock { $0.bytesReceived } }

    public func ping() async throws(ScanError) {
        if let error = failure(at: nil) { throw error }
    }

    public func version() async throws(ScanError) -> ScannerVersion {
        if let error = failure(at: nil) { throw error }
        return ScannerVersion(engine: "InMemoryScanner 1", database: String(signatures.count), databaseDate: nil)
    }

    public func openSession() async throws(ScanError) -> any ScanSession {
        if let error = failure(at: .open) { throw error }
        let configuration = configuration.withLock { $0 }
        counters.withLock { $0.sessionsOpened += 1 }
        return Session(scanner: self, signatures: configuration.signatures, unscannableOver: configuration.unscannableOver)
    }

    /// The error to throw at `point` (nil: ping and version, which fail at any point).
    fileprivate func failure(at point: FailurePoint?) -> ScanError? {
        guard let configured = configuration.withLock({ $0.failure }), point == nil || point == configured.1 else {
            return nil
        }
        switch configured.0 {
        case .unavailable: return ScanError(.unavailable, "the in-memory scanner is switched to unavailable", scanner: name)
        case .timeout: return ScanError(.timeout, "the in-memory scanner is switched to time out", scanner: name)
        case .scannerError(let message): return ScanError(.scannerError, message, scanner: name)
        }
    }

    fileprivate func received(_ count: Int) {
        counters.withLock { $0.bytesReceived += count }
    }

    fileprivate func closed(with verdict: ScanVerdict?) {
        counters.withLock {
            $0.sessionsClosed += 1
            if let verdict { $0.verdicts.append(verdict) }
        }
    }

    /// Matches signatures across chunk boundaries by keeping the last (longest signature - 1) bytes.
    final class Session: ScanSession {
        private enum Phase { case open, finished, failed(ScanError), cancelled }
        private struct State {
            var phase = Phase.open
            var tail: [UInt8] = []
            var received = 0
            var match: String?
        }

        private let scanner: InMemoryScanner
        private let signatures: [Signature]
        private let unscannableOver: Int?
        private let keep: Int
        private let state = Mutex(State())

        init(scanner: InMemoryScanner, signatures: [Signature], unscannableOver: Int?) {
            self.scanner = scanner
            self.signatures = signatures
            self.unscannableOver = unscannableOver
            self.keep = max(0, (signatures.map(\.bytes.count).max() ?? 1) - 1)
        }

        func send(_ chunk: UnsafeRawBufferPointer) async throws(ScanError) {
            if let error = scanner.failure(at: .send) { throw fail(error) }
            let signatures = self.signatures
            let keep = self.keep
            let result: ScanError? = state.withLock { state in
                switch state.phase {
                case .open: break
                case .finished: return ScanError(.invalidArgument, "send after finish", scanner: scanner.name)
                case .failed(let error): return error
                case .cancelled: return ScanError(.cancelled, "the scan session was cancelled", scanner: scanner.name)
                }
                state.received += chunk.count
                if state.match == nil {
                    let window = state.tail + Array(chunk)
                    state.match = signatures.first { Self.contains(window, $0.bytes) }?.name
                    state.tail = Array(window.suffix(keep))
                }
                return nil
            }
            if let result { throw result }
            scanner.received(chunk.count)
        }

        func finish() async throws(ScanError) -> ScanVerdict {
            if let error = scanner.failure(at: .finish) { throw fail(error) }
            let unscannableOver = self.unscannableOver
            let outcome: Result<ScanVerdict, ScanError> = state.withLock { state in
                switch state.phase {
                case .open: break
                case .finished: return .failure(ScanError(.invalidArgument, "finish called twice", scanner: scanner.name))
                case .failed(let error): return .failure(error)
                case .cancelled: return .failure(ScanError(.cancelled, "the scan session was cancelled", scanner: scanner.name))
                }
                state.phase = .finished
                if let unscannableOver, state.received > unscannableOver {
                    return .success(.unscannable(reason: ClamdReply.sizeLimitReason))
                }
                return .success(state.match.map { .infected(signature: $0) } ?? .clean)
            }
            if case .success(let verdict) = outcome { scanner.closed(with: verdict) }
            return try outcome.get()
        }

        func cancel() {
            let wasOpen = state.withLock { state in
                guard case .open = state.phase else { return false }
                state.phase = .cancelled
                return true
            }
            if wasOpen { scanner.closed(with: nil) }
        }

        private func fail(_ error: ScanError) -> ScanError {
            let wasOpen = state.withLock { state in
                guard case .open = state.phase else { return false }
                state.phase = .failed(error)
                return true
            }
            if wasOpen { scanner.closed(with: nil) }
            return error
        }

        static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            guard let first = needle.first, haystack.count >= needle.count else { return false }
            var start = 0
            let last = haystack.count - needle.count
            while start <= last {
                guard let index = haystack[start...last].firstIndex(of: first) else { return false }
                if haystack[index..<index + needle.count].elementsEqual(needle) { return true }
                start = index + 1
            }
            return false
        }
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    precondition(digits.count % 2 == 0, "an even number of hex digits")
    func value(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: preconditionFailure("lowercase hex digits only")
        }
    }
    return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
}
