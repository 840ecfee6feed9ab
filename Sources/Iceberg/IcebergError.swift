/// The one error type of the Iceberg module.
///
/// It says what went wrong (`code`, `reason`) and where: the metadata or manifest `path` when
/// the caller named one, the `field` (a column path, a JSON member path or a field id) at fault,
/// and `underlying`, the description of a lower-level error (Avro, JSON, Columnar) that caused
/// this one. Reasons never quote data values (partition values, bounds), so the description is
/// safe to log.
public struct IcebergError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An extensible error code: compare against the static members.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Metadata JSON that is not valid JSON or lacks what the spec requires.
        public static let invalidMetadata = Code(rawValue: "invalidMetadata")
        /// A schema, type or partition spec that breaks Iceberg's rules (duplicate ids, a
        /// transform that does not apply to its source type, an unknown source id).
        public static let invalidSchema = Code(rawValue: "invalidSchema")
        /// A schema change Iceberg does not allow (a type that cannot be promoted, a changed
        /// map key type).
        public static let incompatibleSchema = Code(rawValue: "incompatibleSchema")
        /// Valid input this implementation does not handle (format version 1 or 3 features,
        /// Columnar types with no Iceberg v2 type, unknown transforms when applied).
        public static let unsupported = Code(rawValue: "unsupported")
        /// A manifest or manifest list whose Avro content does not have the expected shape.
        public static let invalidManifest = Code(rawValue: "invalidManifest")
        /// Reading or writing Avro failed (see `underlying`).
        public static let avro = Code(rawValue: "avro")
        /// A caller's request that does not fit (a value of the wrong type, a missing manifest).
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// A commit whose preconditions no longer hold: a file to replace is not live in the
        /// table any more. Reloading and planning again will not make it apply.
        public static let conflict = Code(rawValue: "conflict")

        public var description: String { rawValue }
    }

    public var code: Code
    /// What went wrong, in words (never quoting data values).
    public var reason: String
    /// The metadata file, manifest or manifest list involved, when known.
    public var path: String?
    /// The field, column path or JSON member involved, when known.
    public var field: String?
    /// Description of the lower-level error that caused this one.
    public var underlying: String?
    /// Whether trying again may succeed (a transient I/O failure below us).
    public var isRetryable: Bool

    public init(
        _ code: Code, _ reason: String, path: String? = nil, field: String? = nil, underlying: String? = nil,
        isRetryable: Bool = false
    ) {
        self.code = code
        self.reason = reason
        self.path = path
        self.field = field
        self.underlying = underlying
        self.isRetryable = isRetryable
    }

    public var description: String {
        var text = "iceberg \(code.rawValue): \(reason)"
        if let field { text += " (\(field))" }
        if let path { text += " in \(path)" }
        if let underlying { text += ": \(underlying)" }
        return text
    }

    /// The same error with context filled in where it is still missing.
    public func with(path: String? = nil, field: String? = nil) -> IcebergError {
        var copy = self
        if copy.path == nil { copy.path = path }
        if copy.field == nil { copy.field = field }
        return copy
    }
}
