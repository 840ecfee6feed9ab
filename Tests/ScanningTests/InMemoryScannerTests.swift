import LakegateCore
import Testing

@testable import Scanning

@Suite("InMemoryScanner")
struct InMemoryScannerTests {
    @Test func verdictsFromMarkers() async throws {
        let scanner = InMemoryScanner()
        #expect(try await scanner.scan(MemoryByteSource(TestContent.text(10_000))) == .clean)
        #expect(
            try await scanner.scan(MemoryByteSource(TestContent.text(10_000, inserting: TestContent.eicar, at: 5000)))
                == .infected(signature: "Eicar-Test-Signature"))
        #expect(
            try await scanner.scan(MemoryByteSource(TestContent.text(10_000, inserting: TestContent.marker, at: 9972)))
                == .infected(signature: "Lakegate.Test.Marker"))
        #expect(try await scanner.scan(MemoryByteSource([])) == .clean)
        #expect(scanner.verdicts.count == 4)
        #expect(scanner.sessionsOpened == 4)
        #expect(scanner.sessionsInProgress == 0)
        #expect(scanner.bytesReceived == 30_000)
    }

    @Test func markersAreFoundAcrossEveryChunkBoundary() async throws {
        let content = TestContent.text(200, inserting: TestContent.marker, at: 80)
        let scanner = InMemoryScanner(signatures: [.testMarker])
        for chunkSize in [1, 3, 7, 27, 28, 29, 64, 200] {
            #expect(
                try await scanner.scan(MemoryByteSource(content), chunkSize: chunkSize) == .infected(signature: "Lakegate.Test.Marker"),
                "chunk size \(chunkSize)")
        }
        // One byte short of the marker is clean at every chunk size.
        let almost = TestContent.text(200, inserting: Array(TestContent.marker.dropLast()), at: 80)
        for chunkSize in [1, 5, 27, 200] {
            #expect(try await scanner.scan(MemoryByteSource(almost), chunkSize: chunkSize) == .clean)
        }
    }

    @Test func configurableSignaturesAndSizeLimit() async throws {
        let scanner = InMemoryScanner(signatures: [InMemoryScanner.Signature(name: "Custom.Bad", marker: "BAD")], unscannableOver: 1000)
        #expect(try await scanner.scan(MemoryByteSource(Array("all good".utf8))) == .clean)
        #expect(try await scanner.scan(MemoryByteSource(Array("so BAD".utf8))) == .infected(signature: "Custom.Bad"))
        #expect(try await scanner.scan(MemoryByteSource(TestContent.eicar)) == .clean)  // not one of its signatures
        #expect(try await scanner.scan(MemoryByteSource(TestContent.text(1000))) == .clean)
        #expect(
            try await scanner.scan(MemoryByteSource(TestContent.text(1001))) == .unscannable(reason: "INSTREAM size limit exceeded"))
        scanner.unscannableOver = nil
        scanner.signatures = [.eicar]
        #expect(try await scanner.scan(MemoryByteSource(TestContent.text(5000))) == .clean)
        #expect(try await scanner.scan(MemoryByteSource(TestContent.eicar)) == .infected(signature: "Eicar-Test-Signature"))
    }

    @Test(arguments: [InMemoryScanner.FailurePoint.open, .send, .finish])
    func failuresAtEachPoint(point: InMemoryScanner.FailurePoint) async throws {
        let scanner = InMemoryScanner()
        scanner.fail(with: .unavailable, at: point)
        let error = await scanError { () async throws(ScanError) in try await scanner.scan(MemoryByteSource(TestContent.text(100))) }
        #expect(error?.code == .unavailable)
        #expect(error?.isRetryable == true)
        scanner.fail(with: .timeout, at: point)
        #expect(await scanError { () async throws(ScanError) in try await scanner.scan(MemoryByteSource(TestContent.text(100))) }?.code == .timeout)
        scanner.fail(with: .scannerError("Can't allocate memory"), at: point)
        let scannerError = await scanError { () async throws(ScanError) in
            try await scanner.scan(MemoryByteSource(TestContent.text(100)))
        }
        #expect(scannerError?.code == .scannerError)
        #expect(scannerError?.message == "Can't allocate memory")
        #expect(scanner.verdicts.isEmpty)
        #expect(scanner.sessionsInProgress == 0)
        scanner.fail(with: nil)
        #expect(try await scanner.scan(MemoryByteSource(TestContent.text(100))) == .clean)
        #expect(scanner.verdicts == [.clean])
    }

    @Test func pingAndVersionFollowTheSwitch() async throws {
        let scanner = InMemoryScanner()
        try await scanner.ping()
        #expect(try await scanner.version().engine == "InMemoryScanner 1")
        scanner.fail(with: .unavailable, at: .finish)
        #expect(await scanError { () async throws(ScanError) in try await scanner.ping() }?.code == .unavailable)
        #expect(await scanError { () async throws(ScanError) in try await scanner.version() }?.code == .unavailable)
    }

    @Test func sessionRulesMatchClamds() async throws {
        let scanner = InMemoryScanner()
        let session = try await scanner.openSession()
        try await session.send(Array("abc".utf8))
        #expect(try await session.finish() == .clean)
        #expect(await scanError { () async throws(ScanError) in try await session.send(Array("x".utf8)) }?.code == .invalidArgument)
        #expect(await scanError { () async throws(ScanError) in try await session.finish() }?.code == .invalidArgument)

        let cancelled = try await scanner.openSession()
        try await cancelled.send(TestContent.eicar)
        cancelled.cancel()
        #expect(await scanError { () async throws(ScanError) in try await cancelled.finish() }?.code == .cancelled)
        #expect(scanner.sessionsInProgress == 0)
        #expect(scanner.verdicts == [.clean])
    }

    struct FailingSource: ByteRangeSource {
        let size = 1000
        func read(_ range: Range<Int>) throws -> [UInt8] {
            guard range.lowerBound < 500 else { throw ByteIOError(.ioFailure, "disk on fire", path: "x.csv", isRetryable: true) }
            return [UInt8](repeating: 0x41, count: range.count)
        }
    }

    @Test func aFailingSourceCancelsTheSession() async throws {
        let scanner = InMemoryScanner()
        let error = await scanError { () async throws(ScanError) in try await scanner.scan(FailingSource(), chunkSize: 100) }
        #expect(error?.code == .sourceFailed)
        #expect(error?.offset == 500)
        #expect(error?.isRetryable == true)
        #expect(scanner.sessionsInProgress == 0)
        #expect(scanner.verdicts.isEmpty)
        #expect(scanner.bytesReceived == 500)
    }
}
