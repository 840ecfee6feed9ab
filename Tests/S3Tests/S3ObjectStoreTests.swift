import Foundation
import LakegateCore
@testable import S3
import Tables
import ObjectStoreContract
import TestServers
import Testing

@testable import StorageS3

/// S3ObjectStore against moto: the behaviours LocalObjectStore has (TablesTests), plus multipart
/// writing, read-ahead and prefixes.
@Suite(.motoServer) struct S3ObjectStoreTests {
    func withStore<T>(prefix: String? = "lake/root", _ body: (S3ObjectStore, S3Client) async throws -> T) async throws -> T {
        try await S3TestSupport.withBucket { client, bucket in
            let store = try S3ObjectStore(
                client: client, bucket: bucket, prefix: try prefix.map { try ObjectKey($0) }, partSize: 5 << 20, readAhead: 8 << 20)
            return try await body(store, client)
        }
    }

    @Test func writesAppearOnlyWhenPublished() async throws {
        try await withStore { store, client in
            try await ObjectStoreContract.publishReadListDelete(store)
            // What is particular to a bucket: where the objects sit, as the server sees them.
            let key = try ObjectKey("a/d.bin")
            #expect(store.rootURL == "s3://\(store.bucket)/lake/root/")
            #expect(store.url(of: key) == "s3://\(store.bucket)/lake/root/a/d.bin")
            #expect(try await client.headObject(bucket: store.bucket, key: "lake/root/a/d.bin")?.size == 1)
            let writer = try store.makeWriter(for: try ObjectKey("b.bin"))
            try writer.write([1, 2, 3])
            #expect(writer.position == 3)
            writer.abort()
            #expect(throws: (any Error).self) { try writer.write([2]) }
            do throws(TableError) {
                _ = try await store.get(try ObjectKey("missing"), limit: 10)
                Issue.record("a missing object was read")
            } catch {
                #expect(error.code == .notFound && error.subject == "missing")
            }
            do throws(TableError) {
                _ = try await store.reader(for: try ObjectKey("missing"))
                Issue.record("a missing object was opened")
            } catch {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test func foldersAreTheNextSegment() async throws {
        try await withStore { store, _ in try await ObjectStoreContract.foldersAreTheNextSegment(store) }
    }

    @Test func pagesFollowS3sKeyOrder() async throws {
        try await withStore { store, _ in try await ObjectStoreContract.pagesInKeyOrder(store) }
    }

    @Test func largeObjectsGoUpInPartsWithBoundedBuffers() async throws {
        try await withStore { store, client in
            let bytes = S3TestSupport.pattern(20 << 20 + 777, seed: 11)
            let key = try ObjectKey("big/file.bin")
            let writer = try store.makeWriter(for: key)
            let s3Writer = try #require(writer as? S3ObjectWriter)
            var offset = 0
            while offset < bytes.count {  // uneven writes that straddle part boundaries
                let end = min(bytes.count, offset + 100_003)
                try bytes[offset..<end].withUnsafeBytes { try writer.write($0) }
                offset = end
            }
            #expect(writer.position == bytes.count)
            #expect(s3Writer.uploadedParts == 4)  // 4 × 5 MiB sent; the rest waits in the buffer
            #expect(try await store.info(key) == nil)  // nothing visible before publish
            try await writer.publish()
            #expect(try await store.info(key)?.size == bytes.count)

            // Sequential small reads: one GET per 8 MiB window, not per read.
            let source = try await store.reader(for: key)
            let rangeSource = try #require(source as? S3RangeSource)
            #expect(source.size == bytes.count)
            var read: [UInt8] = []
            var position = 0
            while position < source.size {
                let end = min(source.size, position + 65_536)
                read += try source.read(position..<end)
                position = end
            }
            #expect(read == bytes)
            #expect(rangeSource.requestCount == 3)
            // Random ranges, a large one fetched as asked, empty and out-of-range ones.
            for range in [0..<1, 5_242_879..<5_242_881, 20_971_000..<(20 << 20 + 777), 1_000..<9_000_000, 7..<7] {
                #expect(try source.read(range) == Array(bytes[range]), "\(range)")
            }
            #expect(throws: ByteIOError.self) { try source.read(0..<(bytes.count + 1)) }
            #expect(throws: ByteIOError.self) { try source.read(-1..<3) }
            // A replaced object: the pinned reader fails instead of mixing versions.
            try await store.put(key, [1, 2, 3])
            do {
                _ = try source.read(12_000_000..<12_000_010)
                Issue.record("a read of a replaced object succeeded")
            } catch let error as ByteIOError {
                #expect(error.code == .ioFailure && error.message.contains("preconditionFailed"))
            }
            _ = client
        }
    }

    @Test func abortingAMultipartWriterLeavesNothing() async throws {
        try await withStore { store, client in
            let key = try ObjectKey("aborted/big.bin")
            let writer = try store.makeWriter(for: key)
            try writer.write(S3TestSupport.pattern(6 << 20))
            let s3Writer = try #require(writer as? S3ObjectWriter)
            let uploadId = try #require(s3Writer.multipartUploadId)
            #expect(try await client.listMultipartUploads(bucket: store.bucket).uploads.map(\.uploadId) == [uploadId])
            writer.abort()
            #expect(try await store.info(key) == nil)
            #expect(try await client.listMultipartUploads(bucket: store.bucket).uploads.isEmpty)
            do throws(TableError) {
                try await writer.publish()
                Issue.record("an aborted writer published")
            } catch {
                #expect(error.code == .invalidArgument)
            }
        }
    }

    @Test func droppingAnUnpublishedWriterAbortsItsUpload() async throws {
        try await withStore { store, client in
            do {
                let writer = try store.makeWriter(for: try ObjectKey("dropped.bin"))
                try writer.write(S3TestSupport.pattern(5 << 20))
                #expect(try await client.listMultipartUploads(bucket: store.bucket).uploads.count == 1)
            }
            // The writer's deinit sent the abort without waiting: look until it landed.
            var remaining = 1
            for _ in 0..<200 where remaining > 0 {
                remaining = try await client.listMultipartUploads(bucket: store.bucket).uploads.count
                if remaining > 0 { try await Task.sleep(nanoseconds: 50_000_000) }
            }
            #expect(remaining == 0)
            #expect(try await store.info(try ObjectKey("dropped.bin")) == nil)
        }
    }

    @Test func listingStaysInsideThePrefixInKeyOrderAndPages() async throws {
        try await withStore { store, client in
            // Neighbours of the prefix that must never show up.
            for outside in ["lake/rootx/file", "lake/other", "lake/root", "top"] {
                try await client.putObject(bucket: store.bucket, key: outside, bytes: [0])
            }
            // A name below the prefix that is no valid ObjectKey is skipped.
            try await client.putObject(bucket: store.bucket, key: "lake/root/bad//name", bytes: [0])
            let names = ["b/2", "a/1", "a b/3", "ü/4", "a/sub/5", "a+b/6", "z"]
            for name in names { try await store.put(try ObjectKey(name), Array(name.utf8)) }
            let all = try await store.list(under: nil)
            #expect(all.map(\.key.path) == names.sorted())
            #expect(all.allSatisfy { $0.modified > 0 && $0.size == $0.key.path.utf8.count })
            #expect(try await store.list(under: try ObjectKey("a")).map(\.key.path) == ["a/1", "a/sub/5"])
            // One page at a time from a checkpoint.
            let first = try await store.list(under: nil, startAfter: nil, limit: 3)
            #expect(first.map(\.key.path) == Array(names.sorted().prefix(3)))
            let second = try await store.list(under: nil, startAfter: first.last?.key, limit: 3)
            #expect(second.map(\.key.path) == Array(names.sorted()[3..<6]))
            let last = try await store.list(under: nil, startAfter: second.last?.key, limit: 3)
            #expect(last.map(\.key.path) == ["ü/4"])
            #expect(try await store.list(under: nil, startAfter: last.last?.key, limit: 3).isEmpty)
            await #expect(throws: TableError.self) { try await store.list(under: nil, startAfter: nil, limit: 0) }
        }
    }

    @Test func moveCopiesThenDeletes() async throws {
        try await withStore { store, _ in
            let source = try ObjectKey("staging/x.parquet")
            let target = try ObjectKey("data/x.parquet")
            try await store.put(source, [4, 5, 6])
            try await store.put(target, [0])
            try await store.move(source, to: target)  // replaces what is there
            #expect(try await store.info(source) == nil)
            #expect(try await store.get(target, limit: 10) == [4, 5, 6])
            do throws(TableError) {
                try await store.move(source, to: try ObjectKey("data/y.parquet"))
                Issue.record("a missing object was moved")
            } catch {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test func storesWithoutPrefixAndFromURLs() async throws {
        try await S3TestSupport.withBucket { client, bucket in
            let root = try S3ObjectStore(url: "s3://\(bucket)", client: client)
            #expect(root.rootURL == "s3://\(bucket)/" && root.prefix == "")
            try await root.put(try ObjectKey("k"), [1])
            #expect(try await client.headObject(bucket: bucket, key: "k")?.size == 1)
            let nested = try S3ObjectStore(url: "s3://\(bucket)/a/b/", client: client)
            #expect(nested.rootURL == "s3://\(bucket)/a/b/")
            #expect(nested.key(ofURL: "s3://\(bucket)/a/b/c/d") == (try ObjectKey("c/d")))
            #expect(nested.key(ofURL: "s3://\(bucket)/a/bc/d") == nil)
            for bad in ["s3://", "s3://x", "s3://bucket/../etc", "s3://bucket/a//b", "file:///tmp", "s3://buck et/a"] {
                #expect(throws: TableError.self, "\(bad)") { try S3ObjectStore(url: bad, client: client) }
            }
            #expect(throws: TableError.self) { try S3ObjectStore(client: client, bucket: bucket, partSize: 1 << 20) }
        }
    }

    @Test func blockingReadsRefuseEventLoopThreads() async throws {
        try await withStore { store, client in
            let key = try ObjectKey("k")
            try await store.put(key, [1, 2, 3])
            let source = try await store.reader(for: key)
            #expect(try source.read(0..<3) == [1, 2, 3])
            // From one of the HTTP client's own event loops, a blocking read would deadlock:
            // it is refused with an error.
            let fresh = try await store.reader(for: key)
            let outcome = try await client.http.eventLoopGroup.next().submit { () -> String in
                do {
                    _ = try fresh.read(0..<3)
                    return "read"
                } catch {
                    return "\(error)"
                }
            }.get()
            #expect(outcome.contains("event loop"))
        }
    }
}
