import LakegateCore
import TestServers
import Testing

@testable import Scanning

enum SocketKind: String, CaseIterable, Sendable {
    case unix, tcp

    func address(of server: ClamdTestServer) -> ClamdAddress {
        switch self {
        case .unix: .unix(server.socketPath)
        case .tcp: .tcp(host: "127.0.0.1", port: server.port)
        }
    }
}

/// Against a real clamd with the database scripts/testenv/clamd.sh generates, over both sockets.
@Suite("clamd", .clamdServer)
struct ClamdScannerTests {
    static func scanner(_ kind: SocketKind, maxStreamSize: Int? = nil) throws -> ClamdScanner {
        ClamdScanner(address: kind.address(of: try ClamdTestServer.current), timeout: .seconds(30), maxStreamSize: maxStreamSize)
    }

    static func scan(_ scanner: ClamdScanner, _ content: [UInt8], chunkSize: Int = 64 << 10) async throws -> ScanVerdict {
        let session = try await scanner.openSession()
        try await session.send(content, chunkSize: chunkSize)
        return try await session.finish()
    }

    @Test(arguments: SocketKind.allCases)
    func pingAndVersion(kind: SocketKind) async throws {
        let server = try ClamdTestServer.current
        let scanner = try Self.scanner(kind)
        try await scanner.ping()
        let version = try await scanner.version()
        #expect(version.engine.hasPrefix("ClamAV 1."))
        #expect(version.database == server.databaseVersion)
        #expect(version.databaseDate?.isEmpty == false)
        #expect(scanner.name == "clamd \(kind.address(of: server))")
    }

    @Test(arguments: SocketKind.allCases)
    func cleanContentIsClean(kind: SocketKind) async throws {
        let scanner = try Self.scanner(kind)
        #expect(try await scanner.scan(MemoryByteSource(TestContent.text(300_000))) == .clean)
        #expect(try await scanner.scan(MemoryByteSource([])) == .clean)
        // The EICAR bytes with one more byte are another file for a hash signature.
        #expect(try await scanner.scan(MemoryByteSource(TestContent.eicar + [0x0A])) == .clean)
    }

    @Test(arguments: SocketKind.allCases)
    func eicarIsInfected(kind: SocketKind) async throws {
        let scanner = try Self.scanner(kind)
        #expect(try await scanner.scan(MemoryByteSource(TestContent.eicar)) == .infected(signature: ClamdTestServer.eicarSignature))
        // One byte at a time: framing does not change the content.
        #expect(try await Self.scan(scanner, TestContent.eicar, chunkSize: 1) == .infected(signature: ClamdTestServer.eicarSignature))
    }

    @Test(arguments: SocketKind.allCases)
    func eicarInsideAZipIsInfected(kind: SocketKind) async throws {
        let scanner = try Self.scanner(kind)
        let harmless = TestContent.storedZip([("readme.txt", TestContent.text(5000))])
        #expect(try await scanner.scan(MemoryByteSource(harmless)) == .clean)
        // EICAR's signature is a hash of the whole file: it matches only once clamd opened the zip.
        let zip = TestContent.storedZip([("readme.txt", TestContent.text(5000)), ("eicar.com", TestContent.eicar)])
        #expect(try await scanner.scan(MemoryByteSource(zip)) == .infected(signature: ClamdTestServer.eicarSignature))
    }

    @Test(arguments: SocketKind.allCases)
    func markerInTheMiddleOfThreeMegabytes(kind: SocketKind) async throws {
        let server = try ClamdTestServer.current
        let size = 3 << 20
        #expect(size < server.maxFileSize)
        let content = TestContent.text(size, inserting: TestContent.marker, at: size / 2 + 13)
        let scanner = try Self.scanner(kind)
        #expect(try await Self.scan(scanner, content, chunkSize: 64 << 10) == .infected(signature: ClamdTestServer.markerSignature))
        #expect(try await Self.scan(scanner, TestContent.text(size), chunkSize: 64 << 10) == .clean)
    }

    @Test(arguments: SocketKind.allCases)
    func overMaxFileSizeIsUnscannable(kind: SocketKind) async throws {
        let server = try ClamdTestServer.current
        let size = server.maxFileSize + (512 << 10)
        #expect(size < server.streamMaxLength)
        // The marker lies beyond MaxFileSize: clamd never sees it, and says so.
        let content = TestContent.text(size, inserting: TestContent.marker, at: server.maxFileSize + 1000)
        let verdict = try await Self.scan(try Self.scanner(kind), content)
        #expect(verdict == .unscannable(reason: "Heuristics.Limits.Exceeded.MaxFileSize"))
    }

    @Test(arguments: SocketKind.allCases)
    func overStreamMaxLengthIsUnscannable(kind: SocketKind) async throws {
        let server = try ClamdTestServer.current
        let content = TestContent.text(server.streamMaxLength + (1 << 20))
        let verdict = try await Self.scan(try Self.scanner(kind), content)
        #expect(verdict == .unscannable(reason: "INSTREAM size limit exceeded"))
    }

