import Database
import Tables

extension TableError {
    /// A catalog database error as a table error: the database's kind, code and message, the
    /// start of the statement (never its bind values, so no row data and no password).
    static func catalog(_ error: any Error, _ what: String, subject: String? = nil) -> TableError {
        if let error = error as? TableError { return error }
        if let error = error as? DatabaseError {
            let code: TableError.Code
            switch error.kind {
            case .uniqueViolation, .busy, .serializationFailure: code = .conflict
            case .typeMismatch, .noSuchColumn, .constraint: code = .corrupt
            case .invalidConfiguration: code = .invalidArgument
            case .syntax: code = .unsupported
            case .connectionLost, .other: code = .io
            }
            return TableError(code, "\(what): \(error.description)", subject: subject)
        }
        return TableError(.io, "\(what): \(error)", subject: subject)
    }
}

/// Runs `body`, turning whatever it throws into a `TableError` that says what was being done.
@discardableResult
func guarded<T>(_ what: String, subject: String? = nil, _ body: () async throws -> T) async throws(TableError) -> T {
    do {
        return try await body()
    } catch {
        throw TableError.catalog(error, what, subject: subject)
    }
}

extension SQLRow {
    func optionalString(at index: Int) throws(DatabaseError) -> String? {
        try value(index) == .null ? nil : try string(index)
    }

    func optionalBool(at index: Int) throws(DatabaseError) -> Bool? {
        try value(index) == .null ? nil : try bool(index)
    }
}
