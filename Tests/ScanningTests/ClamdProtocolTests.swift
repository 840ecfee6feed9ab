import Testing

@testable import Scanning

@Suite("clamd protocol: framing, replies, addresses")
struct ClamdProtocolTests {
    @Test func commandsEndWithNUL() {
        #expect(ClamdCommand.instream.bytes == Array("zINSTREAM".utf8) + [0])
        #expect(ClamdCommand.ping.bytes == Array("zPING".utf8) + [0])
        #expect(ClamdCommand.version.bytes == Array("zVERSION".utf8) + [0])
    }

    @Test func chunksAreFramedBigEndian() {
        #expect(ClamdFraming.header(65536) == [0, 1, 0, 0])
        #expect(ClamdFraming.header(0x0A_0B0C) == [0, 0x0A, 0x0B, 0x0C])
        #expect(ClamdFraming.header(1) == [0, 0, 0, 1])
        #expect(ClamdFraming.terminator == [0, 0, 0, 0])
        // An empty chunk has no frame: a zero length would end the stream.
        #expect(ClamdFraming.frames(count: 0).isEmpty)
        let frames = ClamdFraming.frames(count: 2 * ClamdFraming.maxFrame + 5)
        #expect(frames.map(\.offset) == [0, ClamdFraming.maxFrame, 2 * ClamdFraming.maxFrame])
        #expect(frames.map(\.length) == [ClamdFraming.maxFrame, ClamdFraming.maxFrame, 5])
    }

    // MARK: the reply reader

    @Test func readerCollectsAReplyAcrossReads() {
        var reader = ClamdReplyReader()
        #expect(reader.consume(Array("stream: Ei".utf8)) == nil)
        #expect(reader.consume(Array("car FOUND".utf8)) == nil)
        #expect(reader.consume([0] + Array("stream: OK".utf8) + [0]) == .reply(Array("stream: Eicar FOUND".utf8)))
        // The first reply decides; later bytes change nothing.
        #expect(reader.consume(Array("more".utf8) + [0]) == .reply(Array("stream: Eicar FOUND".utf8)))
        #expect(reader.endOfInput() == .reply(Array("stream: Eicar FOUND".utf8)))
    }

    @Test func readerBoundsTheReply() {
        var atLimit = ClamdReplyReader(limit: 8)
        #expect(atLimit.consume(Array("12345678".utf8) + [0]) == .reply(Array("12345678".utf8)))

        var overlong = ClamdReplyReader(limit: 8)
        #expect(overlong.consume(Array("1234".utf8)) == nil)
        #expect(overlong.consume(Array("56789".utf8)) == .overlong)
        #expect(overlong.consume([0]) == .overlong)

        var standard = ClamdReplyReader()
        #expect(standard.consume([UInt8](repeating: UInt8(ascii: "A"), count: 4097)) == .overlong)
    }

    @Test func readerReportsAConnectionClosedMidReply() {
        var reader = ClamdReplyReader()
        #expect(reader.consume(Array("stream: O".utf8)) == nil)
        #expect(reader.endOfInput() == .closed(partial: Array("stream: O".utf8)))
        var empty = ClamdReplyReader()
        #expect(empty.endOfInput() == .closed(partial: []))
    }

    // MARK: verdicts

    static func verdict(_ text: String) throws(ScanError) -> ScanVerdict {
        try ClamdReply.verdict(Array(text.utf8))
    }

