import Columnar
import LakegateCore
import StorageLocal

/// What a run does with records that cannot be read: fail at the first one (the default:
/// nothing is written), or set them aside and go on up to a count or a share of the input.
public struct BadRecordPolicy: Sendable {
    /// Bad records tolerated; one more fails the run. 0 fails at the first.
    public var maxErrors: Int
    /// Largest share of bad records (0...1) tolerated, checked at the end of the input.
    public var maxErrorRatio: Double?

    public init(maxErrors: Int = 0, maxErrorRatio: Double? = nil) {
        self.maxErrors = maxErrors
        self.maxErrorRatio = maxErrorRatio
    }
}

/// Counts bad records against the policy and writes each, with its location and reason, to
/// the rejects file as one JSON object per line:
/// `{"file":…,"line":…,"offset":…,"column":…,"reason":…,"record":…}`.
public final class BadRecordLog {
    public let policy: BadRecordPolicy
    public private(set) var count = 0
    /// The first bad record's error (the one a failed run reports).
    public private(set) var first: FileFormatError?
    /// The first bad records' errors (at most `keptErrors`), for reports.
    public private(set) var reported: [FileFormatError] = []
    static let keptErrors = 1000
    private let sink: LocalFileSink?
    private var line: [UInt8] = []
    /// Bytes of a record copied into the rejects file at most.
    static let maxRecordBytes = 64 << 10

    /// `rejectsPath` nil: bad records are only counted.
    public init(policy: BadRecordPolicy, rejectsPath: String? = nil) throws(FileFormatError) {
        self.policy = policy
        if let rejectsPath {
            do {
                sink = try LocalFileSink(path: rejectsPath)
            } catch {
                throw FileFormatError(.io, "cannot create the rejects file: \(error)", path: rejectsPath)
            }
        } else {
            sink = nil
        }
    }

    /// Records a bad record; throws `tooManyErrors` (carrying the first error's text) once
    /// the policy's count is passed.
    public func report(_ error: FileFormatError, record: UnsafeRawBufferPointer?) throws(FileFormatError) {
        count += 1
        if first == nil { first = error }
        if reported.count < Self.keptErrors { reported.append(error) }
        if let sink {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: "{\"file\":".utf8)
            appendString(error.path ?? "")
            if let number = error.line { line.append(contentsOf: ",\"line\":\(number)".utf8) }
            if let offset = error.offset { line.append(contentsOf: ",\"offset\":\(offset)".utf8) }
            if let column = error.column {
                line.append(contentsOf: ",\"column\":".utf8)
                appendString(column)
            }
            line.append(contentsOf: ",\"reason\":".utf8)
            appendString(error.reason)
            if let record {
                line.append(contentsOf: ",\"record\":".utf8)
                // Invalid UTF-8 is replaced (U+FFFD) so the rejects file stays valid JSON.
                appendString(String(decoding: record.prefix(Self.maxRecordBytes), as: UTF8.self))
                if record.count > Self.maxRecordBytes { line.append(contentsOf: ",\"truncated\":true".utf8) }
            }
            line.append(contentsOf: "}\n".utf8)
            do {
                try line.withUnsafeBytes { try sink.write($0) }
            } catch {
                throw FileFormatError(.io, "writing the rejects file failed: \(error)", path: sink.path)
            }
        }
        if count > policy.maxErrors {
            let shown = first ?? error
            if policy.maxErrors == 0 { throw shown }
            var failure = FileFormatError(
                .tooManyErrors, "more than \(policy.maxErrors) bad records; the first: \(shown.reason)", path: shown.path,
                line: shown.line, offset: shown.offset, column: shown.column)
            failure.code = .tooManyErrors
            throw failure
        }
    }

    /// At the end of the input: checks the share of bad records.
    public func checkRatio(records: Int) throws(FileFormatError) {
        guard let ratio = policy.maxErrorRatio, records > 0, count > 0 else { return }
        let share = Double(count) / Double(records)
        if share > ratio {
            throw FileFormatError(
                .tooManyErrors,
                "\(count) of \(records) records are bad (\(Self.percent(share)), more than the \(Self.percent(ratio)) allowed); the first: \(first?.description ?? "")")
        }
    }

    static func percent(_ value: Double) -> String {
        let tenths = (value * 1000).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)%"
    }

    private func appendString(_ text: String) {
        var text = text
        text.withUTF8 { TextFormatting.appendJSONString(UnsafeRawBufferPointer($0), to: &line) }
    }

    /// Publishes the rejects file (when one was asked for), even when empty.
    public func commit() throws(FileFormatError) {
        do {
            try sink?.commit()
        } catch {
            throw FileFormatError(.io, "publishing the rejects file failed: \(error)", path: sink?.path)
        }
    }

    public func abort() { sink?.abort() }
}
