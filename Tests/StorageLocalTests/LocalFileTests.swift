import Testing
import Foundation
import LakegateCore
@testable import StorageLocal

@Suite struct LocalFileTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "lakegate-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func sinkPublishesOnlyOnCommit() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/out.bin"
        let sink = try LocalFileSink(path: path)
        let payload = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try sink.write(Array(payload[..<10]))
        try sink.write(Array(payload[10...]))
        #expect(sink.position == payload.count)
        #expect(!FileManager.default.fileExists(atPath: path))
        try sink.commit()
        let source = try LocalFileSource(path: path)
        #expect(source.size == payload.count)
        #expect(try source.read(2_999_990..<3_000_000) == Array(payload[2_999_990...]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.bin"])
    }

    @Test func abandonedSinkLeavesNothingBehind() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let sink = try LocalFileSink(path: directory + "/never.bin")
            try sink.write([1, 2, 3])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func readsOutsideTheFileAndMissingFilesAreTypedErrors() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect { try LocalFileSource(path: directory + "/missing") } throws: { error in
            (error as? ByteIOError)?.code == .notFound
        }
        #expect { try LocalFileSource(path: directory) } throws: { error in
            (error as? ByteIOError)?.code == .invalidPath
        }
        FileManager.default.createFile(atPath: directory + "/small", contents: Data([1, 2, 3]))
        let source = try LocalFileSource(path: directory + "/small")
        #expect { try source.read(1..<5) } throws: { error in (error as? ByteIOError)?.code == .outOfRange }
    }
}