    @Test func verdictsFromReplies() throws {
        #expect(try Self.verdict("stream: OK") == .clean)
        #expect(try Self.verdict("stream: Eicar-Test-Signature FOUND") == .infected(signature: "Eicar-Test-Signature"))
        #expect(try Self.verdict("stream: Win.Test.EICAR_HDB-1 FOUND") == .infected(signature: "Win.Test.EICAR_HDB-1"))
        #expect(
            try Self.verdict("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND")
                == .unscannable(reason: "Heuristics.Limits.Exceeded.MaxFileSize"))
        #expect(
            try Self.verdict("stream: Heuristics.Limits.Exceeded.MaxScanSize FOUND")
                == .unscannable(reason: "Heuristics.Limits.Exceeded.MaxScanSize"))
        #expect(try Self.verdict("INSTREAM size limit exceeded. ERROR") == .unscannable(reason: "INSTREAM size limit exceeded"))
        // Other heuristics are detections, not limits.
        #expect(
            try Self.verdict("stream: Heuristics.Encrypted.Zip FOUND") == .infected(signature: "Heuristics.Encrypted.Zip"))
    }

    @Test(arguments: [
        ("stream: Can't allocate memory ERROR", ScanError.Code.scannerError),
        ("ERROR", .scannerError),
        ("stream: lstat() failed: No such file or directory. ERROR", .scannerError),
        ("OK", .protocolError),  // clean only as "stream: OK"
        ("stream: OK OK", .protocolError),
        ("stream:  FOUND", .protocolError),
        ("stream: FOUND", .protocolError),
        ("PONG", .protocolError),
        ("UNKNOWN COMMAND", .protocolError),
        ("COMMAND READ TIMED OUT", .protocolError),
        ("", .protocolError),
    ])
    func repliesThatAreNoVerdict(reply: String, code: ScanError.Code) {
        #expect(throws: ScanError.self) { try Self.verdict(reply) }
        let error = try? #require(throws: ScanError.self) { try Self.verdict(reply) }
        #expect(error?.code == code)
        #expect(error?.isRetryable == true)
    }

    @Test func garbageIsAProtocolErrorThatDoesNotEchoTheBytes() throws {
        let garbage: [UInt8] = [0x48, 0x54, 0xff, 0x01, 0x80, 0x0a, 0x7f]
        let error = try #require(throws: ScanError.self) { try ClamdReply.verdict(garbage) }
        #expect(error.code == .protocolError)
        #expect(error.message == "clamd's reply is not text (7 bytes)")

        let http = try #require(throws: ScanError.self) { try Self.verdict("HTTP/1.1 400 Bad Request") }
        #expect(http.code == .protocolError)
        let long = String(repeating: "x", count: 500)
        let overlong = try #require(throws: ScanError.self) { try Self.verdict(long) }
        #expect(overlong.message.count < 200)
    }

    @Test func versionAndPongReplies() throws {
        let full = try ClamdReply.version(Array("ClamAV 1.4.6/27000/Thu Nov 20 09:30:00 2025".utf8))
        #expect(full == ScannerVersion(engine: "ClamAV 1.4.6", database: "27000", databaseDate: "Thu Nov 20 09:30:00 2025"))
        let bare = try ClamdReply.version(Array("ClamAV 1.4.6".utf8))
        #expect(bare == ScannerVersion(engine: "ClamAV 1.4.6", database: nil, databaseDate: nil))
        for bad in ["ClamAV 1.4.6/abc/Thu", "Hello", "ClamAV ", "ClamAV 1.4.6//x"] {
            let error = try #require(throws: ScanError.self) { try ClamdReply.version(Array(bad.utf8)) }
            #expect(error.code == .protocolError, "\(bad)")
        }
        try ClamdReply.pong(Array("PONG".utf8))
        #expect(throws: ScanError.self) { try ClamdReply.pong(Array("PONG PONG".utf8)) }
    }

    @Test func outcomesWithoutAReplyAreErrors() {
        #expect(ClamdReply.error(for: .reply([1]), command: .ping) == nil)
        #expect(ClamdReply.error(for: .overlong, command: .instream)?.code == .protocolError)
        #expect(ClamdReply.error(for: .closed(partial: Array("abc".utf8)), command: .instream)?.code == .unavailable)
        // A reply cut short says what came, when it is text.
        let cut = ClamdReply.error(for: .closed(partial: Array("COMMAND READ TIMED OUT".utf8)), command: .ping)
        #expect(cut?.message == "clamd closed the connection in the middle of its reply to PING (22 bytes: \"COMMAND READ TIMED OUT\")")
        #expect(ClamdReply.error(for: .closed(partial: [0xFF]), command: .ping)?.message.hasSuffix("(1 byte)") == true)
    }

    // MARK: addresses

    @Test func addressesParse() throws {
        #expect(try ClamdAddress(parsing: "unix:/run/clamav/clamd.ctl") == .unix("/run/clamav/clamd.ctl"))
        #expect(try ClamdAddress(parsing: "unix:///run/clamav/clamd.ctl") == .unix("/run/clamav/clamd.ctl"))
        #expect(try ClamdAddress(parsing: "/run/clamav/clamd.ctl") == .unix("/run/clamav/clamd.ctl"))
        #expect(try ClamdAddress(parsing: "tcp://127.0.0.1:3310") == .tcp(host: "127.0.0.1", port: 3310))
        #expect(try ClamdAddress(parsing: "tcp://clamav") == .tcp(host: "clamav", port: 3310))
        #expect(try ClamdAddress(parsing: "tcp://clamav.internal:3311/") == .tcp(host: "clamav.internal", port: 3311))
        #expect(try ClamdAddress(parsing: "tcp://[::1]:3310") == .tcp(host: "::1", port: 3310))
        #expect(ClamdAddress.tcp(host: "::1", port: 3310).description == "tcp://[::1]:3310")
        #expect(ClamdAddress.unix("/run/clamd.sock").description == "unix:/run/clamd.sock")
        for text in ["unix:/run/clamav/clamd.ctl", "tcp://127.0.0.1:3310", "tcp://[::1]:99"] {
            #expect(try ClamdAddress(parsing: text).description == text)
        }
    }

    @Test(arguments: [
        "", "clamd", "unix:", "unix:relative/path", "tcp://", "tcp://host:0", "tcp://host:65536", "tcp://host:port",
        "tcp://user:secret@host:3310", "tcp://::1:3310", "tcp://[::1", "tcp://[::1]3310", "http://127.0.0.1:3310",
        "unix:/" + String(repeating: "a", count: 107),
    ])
    func badAddressesAreRejected(text: String) {
        let error = try? #require(throws: ScanError.self) { try ClamdAddress(parsing: text) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.isRetryable == false)
    }

    @Test func errorDescriptionsNameScannerAndOffset() {
        let error = ScanError(.timeout, "waited longer than 1 s for clamd's reply", scanner: "clamd unix:/run/c.sock", offset: 42)
        #expect(error.description == "ScanError.timeout: waited longer than 1 s for clamd's reply (clamd unix:/run/c.sock) [after 42 bytes]")
        #expect(error.isRetryable)
        #expect(!ScanError(.cancelled, "x").isRetryable)
        #expect(!ScanError(.unavailable, "x", isRetryable: false).isRetryable)
    }
}

