import Foundation
import LakegateCore
@testable import Scanning

/// Test content. The EICAR string is kept as hex so that no scanner flags the test sources or binary.
enum TestContent {
    static let eicarHex =
        "58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a"
    static var eicar: [UInt8] { hexBytes(eicarHex) }
    static let marker = Array("LAKEGATE-TEST-MALWARE-MARKER".utf8)

    /// Deterministic harmless text of `count` bytes.
    static func text(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        let words = ["lake", "gate", "ingest", "parquet", "column", "batch", "file", "row", "schema", "table"].map { Array($0.utf8) }
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 16)
        while bytes.count < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes += words[Int(state % UInt64(words.count))]
            bytes.append(state & 0x30 == 0 ? 0x0A : 0x20)
        }
        return Array(bytes.prefix(count))
    }

    /// `count` bytes of text with `insert` at `offset`.
    static func text(_ count: Int, inserting insert: [UInt8], at offset: Int) -> [UInt8] {
        var bytes = text(count - insert.count)
        bytes.insert(contentsOf: insert, at: offset)
        return bytes
    }

    /// A zip archive holding `files` stored (no compression), as `zip -0` writes it.
    static func storedZip(_ files: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        var archive: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ value: Int, _ out: inout [UInt8]) { out += [UInt8(value & 0xff), UInt8(value >> 8 & 0xff)] }
        func le32(_ value: UInt32, _ out: inout [UInt8]) { out += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        for file in files {
            let name = Array(file.name.utf8)
            let crc = crc32(file.bytes)
            let offset = archive.count
            le32(0x0403_4b50, &archive)  // local file header
            le16(10, &archive)  // version needed
            le16(0, &archive)  // flags
            le16(0, &archive)  // stored
            le16(0, &archive)  // time
            le16(0x21, &archive)  // date 1980-01-01
            le32(crc, &archive)
            le32(UInt32(file.bytes.count), &archive)
            le32(UInt32(file.bytes.count), &archive)
            le16(name.count, &archive)
            le16(0, &archive)  // extra
            archive += name + file.bytes

            le32(0x0201_4b50, &central)  // central directory header
            le16(20, &central)  // version made by
            le16(10, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0x21, &central)
            le32(crc, &central)
            le32(UInt32(file.bytes.count), &central)
            le32(UInt32(file.bytes.count), &central)
            le16(name.count, &central)
            le16(0, &central)  // extra
            le16(0, &central)  // comment
            le16(0, &central)  // disk
            le16(0, &central)  // internal attributes
            le32(0, &central)  // external attributes
            le32(UInt32(offset), &central)
            central += name
        }
        let centralOffset = archive.count
        archive += central
        le32(0x0605_4b50, &archive)  // end of central directory
        le16(0, &archive)
        le16(0, &archive)
        le16(files.count, &archive)
        le16(files.count, &archive)
        le32(UInt32(central.count), &archive)
        le32(UInt32(centralOffset), &archive)
        le16(0, &archive)
        return archive
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

extension ScanSession {
    /// Sends `bytes` in chunks of `chunkSize`.
    func send(_ bytes: [UInt8], chunkSize: Int) async throws(ScanError) {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            try await send(Array(bytes[offset..<end]))
            offset = end
        }
    }
}

/// Runs `body` and returns the ScanError it threw, or nil when it returned.
func scanError<T>(_ body: () async throws(ScanError) -> T) async -> ScanError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

/// A server on loopback that is not clamd: it never accepts (connections wait in the backlog and
/// nothing is read), or accepts and answers every connection with fixed bytes and closes.
final class FakeServer: @unchecked Sendable {
    enum Behavior {
        /// Listens, never accepts: connects succeed, nothing is ever read or answered.
        case silent
        /// Accepts, reads once, writes these bytes, closes.
        case reply([UInt8])
    }

    let address: ClamdAddress
    private let fd: Int32
    private let socketPath: String?
    private let done = DispatchSemaphore(value: 0)
    private let accepting: Bool

    private init(fd: Int32, address: ClamdAddress, socketPath: String?, behavior: Behavior) {
        self.fd = fd
        self.address = address
        self.socketPath = socketPath
        if case .reply(let bytes) = behavior {
            accepting = true
            let done = self.done
            Thread.detachNewThread {
                Self.serve(fd, reply: bytes)
                done.signal()
            }
        } else {
            accepting = false
        }
    }

    static func tcp(_ behavior: Behavior) throws -> FakeServer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        return FakeServer(fd: fd, address: .tcp(host: "127.0.0.1", port: port), socketPath: nil, behavior: behavior)
    }

    static func unix(_ behavior: Behavior) throws -> FakeServer {
        let path = "/tmp/lakegate-fake-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8) + [0])
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        return FakeServer(fd: fd, address: .unix(path), socketPath: path, behavior: behavior)
    }

    private static func serve(_ fd: Int32, reply: [UInt8]) {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            var scratch = [UInt8](repeating: 0, count: 4096)
            _ = recv(client, &scratch, scratch.count, 0)
            _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(client)
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        if accepting { done.wait() }
        if let socketPath { unlink(socketPath) }
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
func closedPort() throws -> Int {
    let server = try FakeServer.tcp(.silent)
    defer { server.stop() }
    guard case .tcp(_, let port) = server.address else { return 1 }
    return port
}
