import Compression
import Testing

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(state: seed)
    var bytes = [UInt8]()
    bytes.reserveCapacity(count + 8)
    while bytes.count < count {
        withUnsafeBytes(of: rng.next()) { bytes.append(contentsOf: $0) }
    }
    return Array(bytes.prefix(count))
}

/// Text that compresses well, like the rows of an ingested table.
func repetitiveBytes(_ count: Int) -> [UInt8] {
    var bytes = [UInt8]()
    bytes.reserveCapacity(count + 64)
    var row = 0
    while bytes.count < count {
        bytes.append(contentsOf: Array("row \(row % 1000),lakegate,ingest,\(row % 7 == 0 ? "null" : "42")\n".utf8))
        row += 1
    }
    return Array(bytes.prefix(count))
}

/// The inputs every codec round-trips.
enum Sample: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case empty, small, repetitive1MiB, random1MiB

    private static let repetitive = repetitiveBytes(1 << 20)
    private static let random = randomBytes(1 << 20, seed: 42)

    var bytes: [UInt8] {
        switch self {
        case .empty: []
        case .small: Array("hello, lakegate".utf8)
        case .repetitive1MiB: Self.repetitive
        case .random1MiB: Self.random
        }
    }

    var testDescription: String { rawValue }
}

/// Every codec the Compressor writes, at its default level.
let writableCodecs: [CompressionCodec] = [
    .none, .snappy, .gzip(), .zstd(), .lz4Raw, .brotli(), .deflateRaw(),
]

/// Every codec, lz4Hadoop included (decompression only).
let allCodecs: [CompressionCodec] = writableCodecs + [.lz4Hadoop]

func compress(_ bytes: [UInt8], _ codec: CompressionCodec) throws -> [UInt8] {
    var compressor = try Compressor(codec: codec)
    return try compressor.compress(bytes)
}

/// The codec that writes what `codec` reads (lz4Hadoop reads raw LZ4 blocks through its fallback).
func writer(for codec: CompressionCodec) -> CompressionCodec {
    if case .lz4Hadoop = codec { return .lz4Raw }
    return codec
}

func bigEndian32(_ value: Int) -> [UInt8] {
    let v = UInt32(value)
    return [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
}

extension CompressionCodec: CustomTestStringConvertible {
    public var testDescription: String { description }
}
