import Foundation

/// Version 7 UUIDs (RFC 9562), as DuckDB names its data files and tables: 48 bits of Unix
/// milliseconds, then random bits, so names sort by creation time.
enum UUIDv7 {
    static func make(now: Date = Date()) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in 6..<16 { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(index))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        let hex = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append("-") }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return text
    }
}

/// Timestamps as DuckLake keeps them: on SQLite as text the way DuckDB prints a TIMESTAMPTZ
/// (`2026-11-21 16:46:45.339401+00`), on PostgreSQL in timestamptz columns (the same text is
/// accepted there, and comes back as ISO 8601 with `Z`).
enum CatalogTime {
    static func text(_ date: Date = Date()) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return DuckText.timestamp(micros, unit: .microsecond, utc: true)
    }

    /// Seconds since the epoch of either form; nil when unreadable.
    static func seconds(_ text: String) -> Double? {
        DuckText.parseTimestamp(text, unit: .microsecond).map { Double($0) / 1_000_000 }
    }
}

/// Hive-style folder names for partition values, as DuckDB writes them: `key=value` with the
/// value percent-encoded (all but letters, digits and `-._~`), a null as
/// `__HIVE_DEFAULT_PARTITION__`.
enum PartitionPath {
    static let nullValue = "__HIVE_DEFAULT_PARTITION__"

    static func segment(key: String, value: String?) -> String {
        guard let value else { return key + "=" + nullValue }
        return key + "=" + encode(value)
    }

    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out.append("%")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}

/// A SQL identifier in double quotes (both dialects), for names that come from the catalog.
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
