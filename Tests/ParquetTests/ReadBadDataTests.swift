import Columnar
import Foundation
import LakegateCore
import Parquet
import Testing

/// Every file of parquet-testing's `bad_data/` has a verdict here; a new file without one
/// fails the suite. Malformed files must throw a located `ParquetError`, never crash.
@Suite struct ReadBadDataTests {
    enum Verdict {
        /// Throws a `ParquetError` (when opening or reading).
        case error
        /// Damaged in a way pyarrow tolerates: reads this many rows.
        case reads(rows: Int)
    }

    static let verdicts: [String: Verdict] = [
        // Columns of different lengths in a row group.
        "ARROW-GH-41317.parquet": .error,
        // Fewer decoded levels than the page header's num_values.
        "ARROW-GH-41321.parquet": .error,
        // Dictionary indices with bit width 0: all index 0, which pyarrow reads.
        "ARROW-GH-43605.parquet": .reads(rows: 21186),
        // Repetition levels starting with 1.
        "ARROW-GH-45185.parquet": .error,
        // A required column whose pages lack values.
        "ARROW-GH-47662.parquet": .error,
        // A negative dictionary size.
        "ARROW-RS-GH-6229-DICTHEADER.parquet": .error,
        // Too few repetition levels in a page.
        "ARROW-RS-GH-6229-LEVELS.parquet": .error,
        // A corrupted schema (invalid physical type).
        "PARQUET-1481.parquet": .error,
    ]

    @Test func everyBadFileHasAVerdict() throws {
        let files = try ReadCorpus.files(in: "bad_data")
        #expect(Set(files) == Set(Self.verdicts.keys), "bad_data files without a verdict, or verdicts without a file")
    }

    @Test(arguments: verdicts.keys.sorted())
    func badFile(_ name: String) throws {
        let relative = "bad_data/" + name
        switch Self.verdicts[name]! {
        case .reads(let expected):
            let rows = try ReadCorpus.rows(relative)
            #expect(rows.count == expected)
            #expect(rows.allSatisfy { $0 == [.uint(0)] })
        case .error:
            do {
                let rows = try ReadCorpus.rows(relative)
                Issue.record("\(name) read \(rows.count) rows instead of failing")
            } catch let error as ParquetError {
                #expect(error.path?.hasSuffix(name) == true, "\(error)")
                #expect(error.description.hasPrefix("parquet "))
                #expect(error.description.contains(name))
            }
        }
    }

    @Test func badFilesFailTheSameWayWithoutChecksums() throws {
        for (name, verdict) in Self.verdicts {
            guard case .error = verdict else { continue }
            #expect(throws: ParquetError.self, "\(name)") {
                _ = try ReadCorpus.rows("bad_data/" + name, options: ParquetReadOptions(verifyChecksums: false))
            }
        }
    }
}
