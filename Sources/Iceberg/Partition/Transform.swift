import Columnar

/// A partition transform: how a partition value derives from a source column's value.
/// Nulls always stay null.
public enum Transform: Sendable, Hashable, CustomStringConvertible {
    case identity
    /// `(murmur3_x86_32(value) & Int32.max) % n`.
    case bucket(Int)
    /// Ints, longs and decimals round down to a multiple of the width; strings keep their
    /// first `width` code points, binary its first `width` bytes.
    case truncate(Int)
    /// Years since 1970 (floored), an int.
    case year
    /// Months since 1970-01 (floored), an int.
    case month
    /// Days since 1970-01-01 (floored), a date.
    case day
    /// Hours since 1970-01-01 00:00 (floored), an int.
    case hour
    /// Always null.
    case void
    /// A transform this implementation does not know (kept so metadata round-trips; applying
    /// it throws).
    case unknown(String)

    /// Parses `identity`, `bucket[16]`, `truncate[4]`, `year`, `month`, `day`, `hour`, `void`;
    /// anything else is `.unknown`.
    public init(parsing text: String) {
        let name = text.trimmingSpaces()
        func argument(_ prefix: String) -> Int? {
            guard name.hasPrefix(prefix + "["), name.hasSuffix("]") else { return nil }
            guard let n = Int(String(name.dropFirst(prefix.count + 1).dropLast()).trimmingSpaces()), n > 0 else {
                return nil
            }
            return n
        }
        switch name {
        case "identity": self = .identity
        case "year": self = .year
        case "month": self = .month
        case "day": self = .day
        case "hour": self = .hour
        case "void": self = .void
        default:
            if let n = argument("bucket") {
                self = .bucket(n)
            } else if let w = argument("truncate") {
                self = .truncate(w)
            } else {
                self = .unknown(name)
            }
        }
    }

    /// The spec's spelling, e.g. `bucket[16]`.
    public var description: String {
        switch self {
        case .identity: return "identity"
        case .bucket(let n): return "bucket[\(n)]"
        case .truncate(let w): return "truncate[\(w)]"
        case .year: return "year"
        case .month: return "month"
        case .day: return "day"
        case .hour: return "hour"
        case .void: return "void"
        case .unknown(let name): return name
        }
    }

    /// Whether the transform applies to values of `source`.
    public func canApply(to source: IcebergType) -> Bool {
        switch self {
        case .identity, .void: return source.isPrimitive
        case .bucket:
            switch source {
            case .int, .long, .decimal, .date, .time, .timestamp, .timestamptz, .string, .uuid, .fixed, .binary: return true
            default: return false
            }
        case .truncate:
            switch source {
            case .int, .long, .decimal, .string, .binary: return true
            default: return false
            }
        case .year, .month, .day:
            switch source {
            case .date, .timestamp, .timestamptz: return true
            default: return false
            }
        case .hour:
            switch source {
            case .timestamp, .timestamptz: return true
            default: return false
            }
        case .unknown: return false
        }
    }

    /// The type of the partition values this transform makes from `source`.
    public func resultType(source: IcebergType) throws(IcebergError) -> IcebergType {
        guard canApply(to: source) else {
            throw IcebergError(
                .invalidSchema, "transform \(description) does not apply to \(source.primitiveName ?? "a nested type")")
        }
        switch self {
        case .identity, .truncate, .void, .unknown: return source
        case .bucket, .year, .month, .hour: return .int
        case .day: return .date
        }
    }

    /// The name pyiceberg gives a partition field of this transform over `sourceName`
    /// (`event_time_day`, `id_bucket_16`, `name_trunc_4`; identity keeps the source's name).
    public func defaultFieldName(sourceName: String) -> String {
        switch self {
        case .identity: return sourceName
        case .bucket(let n): return "\(sourceName)_bucket_\(n)"
        case .truncate(let w): return "\(sourceName)_trunc_\(w)"
        case .year: return "\(sourceName)_year"
        case .month: return "\(sourceName)_month"
        case .day: return "\(sourceName)_day"
        case .hour: return "\(sourceName)_hour"
        case .void: return "\(sourceName)_null"
        case .unknown(let name): return "\(sourceName)_\(name)"
        }
    }

    // MARK: One value

    /// The partition value of one source value (`value` must fit `source`).
    public func apply(_ value: IcebergLiteral?, source: IcebergType) throws(IcebergError) -> IcebergLiteral? {
        _ = try resultType(source: source)
        guard let value else { return nil }
        switch self {
        case .identity: return value
        case .void: return nil
        case .unknown(let name): throw IcebergError(.unsupported, "transform \(name) cannot be applied")
        case .bucket(let n): return .int(Int32(try Self.bucketHash(value) & Int32.max) % Int32(clamping: n))
        case .truncate(let width): return try Self.truncate(value, width: width)
        case .year, .month, .day, .hour:
            let micros: Int64
            let isDate: Bool
            switch value {
            case .date(let days):
                micros = Int64(days) * Self.microsPerDay
                isDate = true
            case .timestamp(let v), .timestamptz(let v):
                micros = v
                isDate = false
            default:
                throw IcebergError(.invalidArgument, "a value that is not a date or a timestamp for \(description)")
            }
            return Self.temporal(self, micros: micros, isDate: isDate)
        }
    }

    /// The 32-bit hash `bucket` uses (spec appendix B).
    public static func bucketHash(_ value: IcebergLiteral) throws(IcebergError) -> Int32 {
        switch value {
        case .int(let v), .date(let v): return Murmur3.hashLong(Int64(v))
        case .long(let v), .time(let v), .timestamp(let v), .timestamptz(let v): return Murmur3.hashLong(v)
        case .decimal(let v): return Murmur3.hash32(IcebergLiteral.minimalBigEndian(v))
        case .string(let s):
            var text = s
            return text.withUTF8 { Murmur3.hash32(UnsafeRawBufferPointer($0)) }
        case .uuid(let b), .fixed(let b), .binary(let b): return Murmur3.hash32(b)
        case .boolean, .float, .double:
            throw IcebergError(.invalidArgument, "booleans and floating-point values cannot be bucketed")
        }
    }