@Suite("zINSTREAM state machine")
struct InstreamStateMachineTests {
    static let limitReply = ClamdReplyOutcome.reply(Array("INSTREAM size limit exceeded. ERROR".utf8))

    @Test func aStreamThatEndsClean() {
        var machine = InstreamStateMachine(maxStreamSize: nil)
        #expect(machine.send(count: 100) == .write)
        machine.sendSucceeded(count: 100)
        #expect(machine.send(count: 0) == .discard)  // never a zero-length frame mid-stream
        #expect(machine.send(count: 50) == .write)
        machine.sendSucceeded(count: 50)
        #expect(machine.bytesSent == 150)
        #expect(machine.finish() == .writeTerminatorAndAwaitReply)
        #expect(machine.replyReceived(.reply(Array("stream: OK".utf8))) == .success(.clean))
        #expect(machine.state == .finished)
        #expect(machine.send(count: 1) == .fail(ScanError(.invalidArgument, "send after finish", offset: 150)))
        guard case .fail(let error) = machine.finish() else {
            Issue.record("finish twice must fail")
            return
        }
        #expect(error.code == .invalidArgument)
        #expect(machine.cancel() == false)
    }

    @Test func ourLimitStopsSendingAndGivesUnscannable() {
        var machine = InstreamStateMachine(maxStreamSize: 100)
        #expect(machine.send(count: 60) == .write)
        machine.sendSucceeded(count: 60)
        #expect(machine.send(count: 40) == .write)
        machine.sendSucceeded(count: 40)
        // Exactly the limit is allowed; one byte more is not, and nothing more goes out.
        #expect(machine.send(count: 1) == .closeAndDiscard)
        #expect(machine.send(count: 10) == .discard)
        #expect(machine.bytesSent == 100)
        #expect(machine.finish() == .verdict(.unscannable(reason: "stream longer than the scanner's limit of 100 bytes")))
    }

