import Columnar
import Foundation
import LakegateCore
import Parquet
import ParquetFormat
import Testing

@Suite struct WriteNestedTests {
    typealias S = WriteTestSupport

    static let structOfListField = Field(
        "ls",
        .list(
            Field(
                "element",
                .structure([Field("a", .int64), Field("b", .list(Field("element", .string)))]))))
    static let mapField = Field(
        "m",
        .map(
            key: Field("key", .string, nullable: false),
            value: Field(
                "value", .structure([Field("x", .float64), Field("y", .list(Field("element", .int32)))]))))
    static let structField = Field(
        "st", .structure([Field("s", .structure([Field("i", .int32)])), Field("l", .list(Field("element", .int32)))]))

    static let fields: [Field] = [
        Field("l", .list(Field("element", .int32))),
        structOfListField,
        mapField,
        structField,
        Field("rl", .list(Field("element", .int32, nullable: false)), nullable: false),
        Field("ll", .list(Field("element", .list(Field("element", .int32))))),
    ]

    static func entry(_ key: String, _ value: Value) -> Value.MapEntry { .init(key: .string(key), value: value) }

    /// Four rows with nulls and empty lists at every level.
    static let columns: [[Value]] = [
        [.list([.int(1), .int(2)]), .list([]), .null, .list([.null, .int(3)])],
        [
            .list([
                .structure([.int(1), .list([.string("x"), .null])]), .null, .structure([.null, .list([])]),
                .structure([.int(2), .null]),
            ]),
            .null, .list([]), .list([.structure([.int(3), .list([.string("y")])])]),
        ],
        [
            .map([
                entry("k1", .structure([.double(1.5), .list([.int(1)])])), entry("k2", .null),
                entry("k3", .structure([.null, .null])),
            ]),
            .map([]), .null, .map([entry("k4", .structure([.double(2.5), .list([])]))]),
        ],
        [
            .structure([.structure([.int(1)]), .list([.int(1)])]), .structure([.null, .null]), .null,
            .structure([.structure([.null]), .list([])]),
        ],
        [.list([.int(1)]), .list([]), .list([.int(2), .int(3)]), .list([.int(4)])],
        [
            .list([.list([.int(1), .int(2)]), .list([])]), .list([.null, .list([.int(3)])]), .null,
            .list([.list([])]),
        ],
    ]

    static func batch() throws -> RecordBatch { try S.batch(fields, columns) }

    @Test func writesNestedColumns() throws {
        let batch = try Self.batch()
        for options in [ParquetWriteOptions(), ParquetWriteOptions(dictionary: false, dataPageVersion: .v2)] {
            let bytes = try S.write(batch.schema, [batch], options: options)
            let footer = try S.footer(bytes)
            #expect(footer.numRows == 4)
            let paths = footer.rowGroups[0].columns.map { $0.metaData!.pathInSchema.joined(separator: ".") }
            #expect(
                paths == [
                    "l.list.element", "ls.list.element.a", "ls.list.element.b.list.element", "m.key_value.key",
                    "m.key_value.value.x", "m.key_value.value.y.list.element", "st.s.i", "st.l.list.element",
                    "rl.list.element", "ll.list.element.list.element",
                ])
            if let directory = ProcessInfo.processInfo.environment["LAKEGATE_WRITE_SAMPLES"] {
                let name = options.dictionary ? "dict" : "v2"
                try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/nested-\(name).parquet"))
            }
        }
    }
}
