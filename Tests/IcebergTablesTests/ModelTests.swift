import Columnar
import Database
import IcebergTables
import Tables
import Testing

/// Random sequences of appends (new and reused idempotency keys), compactions and expiries,
/// with connections lost at COMMIT (before or after it landed, the database sometimes staying
/// down), checked after every step against a model: the set of row ids each key committed.
@Suite struct ModelTests {
    /// xorshift64*: a small seeded generator, so a failing seed replays.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64]) func commitsMatchTheModel(seed: UInt64) async throws {
        try await withLake { lake in
            var random = Seeded(state: seed &* 0x9E37_79B9_7F4A_7C15 | 1)
            let database = FlakyDatabase(try await SQLiteDatabase(configuration: SQLiteConfiguration(path: lake.catalogPath)))
            let catalog = try await IcebergCatalog.open(database: database, location: lake.location, store: try lake.store())
            defer { Task { await catalog.close() } }
            let table = try TableIdentifier(name: "model")
            try await catalog.createTable(table, schema: Events.schema, partitionBy: ["region"])

            var committed: [String: [Int]] = [:]  // key -> ids it added
            var keys: [String] = []
            var nextId = 0
            let faults: [FlakyDatabase.Fault?] = [nil, nil, nil, .lostBeforeCommit, .lostAfterCommit, .lostAfterCommitThenDown, .lostBeforeCommitThenDown]
            for step in 0..<40 {
                let fault = faults[Int(random.next() % UInt64(faults.count))]
                database.failNextTransactions(fault.map { [$0] } ?? [])
                let action = random.next() % 10
                if action < 7 {
                    // An append: a new key, or (a third of the time) one used before.
                    let reuse = !keys.isEmpty && random.next() % 3 == 0
                    let key = reuse ? keys[Int(random.next() % UInt64(keys.count))] : "key-\(seed)-\(step)"
                    let count = Int(random.next() % 5) + 1
                    let ids = Array(nextId..<(nextId + count))
                    nextId += count
                    do {
                        let outcome = try await append(catalog, table, [try Events.batch(ids)], key: key)
                        switch outcome {
                        case .committed:
                            #expect(committed[key] == nil, "seed \(seed) step \(step): key \(key) committed twice")
                            committed[key] = ids
                            keys.append(key)
                        case .alreadyCommitted:
                            #expect(committed[key] != nil, "seed \(seed) step \(step): key \(key) said committed")
                        }
                    } catch {
                        // Only a database that stayed down may fail an append; whether it landed
                        // is then learnt by retrying with the same key.
                        #expect(fault == .lostAfterCommitThenDown || fault == .lostBeforeCommitThenDown, "seed \(seed) step \(step): \(error)")
                        database.down.withLock { $0 = false }
                        let retry = try await append(catalog, table, [try Events.batch(ids)], key: key)
                        switch retry {
                        case .committed:
                            #expect(fault == .lostBeforeCommitThenDown)
                            committed[key] = ids
                            keys.append(key)
                        case .alreadyCommitted:
                            #expect(fault == .lostAfterCommitThenDown)
                            committed[key] = ids
                            keys.append(key)
                        }
                    }
                } else {
                    do {
                        if action < 9 {
                            _ = try await catalog.compact(table)
                        } else {
                            _ = try await catalog.expireSnapshots(table, olderThan: 0)
                        }
                    } catch {
                        #expect(fault == .lostAfterCommitThenDown || fault == .lostBeforeCommitThenDown, "seed \(seed) step \(step): \(error)")
                    }
                }
                database.down.withLock { $0 = false }
                database.failNextTransactions([])
                let expected = committed.values.flatMap { $0 }.sorted()
                #expect(ids(try await tableRows(catalog, table)) == expected, "seed \(seed) step \(step)")
            }
            // In the end, once unreferenced files are swept, every data file is a table file.
            let sweeper = try await IcebergCatalog.open(
                location: lake.location, store: try lake.store(), options: IcebergCatalogOptions(orphanGraceSeconds: 0))
            _ = try await sweeper.compact(table)
            _ = try await sweeper.expireSnapshots(table, olderThan: 0)
            let files = try await sweeper.files(table)
            #expect(try await lake.objects(under: "main/model/data").count == files.count)
            #expect(ids(try await tableRows(sweeper, table)) == committed.values.flatMap { $0 }.sorted())
            await sweeper.close()
        }
    }
}
