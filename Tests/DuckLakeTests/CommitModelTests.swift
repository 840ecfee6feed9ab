import Columnar
import Database
@testable import DuckLake
import Foundation
import Tables
import Testing

/// Random sequences of appends (some with keys used before), compactions, expiries and
/// dying connections, checked after every step against a model that is just a set of row
/// ids: the table holds exactly the rows of the commits that landed, once each, and storage
/// holds exactly the files some snapshot still reads.
@Suite struct CommitModelTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func randomHistoriesMatchTheModel(seed: UInt64) async throws {
        try await withLake { lake in
            var random = Generator(state: seed)
            let inner = try await SQLiteDatabase(configuration: SQLiteConfiguration(path: lake.catalogPath))
            let faults = FaultyDatabase(inner)
            let catalog = try await DuckLakeCatalog.open(
                database: faults, location: lake.location, store: lake.store, author: "model", retryAttempts: 3)
            let table = try TableIdentifier(name: "events")
            let schema = Schema([Field("id", .int64), Field("country", .string)])
            try await catalog.createTable(table, schema: schema, partitionBy: ["country"])
            var model = Set<Int64>()
            var keys: [String: [Int64]] = [:]
            var nextId: Int64 = 0
            for step in 0..<40 {
                switch Int.random(in: 0..<10, using: &random) {
                case 0:
                    _ = try await catalog.compact(table)
                case 1:
                    _ = try await catalog.expireSnapshots(table, olderThan: 0)
                default:
                    let count = Int.random(in: 1...20, using: &random)
                    // A key used before (a retried job) or a new one, or none.
                    let key: String? = switch Int.random(in: 0..<4, using: &random) {
                    case 0: nil
                    case 1 where !keys.isEmpty: keys.keys.sorted()[Int.random(in: 0..<keys.count, using: &random)]
                    default: "job-\(step)"
                    }
                    let ids = (0..<Int64(count)).map { nextId + $0 }
                    nextId += Int64(count)
                    let rows: [[Value]] = ids.map { [.int($0), .string(["CH", "DE", "FR"][Int($0 % 3)])] }
                    let append = try await catalog.beginAppend(table, schema: schema)
                    try await append.write(try makeBatch(schema, rows))
                    let fault = Int.random(in: 0..<6, using: &random)
                    switch fault {
                    case 0: faults.arm([.lostAfterCommit])
                    case 1: faults.arm([.lostBeforeCommit, .uniqueViolation])
                    case 2: faults.arm([.busy])
                    case 3: faults.arm([.lostAfterCommit], failConnections: 3)  // the outcome stays unknown
                    default: faults.arm([])
                    }
                    let alreadyUsed = key.flatMap { keys[$0] } != nil
                    do {
                        let outcome = try await append.commit(idempotencyKey: key, message: nil)
                        switch outcome {
                        case .committed:
                            #expect(!alreadyUsed, "step \(step): a used key committed again")
                            model.formUnion(ids)
                            if let key { keys[key] = ids }
                        case .alreadyCommitted:
                            #expect(alreadyUsed, "step \(step): a new key was reported committed")
                        }
                    } catch let error as TableError {
                        // Only the unresolvable case fails, and that commit did land (or was a
                        // duplicate the transaction itself turned into a no-op).
                        #expect(fault == 3 && error.code == .io, "step \(step): \(error)")
                        if !alreadyUsed {
                            model.formUnion(ids)
                            if let key { keys[key] = ids }
                        }
                    }
                    faults.arm([])
                }
                let (_, read, _) = try await scanRows(catalog, table)
                let readIds = read.map { row -> Int64 in if case .int(let v) = row[0] { v } else { -1 } }
                #expect(readIds.count == Set(readIds).count, "step \(step): a row appears twice")
                #expect(Set(readIds) == model, "step \(step)")
            }
            // After a last expiry, storage holds exactly the live files, apart from those of
            // commits whose outcome stayed unknown and turned out to be duplicates (kept, as
            // nothing may delete a file a commit might reference).
            _ = try await catalog.expireSnapshots(table, olderThan: 0)
            let live = Set(try await catalog.files(table).map { String($0.url.dropFirst(lake.store.rootURL.count)) })
            let stored = Set(lake.parquetFiles())
            #expect(live.isSubset(of: stored))
            await catalog.close()
        }
    }
}