    @Test(arguments: SocketKind.allCases)
    func farOverStreamMaxLengthStopsSendingOnClamdsReply(kind: SocketKind) async throws {
        // Far enough over the limit that socket buffers cannot hide it: clamd answers and closes
        // while we are still sending, and the session sends nothing more after its reply.
        let server = try ClamdTestServer.current
        let content = [UInt8](repeating: UInt8(ascii: "a"), count: 4 * server.streamMaxLength)
        let session = try await Self.scanner(kind).openSession()
        try await session.send(content, chunkSize: 256 << 10)
        let sent = try #require(session as? ClamdSession).bytesSent
        #expect(sent >= server.streamMaxLength)
        #expect(sent < content.count)
        #expect(try await session.finish() == .unscannable(reason: "INSTREAM size limit exceeded"))
    }

    @Test(arguments: SocketKind.allCases)
    func ourOwnLimitStopsTheStream(kind: SocketKind) async throws {
        let scanner = try Self.scanner(kind, maxStreamSize: 1 << 20)
        let content = TestContent.text(3 << 20, inserting: TestContent.marker, at: 2 << 20)
        #expect(try await Self.scan(scanner, content) == .unscannable(reason: "stream longer than the scanner's limit of 1048576 bytes"))
        #expect(try await Self.scan(scanner, TestContent.text(1 << 20)) == .clean)
        let atLimit = TestContent.text(1 << 20, inserting: TestContent.marker, at: (1 << 20) - TestContent.marker.count)
        #expect(try await Self.scan(scanner, atLimit) == .infected(signature: ClamdTestServer.markerSignature))
    }

    @Test(arguments: SocketKind.allCases)
    func sessionMisuseAndCancel(kind: SocketKind) async throws {
        let scanner = try Self.scanner(kind)
        let session = try await scanner.openSession()
        try await session.send(TestContent.text(1000))
        #expect(try await session.finish() == .clean)
        #expect(await scanError { () async throws(ScanError) in try await session.send(TestContent.text(10)) }?.code == .invalidArgument)
        #expect(await scanError { () async throws(ScanError) in try await session.finish() }?.code == .invalidArgument)

        let cancelled = try await scanner.openSession()
        try await cancelled.send(TestContent.eicar)
        cancelled.cancel()
        #expect(await scanError { () async throws(ScanError) in try await cancelled.send(TestContent.text(10)) }?.code == .cancelled)
        #expect(await scanError { () async throws(ScanError) in try await cancelled.finish() }?.code == .cancelled)
        // clamd is not disturbed by the abandoned stream.
        try await scanner.ping()
    }

    @Test func concurrentScansKeepTheirVerdicts() async throws {
        let contents: [([UInt8], ScanVerdict)] = [
            (TestContent.text(200_000, seed: 2), .clean),
            (TestContent.eicar, .infected(signature: ClamdTestServer.eicarSignature)),
            (TestContent.text(500_000, inserting: TestContent.marker, at: 250_000), .infected(signature: ClamdTestServer.markerSignature)),
            (TestContent.text(100_000, seed: 3), .clean),
        ]
        let unix = try Self.scanner(.unix)
        let tcp = try Self.scanner(.tcp)
        try await withThrowingTaskGroup(of: (Int, ScanVerdict).self) { group in
            for round in 0..<3 {
                for (index, (content, _)) in contents.enumerated() {
                    let scanner = (round + index) % 2 == 0 ? unix : tcp
                    group.addTask { (index, try await Self.scan(scanner, content, chunkSize: 32 << 10)) }
                }
            }
            for try await (index, verdict) in group {
                #expect(verdict == contents[index].1)
            }
        }
    }
}

/// clamd going away while scans are open: errors, never a verdict. Its own server, killed here.
@Suite("clamd killed")
struct ClamdKilledTests {
    @Test func scansFailWhenClamdDies() async throws {
        try await withTestServer(start: { try await ClamdTestServer.start() }, stop: { await $0.stop() }) { server in
            try await scansFail(server)
        }
    }

    private func scansFail(_ server: ClamdTestServer) async throws {
        let scanners = SocketKind.allCases.map { ClamdScanner(address: $0.address(of: server), timeout: .seconds(10)) }
        var sessions: [any ScanSession] = []
        for scanner in scanners {
            try await scanner.ping()
            let session = try await scanner.openSession()
            try await session.send(TestContent.text(200_000))
            sessions.append(session)
        }
        try server.kill()

        for (scanner, session) in zip(scanners, sessions) {
            let error = await scanError { () async throws(ScanError) in
                try await session.send(TestContent.text(200_000))
                return try await session.finish()
            }
            #expect(error?.code == .unavailable, "\(scanner.name): \(String(describing: error))")
            #expect(error?.isRetryable == true)
            #expect(await scanError { () async throws(ScanError) in try await scanner.ping() }?.code == .unavailable)
            let scan = await scanError { () async throws(ScanError) in try await scanner.scan(MemoryByteSource(TestContent.text(1000))) }
            #expect(scan?.code == .unavailable)
        }
    }
}

