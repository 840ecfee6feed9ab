import Tables
import Testing

/// What every `ObjectStore` promises, checked the same way on a local folder and on a bucket:
/// each store's own tests add only what is particular to it (URLs, the server's view).
public enum ObjectStoreContract {
    /// Writes appear only when published; reads honour their limit; listing, double deletes
    /// and aborted writers behave. Leaves exactly `a/d.bin` in the store.
    public static func publishReadListDelete(_ store: any ObjectStore) async throws {
        let key = try ObjectKey("a/b/c.bin")
        let writer = try store.makeWriter(for: key)
        try writer.write([1, 2, 3])
        #expect(try await store.info(key) == nil)
        #expect(try await store.list(under: nil).isEmpty)  // nothing in progress is an object
        try await writer.publish()
        #expect(try await store.info(key)?.size == 3)
        #expect(try await store.get(key, limit: 10) == [1, 2, 3])
        do throws(TableError) {
            _ = try await store.get(key, limit: 2)
            Issue.record("a read past its limit succeeded")
        } catch {
            #expect(error.code == .invalidArgument)
        }
        try await store.put(try ObjectKey("a/d.bin"), [9])
        #expect(try await store.list(under: try ObjectKey("a")).map(\.key.path) == ["a/b/c.bin", "a/d.bin"])
        #expect(store.key(ofURL: store.url(of: key)) == key)
        try await store.delete(key)
        try await store.delete(key)  // twice is fine
        #expect(try await store.info(key) == nil)
        let aborted = try store.makeWriter(for: try ObjectKey("gone.bin"))
        try aborted.write([1])
        aborted.abort()
        #expect(try await store.list(under: nil).map(\.key.path) == ["a/d.bin"])
    }

    /// Folders are the next key segment of deeper objects, not objects themselves.
    public static func foldersAreTheNextSegment(_ store: any ObjectStore) async throws {
        for path in ["b/x/1", "a/2", "a/y/3", "top.bin", "c.d/4"] { try await store.put(try ObjectKey(path), [1]) }
        #expect(try await store.folders(under: nil) == ["a", "b", "c.d"])
        #expect(try await store.folders(under: try ObjectKey("a")) == ["y"])
        #expect(try await store.folders(under: try ObjectKey("nothing")) == [])
    }

    /// Listings follow S3's order (UTF-8 bytes of the whole key, so "a.b" before "a/x" before
    /// "a0"); pages resume after any key and together list every object exactly once.
    public static func pagesInKeyOrder(_ store: any ObjectStore) async throws {
        let paths = ["a.b", "a/x", "a/y/z", "a-b/y", "a0", "ab", "b/c/d", "b/c.d", "\u{e9}t\u{e9}", "z"]
        for path in paths.shuffled() { try await store.put(try ObjectKey(path), [1]) }
        let byteOrder = paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(byteOrder == ["a-b/y", "a.b", "a/x", "a/y/z", "a0", "ab", "b/c.d", "b/c/d", "z", "\u{e9}t\u{e9}"])
        #expect(try await store.list(under: nil).map(\.key.path) == byteOrder)
        for limit in [1, 2, 3, 10] {
            var listed: [String] = []
            var after: ObjectKey?
            while true {
                let page = try await store.list(under: nil, startAfter: after, limit: limit)
                listed += page.map(\.key.path)
                guard page.count == limit, let last = page.last else { break }
                after = last.key
            }
            #expect(listed == byteOrder, "limit \(limit)")
        }
        #expect(try await store.list(under: try ObjectKey("a"), startAfter: try ObjectKey("a/x"), limit: 5).map(\.key.path) == ["a/y/z"])
        #expect(try await store.list(under: nil, startAfter: try ObjectKey("a/y"), limit: 2).map(\.key.path) == ["a/y/z", "a0"])
    }
}