    static func truncate(_ value: IcebergLiteral, width: Int) throws(IcebergError) -> IcebergLiteral {
        let w = Int64(width)
        switch value {
        // Wrapping arithmetic, as Java's: values within `width` of the minimum wrap around.
        case .int(let v): return .int(Int32(truncatingIfNeeded: Int64(v) &- floorMod(Int64(v), w)))
        case .long(let v): return .long(v &- floorMod(v, w))
        case .decimal(let v):
            let wide = Int128(width)
            var r = v % wide
            if r < 0 { r += wide }
            return .decimal(v &- r)
        case .string(let s):
            let scalars = s.unicodeScalars
            guard scalars.count > width else { return value }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: scalars.prefix(width))
            return .string(String(out))
        case .binary(let b): return .binary(Array(b.prefix(width)))
        default: throw IcebergError(.invalidArgument, "truncate applies to ints, longs, decimals, strings and binary")
        }
    }

    static let microsPerDay: Int64 = 86_400_000_000
    static let microsPerHour: Int64 = 3_600_000_000

    @inline(__always)
    static func temporal(_ transform: Transform, micros: Int64, isDate: Bool) -> IcebergLiteral {
        switch transform {
        case .hour:
            return .int(Int32(truncatingIfNeeded: floorDiv(micros, microsPerHour)))
        case .day:
            return .date(Int32(truncatingIfNeeded: floorDiv(micros, microsPerDay)))
        case .year:
            let civil = TextFormatting.civil(fromDays: floorDiv(micros, microsPerDay))
            return .int(Int32(truncatingIfNeeded: civil.year - 1970))
        default:  // month
            let civil = TextFormatting.civil(fromDays: floorDiv(micros, microsPerDay))
            return .int(Int32(truncatingIfNeeded: (civil.year - 1970) * 12 + civil.month - 1))
        }
    }

    // MARK: Human strings

    /// The value as it appears in a Hive-style path segment before URL encoding, as pyiceberg
    /// writes it: `2025-01-05` for a day, `2025-01` for a month, `2025-01-05-10` for an hour,
    /// ISO forms for dates and times, base64 for binary, `null` for null.
    public func humanString(_ value: IcebergLiteral?, resultType: IcebergType) -> String {
        guard let value else { return "null" }
        switch (self, value) {
        case (.year, .int(let y)): return Self.yearText(Int64(y) + 1970)
        case (.month, .int(let m)):
            let months = Int64(m)
            return Self.yearText(1970 + floorDiv(months, 12)) + "-" + Self.twoDigits(floorMod(months, 12) + 1)
        case (.hour, .int(let h)):
            let hours = Int64(h)
            return Self.dateText(days: floorDiv(hours, 24)) + "-" + Self.twoDigits(floorMod(hours, 24))
        default:
            return Self.humanString(value, type: resultType)
        }
    }

    /// The human form of a literal on its own (identity and truncate partitions).
    public static func humanString(_ value: IcebergLiteral) -> String {
        switch value {
        case .boolean(let b): return b ? "true" : "false"
        case .int(let v): return String(v)
        case .long(let v): return String(v)
        case .float(let v): return Double(v).description
        case .double(let v): return v.description
        case .decimal(let v):
            // The scale is not known here; callers with a type use `humanString(_:type:)`.
            return String(v)
        case .date(let d): return dateText(days: Int64(d))
        case .time(let t): return timeText(micros: t)
        case .timestamp(let t): return timestampText(micros: t)
        case .timestamptz(let t): return timestampText(micros: t) + "+00:00"
        case .string(let s): return s
        case .uuid(let b):
            var out: [UInt8] = []
            b.withUnsafeBytes { TextFormatting.appendUUID($0, to: &out) }
            return String(decoding: out, as: UTF8.self)
        case .fixed(let b), .binary(let b): return base64(b)
        }
    }

    /// The human form of a literal of `type` (decimals get their scale).
    public static func humanString(_ value: IcebergLiteral, type: IcebergType) -> String {
        if case .decimal(let unscaled) = value, case .decimal(_, let scale) = type {
            var out: [UInt8] = []
            TextFormatting.appendDecimal(unscaled, scale: scale, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        return humanString(value)
    }

    static func twoDigits(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func yearText(_ year: Int64) -> String {
        let digits = String(abs(year))
        return (year < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func dateText(days: Int64) -> String {
        var out: [UInt8] = []
        TextFormatting.appendDate(days: days, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `HH:MM:SS`, with `.ffffff` only when the microseconds are not zero (Python's isoformat).
    static func timeText(micros: Int64) -> String {
        let seconds = floorDiv(micros, 1_000_000)
        let fraction = floorMod(micros, 1_000_000)
        let hours = floorDiv(seconds, 3600)
        let rest = floorMod(seconds, 3600)
        var text = twoDigits(hours) + ":" + twoDigits(rest / 60) + ":" + twoDigits(rest % 60)
        if fraction != 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return text
    }

    static func timestampText(micros: Int64) -> String {
        let days = floorDiv(micros, microsPerDay)
        return dateText(days: days) + "T" + timeText(micros: floorMod(micros, microsPerDay))
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(base64Alphabet[Int(triple >> 18 & 63)])
            out.append(base64Alphabet[Int(triple >> 12 & 63)])
            out.append(index + 1 < bytes.count ? base64Alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? base64Alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