/// Servers that are not clamd, or no server at all.
@Suite("clamd unreachable or misbehaving")
struct ClamdFailureTests {
    @Test func missingSocketAndClosedPortAreUnavailable() async throws {
        let missing = ClamdScanner(address: .unix("/tmp/lakegate-no-such-folder/clamd.sock"), timeout: .seconds(5))
        let pingError = await scanError { () async throws(ScanError) in try await missing.ping() }
        #expect(pingError?.code == .unavailable)
        #expect(pingError?.scanner == "clamd unix:/tmp/lakegate-no-such-folder/clamd.sock")
        #expect(await scanError { () async throws(ScanError) in try await missing.openSession() }?.code == .unavailable)

        let closed = ClamdScanner(address: .tcp(host: "127.0.0.1", port: try closedPort()), timeout: .seconds(5))
        #expect(await scanError { () async throws(ScanError) in try await closed.version() }?.code == .unavailable)
        #expect(await scanError { () async throws(ScanError) in try await closed.scan(MemoryByteSource(TestContent.eicar)) }?.code == .unavailable)
    }

    static func fake(_ kind: SocketKind, _ behavior: FakeServer.Behavior) throws -> FakeServer {
        switch kind {
        case .unix: try FakeServer.unix(behavior)
        case .tcp: try FakeServer.tcp(behavior)
        }
    }

    @Test(arguments: SocketKind.allCases)
    func aServerThatNeverAnswersTimesOut(kind: SocketKind) async throws {
        let server = try Self.fake(kind, .silent)
        defer { server.stop() }
        let scanner = ClamdScanner(address: server.address, timeout: .seconds(1))
        #expect(await scanError { () async throws(ScanError) in try await scanner.ping() }?.code == .timeout)
        let session = try await scanner.openSession()
        try await session.send(TestContent.text(1000))
        let error = await scanError { () async throws(ScanError) in try await session.finish() }
        #expect(error?.code == .timeout)
        #expect(error?.offset == 1000)
        #expect(error?.isRetryable == true)
    }

    @Test(arguments: SocketKind.allCases)
    func aServerThatNeverReadsTimesOutASend(kind: SocketKind) async throws {
        let server = try Self.fake(kind, .silent)
        defer { server.stop() }
        let scanner = ClamdScanner(address: server.address, timeout: .seconds(1))
        let session = try await scanner.openSession()
        let chunk = TestContent.text(1 << 20)
        // Socket buffers take a few megabytes at most; then a send must time out.
        var sent = 0
        let error = await scanError { () async throws(ScanError) in
            while sent < 256 << 20 {
                try await session.send(chunk)
                sent += chunk.count
            }
        }
        #expect(error?.code == .timeout)
        #expect(sent < 256 << 20)
        #expect(await scanError { () async throws(ScanError) in try await session.finish() }?.code == .timeout)
    }

    @Test(arguments: SocketKind.allCases)
    func garbageAndOverlongRepliesAreProtocolErrors(kind: SocketKind) async throws {
        let garbage = try Self.fake(kind, .reply([0x48, 0x54, 0x54, 0x50, 0xff, 0xfe, 0x00]))
        defer { garbage.stop() }
        let scanner = ClamdScanner(address: garbage.address, timeout: .seconds(5))
        #expect(await scanError { () async throws(ScanError) in try await scanner.ping() }?.code == .protocolError)
        #expect(await scanError { () async throws(ScanError) in try await scanner.version() }?.code == .protocolError)
        #expect(await scanError { () async throws(ScanError) in try await scanner.scan(MemoryByteSource([])) }?.code == .protocolError)

        let overlong = try Self.fake(kind, .reply([UInt8](repeating: UInt8(ascii: "A"), count: 10_000)))
        defer { overlong.stop() }
        let long = ClamdScanner(address: overlong.address, timeout: .seconds(5))
        #expect(await scanError { () async throws(ScanError) in try await long.ping() }?.code == .protocolError)
        #expect(await scanError { () async throws(ScanError) in try await long.scan(MemoryByteSource([])) }?.code == .protocolError)
    }

    @Test(arguments: SocketKind.allCases)
    func errorRepliesAndSilentClosesAreErrors(kind: SocketKind) async throws {
        let failing = try Self.fake(kind, .reply(Array("Can't allocate memory ERROR".utf8) + [0]))
        defer { failing.stop() }
        let scanner = ClamdScanner(address: failing.address, timeout: .seconds(5))
        let error = await scanError { () async throws(ScanError) in try await scanner.scan(MemoryByteSource([])) }
        #expect(error?.code == .scannerError)
        #expect(error?.message == "clamd: Can't allocate memory")

        let closing = try Self.fake(kind, .reply([]))
        defer { closing.stop() }
        let closed = ClamdScanner(address: closing.address, timeout: .seconds(5))
        #expect(await scanError { () async throws(ScanError) in try await closed.ping() }?.code == .unavailable)
        #expect(await scanError { () async throws(ScanError) in try await closed.scan(MemoryByteSource([])) }?.code == .unavailable)
    }
}
