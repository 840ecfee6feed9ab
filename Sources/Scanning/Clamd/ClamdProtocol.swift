// clamd's protocol, pure (bytes in, values out). With the "z" prefix a command ends with NUL and
// so does the reply. zINSTREAM is followed by chunks, each a 4-byte big-endian length and that
// many bytes, and a zero length ends the stream; clamd then answers once:
//   "stream: OK"                                        clean
//   "stream: <signature> FOUND"                         infected (or Heuristics.Limits.Exceeded.*)
//   "INSTREAM size limit exceeded. ERROR"               the stream passed StreamMaxLength
//   "<message> ERROR"                                   anything else that went wrong

enum ClamdCommand: String, Sendable {
    case ping = "PING"
    case version = "VERSION"
    case instream = "INSTREAM"

    /// "zPING\0"
    var bytes: [UInt8] { [UInt8(ascii: "z")] + Array(rawValue.utf8) + [0] }
}

enum ClamdFraming {
    /// The largest chunk written in one frame; a bigger `send` becomes several frames.
    static let maxFrame = 1 << 20

    /// The 4-byte big-endian length that precedes a chunk.
    static func header(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= maxFrame, "a frame holds 0…\(maxFrame) bytes")
        let value = UInt32(count)
        return [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// A zero length: the end of the stream.
    static let terminator: [UInt8] = [0, 0, 0, 0]

    /// How a chunk of `count` bytes is cut into frames (offset, length); none for an empty chunk,
    /// which would otherwise end the stream.
    static func frames(count: Int) -> [(offset: Int, length: Int)] {
        stride(from: 0, to: count, by: maxFrame).map { ($0, min(maxFrame, count - $0)) }
    }
}

/// How waiting for one reply ended.
enum ClamdReplyOutcome: Sendable, Hashable {
    /// The bytes before the terminating NUL.
    case reply([UInt8])
    /// More than the limit arrived without a NUL.
    case overlong
    /// The connection closed first, after these bytes without a NUL.
    case closed(partial: [UInt8])
}

/// Collects one reply up to its NUL, never holding more than `limit` bytes. Bytes after the NUL
/// (a second reply under AllMatchScanning) are ignored: the first decides.
struct ClamdReplyReader: Sendable {
    static let defaultLimit = 4096
    let limit: Int
    private var bytes: [UInt8] = []
    private(set) var outcome: ClamdReplyOutcome?

    init(limit: Int = ClamdReplyReader.defaultLimit) {
        self.limit = limit
    }

    /// Takes the next bytes received; returns the outcome once there is one.
    mutating func consume(_ input: UnsafeRawBufferPointer) -> ClamdReplyOutcome? {
        guard outcome == nil else { return outcome }
        let end = input.firstIndex(of: 0)
        let taking = end ?? input.count
        if bytes.count + taking > limit {
            outcome = .overlong
            bytes = []
        } else {
            bytes.append(contentsOf: input[0..<taking])
            if end != nil { outcome = .reply(bytes) }
        }
        return outcome
    }

    mutating func consume(_ input: [UInt8]) -> ClamdReplyOutcome? {
        input.withUnsafeBytes { consume($0) }
    }

    /// The connection closed: the outcome, or `.closed` when the reply never ended.
    mutating func endOfInput() -> ClamdReplyOutcome {
        if let outcome { return outcome }
        outcome = .closed(partial: bytes)
        return .closed(partial: bytes)
    }
}

/// Turns replies into values; unexpected replies are protocol errors, never a clean verdict.
enum ClamdReply {
    static let sizeLimitReason = "INSTREAM size limit exceeded"