    @Test func clamdsEarlySizeLimitReplyIsTheVerdict() {
        var machine = InstreamStateMachine(maxStreamSize: nil)
        #expect(machine.send(count: 10) == .write)
        machine.sendSucceeded(count: 10)
        #expect(machine.send(count: 10) == .write)
        #expect(machine.replyArrived(Self.limitReply) == nil)
        #expect(machine.send(count: 10) == .discard)
        #expect(machine.finish() == .verdict(.unscannable(reason: "INSTREAM size limit exceeded")))
    }

    @Test func anEarlyOKIsNeverTrusted() {
        var machine = InstreamStateMachine(maxStreamSize: nil)
        #expect(machine.send(count: 10) == .write)
        let error = machine.replyArrived(.reply(Array("stream: OK".utf8)))
        #expect(error?.code == .protocolError)
        guard case .fail(let again) = machine.finish() else {
            Issue.record("finish after a failure must fail")
            return
        }
        #expect(again == error)
    }

    @Test func anEarlyErrorOrClosedConnectionFails() {
        var scanner = InstreamStateMachine(maxStreamSize: nil)
        #expect(scanner.send(count: 10) == .write)
        #expect(scanner.replyArrived(.reply(Array("Can't allocate memory ERROR".utf8)))?.code == .scannerError)

        var closed = InstreamStateMachine(maxStreamSize: nil)
        #expect(closed.send(count: 10) == .write)
        let error = closed.replyArrived(.closed(partial: []))
        #expect(error?.code == .unavailable)
        #expect(error?.offset == 0)
        #expect(closed.send(count: 10) == .fail(error!))
    }

    @Test func writeFailuresAndTimeoutsFail() {
        var machine = InstreamStateMachine(maxStreamSize: nil)
        #expect(machine.send(count: 10) == .write)
        machine.sendSucceeded(count: 10)
        #expect(machine.send(count: 10) == .write)
        let error = machine.sendFailed(ScanError(.timeout, "slow"))
        #expect(error.offset == 10)
        #expect(machine.finish() == .fail(error))

        var finishing = InstreamStateMachine(maxStreamSize: nil)
        #expect(finishing.finish() == .writeTerminatorAndAwaitReply)
        let timeout = finishing.finishFailed(ScanError(.timeout, "no reply"))
        #expect(finishing.state == .failed(timeout))
    }

    @Test(arguments: [
        (ClamdReplyOutcome.overlong, ScanError.Code.protocolError),
        (.closed(partial: Array("PONG".utf8)), .unavailable),
        (.reply(Array("garbage".utf8)), .protocolError),
        (.reply(Array("stream: Can't create temporary file ERROR".utf8)), .scannerError),
    ])
    func finalRepliesThatAreNoVerdict(outcome: ClamdReplyOutcome, code: ScanError.Code) {
        var machine = InstreamStateMachine(maxStreamSize: nil)
        #expect(machine.finish() == .writeTerminatorAndAwaitReply)
        guard case .failure(let error) = machine.replyReceived(outcome) else {
            Issue.record("\(outcome) must not give a verdict")
            return
        }
        #expect(error.code == code)
        #expect(machine.state == .failed(error))
    }

    @Test func oneCallAtATime() {
        var machine = InstreamStateMachine(maxStreamSize: nil)
        #expect(machine.send(count: 10) == .write)
        guard case .fail(let error) = machine.send(count: 10), case .fail = machine.finish() else {
            Issue.record("a second call during a send must fail")
            return
        }
        #expect(error.code == .invalidArgument)
    }

    @Test func cancelWinsOverEverythingAfterIt() {
        var machine = InstreamStateMachine(maxStreamSize: nil)
        #expect(machine.send(count: 10) == .write)
        #expect(machine.cancel() == true)
        // The write in flight fails because the connection was closed: that is the cancellation.
        #expect(machine.sendFailed(ScanError(.unavailable, "closed")).code == .cancelled)
        #expect(machine.replyArrived(.closed(partial: []))?.code == .cancelled)
        guard case .fail(let error) = machine.finish() else {
            Issue.record("finish after cancel must fail")
            return
        }
        #expect(error.code == .cancelled)
        #expect(machine.cancel() == false)

        var waiting = InstreamStateMachine(maxStreamSize: nil)
        #expect(waiting.finish() == .writeTerminatorAndAwaitReply)
        #expect(waiting.cancel() == true)
        #expect(waiting.replyReceived(.closed(partial: [])) == .failure(InstreamStateMachine.cancelledError(offset: 0)))
    }
}
