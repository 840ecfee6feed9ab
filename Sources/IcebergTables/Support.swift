import Database
import Iceberg
import Tables

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Error mapping and small helpers shared by the target. Errors crossing the TableCatalog
// boundary are TableErrors; their reasons keep the lower error's kind and message (never bind
// values or row data: DatabaseError and IcebergError already leave them out).

extension TableError {
    /// A catalog database failure while doing `what` to `subject`.
    static func database(_ error: any Error, _ what: String, subject: String? = nil) -> TableError {
        guard let error = error as? DatabaseError else {
            if let table = error as? TableError { return table }
            return TableError(.io, "\(what): \(error)", subject: subject)
        }
        let code: TableError.Code
        switch error.kind {
        case .uniqueViolation: code = .alreadyExists
        case .busy, .serializationFailure: code = .conflict
        case .connectionLost, .other: code = .io
        case .syntax, .typeMismatch, .noSuchColumn, .constraint: code = .corrupt
        case .invalidConfiguration: code = .invalidArgument
        }
        return TableError(code, "catalog database, \(what): \(error)", subject: subject)
    }

    /// An Iceberg metadata or manifest failure while doing `what` to `subject`.
    static func iceberg(_ error: IcebergError, _ what: String, subject: String? = nil) -> TableError {
        let code: TableError.Code
        switch error.code {
        case .invalidMetadata, .invalidManifest, .avro: code = .corrupt
        case .unsupported: code = .unsupported
        case .conflict: code = .conflict
        default: code = .invalidArgument
        }
        return TableError(code, "\(what): \(error)", subject: subject)
    }
}

enum WallClock {
    /// Milliseconds since the epoch (wall clock: Iceberg timestamps are wall-clock times).
    static func nowMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

enum Random {
    static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        return CommitPlanner.newUUID(using: &generator)
    }

    static func snapshotId() -> Int64 {
        var generator = SystemRandomNumberGenerator()
        return CommitPlanner.newSnapshotId(using: &generator)
    }
}