    /// The verdict of a zINSTREAM reply. Only exactly "stream: OK" is clean.
    static func verdict(_ reply: [UInt8]) throws(ScanError) -> ScanVerdict {
        let text = try self.text(reply)
        if text == "stream: OK" { return .clean }
        let body = text.hasPrefix("stream: ") ? String(text.dropFirst("stream: ".count)) : text
        if body.hasSuffix(" FOUND") {
            let signature = String(body.dropLast(" FOUND".count)).trimmingSpaces
            guard !signature.isEmpty, !signature.contains(" FOUND") else {
                throw ScanError(.protocolError, "clamd's FOUND reply has no signature: \(excerpt(text))")
            }
            // AlertExceedsMax: a limit stopped the scan, so this is no match, just no verdict.
            if signature.hasPrefix("Heuristics.Limits.Exceeded") { return .unscannable(reason: signature) }
            return .infected(signature: signature)
        }
        if body == "ERROR" || body.hasSuffix(" ERROR") {
            let message = String(body.dropLast("ERROR".count)).trimmingSpaces
            // StreamMaxLength: clamd stopped reading, so the content was never scanned whole.
            if message.hasPrefix(sizeLimitReason) { return .unscannable(reason: sizeLimitReason) }
            throw ScanError(.scannerError, "clamd: \(message.isEmpty ? "ERROR" : excerpt(message))")
        }
        throw ScanError(.protocolError, "unexpected reply to INSTREAM: \(excerpt(text))")
    }

    static func pong(_ reply: [UInt8]) throws(ScanError) {
        let text = try self.text(reply)
        guard text == "PONG" else { throw ScanError(.protocolError, "unexpected reply to PING: \(excerpt(text))") }
    }

    /// "ClamAV 1.4.6/27000/Thu Nov 20 09:30:00 2025", or just "ClamAV 1.4.6" without a database
    /// version (no daily database loaded).
    static func version(_ reply: [UInt8]) throws(ScanError) -> ScannerVersion {
        let text = try self.text(reply)
        let parts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        guard let engine = parts.first, engine.hasPrefix("ClamAV "), engine.count > "ClamAV ".count else {
            throw ScanError(.protocolError, "unexpected reply to VERSION: \(excerpt(text))")
        }
        var version = ScannerVersion(engine: engine)
        if parts.count > 1 {
            guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw ScanError(.protocolError, "unexpected database version in reply to VERSION: \(excerpt(text))")
            }
            version.database = parts[1]
        }
        if parts.count > 2, !parts[2].isEmpty { version.databaseDate = parts[2] }
        return version
    }

    /// Replies are printable ASCII; anything else means we are not talking to clamd.
    static func text(_ reply: [UInt8]) throws(ScanError) -> String {
        guard !reply.isEmpty else { throw ScanError(.protocolError, "clamd sent an empty reply") }
        guard reply.allSatisfy({ $0 >= 0x20 && $0 < 0x7f || $0 == 0x09 }) else {
            throw ScanError(.protocolError, "clamd's reply is not text (\(reply.count) bytes)")
        }
        return String(decoding: reply, as: UTF8.self).trimmingSpaces
    }

    /// At most 120 characters of a reply for an error message.
    static func excerpt(_ text: String) -> String {
        text.count > 120 ? String(text.prefix(120)) + "…" : text
    }

    /// The error for a reply that never came whole.
    static func error(for outcome: ClamdReplyOutcome, command: ClamdCommand) -> ScanError? {
        switch outcome {
        case .reply: nil
        case .overlong:
            ScanError(.protocolError, "the reply to \(command.rawValue) is longer than \(ClamdReplyReader.defaultLimit) bytes")
        case .closed(let partial) where partial.isEmpty:
            ScanError(.unavailable, "clamd closed the connection before replying to \(command.rawValue)")
        case .closed(let partial):
            // What came may explain it ("COMMAND READ TIMED OUT"): shown when it is text.
            ScanError(
                .unavailable,
                "clamd closed the connection in the middle of its reply to \(command.rawValue) (\(partial.count) byte\(partial.count == 1 ? "" : "s")"
                    + ((try? text(partial)).map { ": \"\(excerpt($0))\")" } ?? ")"))
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " || view.first == "\t" { view = view.dropFirst() }
        while view.last == " " || view.last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
