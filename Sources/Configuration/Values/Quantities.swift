/// Durations as the configuration writes them: a whole number and a unit, `250ms`, `30s`, `5m`,
/// `1h`, `1d`.
enum DurationText {
    static func parse(_ text: String) -> Duration? {
        let (number, unit) = split(text)
        guard let number, number >= 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "ms": return number <= 365 * 86_400_000 ? .milliseconds(number) : nil
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        default: return nil
        }
        guard number <= 365 * 86_400 / seconds else { return nil }
        return .seconds(number * seconds)
    }

    /// The shortest exact spelling: `5m` rather than `300s`.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds != 0 || seconds == 0 {
            return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
        }
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    /// Leading digits and the rest (trimmed): `30s` -> (30, "s").
    static func split(_ text: String) -> (Int64?, String) {
        let trimmed = text.trimmingSpaces
        let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, digits.count <= 15 else { return (nil, "") }
        return (Int64(digits), String(trimmed.dropFirst(digits.count)).trimmingSpaces.lowercased())
    }
}

/// Sizes in bytes: a plain number, or a number with a unit. `KB`, `MB`, `GB`, `TB` are powers
/// of 1000 (as disks and S3 count); `KiB`, `MiB`, `GiB`, `TiB` powers of 1024. `B` is bytes.
enum SizeText {
    static func parse(_ text: String) -> Int64? {
        let (number, unit) = DurationText.split(text)
        guard let number else { return nil }
        let multiplier: Int64
        switch unit {
        case "", "b": multiplier = 1
        case "kb": multiplier = 1000
        case "mb": multiplier = 1_000_000
        case "gb": multiplier = 1_000_000_000
        case "tb": multiplier = 1_000_000_000_000
        case "kib": multiplier = 1 << 10
        case "mib": multiplier = 1 << 20
        case "gib": multiplier = 1 << 30
        case "tib": multiplier = 1 << 40
        default: return nil
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }

    static func format(_ bytes: Int64) -> String {
        for (unit, size) in [("TiB", Int64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)"
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let c = slice.first, c == " " || c == "\t" { slice.removeFirst() }
        while let c = slice.last, c == " " || c == "\t" { slice.removeLast() }
        return String(slice)
    }
}
