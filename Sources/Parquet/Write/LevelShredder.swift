import Columnar

/// One leaf of a nested column, taken apart into Dremel levels for a range of rows.
///
/// `definition[i]` and `repetition[i]` describe level entry `i`; a value is stored only where
/// `definition[i] == maxDefinition`, and `positions` lists, in order, the index in `column`
/// of each such value. `repetition` is empty when the leaf has no repeated ancestor.
struct ShreddedLeaf {
    var column: Column
    var definition: [UInt8]
    var repetition: [UInt8]
    var positions: [Int32]
    var count: Int { definition.count }
}

/// Turns nested columns into repetition/definition levels, one leaf at a time, as in
/// Dremel: walking down from the top-level column, each optional node adds one definition
/// level, each repeated node (a list's `list` group, a map's `key_value` group) one
/// definition and one repetition level. Entries that end above the leaf (a null or an
/// empty list) keep the definition level where they stopped.
///
/// Works on arrays per node rather than per value, so the cost is a few passes over the
/// entries of each leaf. Flat top-level primitives never come here: the column writer reads
/// their validity bitmap directly.
struct LevelShredder {
    /// The level entries at one node of the walk. `position[i]` is the index in the node's
    /// column, or -1 for an entry that ended above it (with its definition level in
    /// `definition[i]`).
    private struct Cursor {
        var repetition: [UInt8]  // empty while no repeated node was crossed
        var definition: [UInt8]
        var position: [Int32]
    }

    /// Shreds `rows` of `column` (described by `field`) into its leaves, depth first.
    static func shred(
        _ column: Column, field: Field, rows: Range<Int>, path: String
    ) throws(ParquetError) -> [ShreddedLeaf] {
        var cursor = Cursor(
            repetition: [],
            definition: [UInt8](repeating: 0, count: rows.count),
            position: rows.map { Int32(truncatingIfNeeded: $0) })
        var leaves: [ShreddedLeaf] = []
        try descend(
            column, nullable: WriteSchema.isOptional(field), cursor: &cursor, definition: 0,
            repetition: 0, path: path, into: &leaves)
        return leaves
    }

    private static func descend(
        _ column: Column, nullable: Bool, cursor: inout Cursor, definition: Int, repetition: Int,
        path: String, into leaves: inout [ShreddedLeaf]
    ) throws(ParquetError) {
        var definition = definition
        if nullable {
            if column.validity != nil || column.type == .null {
                cursor.position.withUnsafeMutableBufferPointer { position in
                    cursor.definition.withUnsafeMutableBufferPointer { levels in
                        for i in 0..<position.count where position[i] >= 0 && column.isNull(Int(position[i])) {
                            position[i] = -1
                            levels[i] = UInt8(definition)
                        }
                    }
                }
            }
            definition += 1
        } else if column.validity != nil {
            for p in cursor.position where p >= 0 && column.isNull(Int(p)) {
                throw ParquetError(.invalidArgument, "a null in a non-nullable field", column: path)
            }
        }
        guard definition < 255 else { throw ParquetError(.unsupported, "nesting deeper than 254 levels", column: path) }

        switch column.type {
        case .structure(let fields):
            for (child, field) in zip(column.children, fields) {
                var copy = cursor
                try descend(
                    child, nullable: WriteSchema.isOptional(field), cursor: &copy, definition: definition,
                    repetition: repetition, path: path + "." + field.name, into: &leaves)
            }
        case .list(let element):
            var expanded = expand(cursor, offsets: column.offsets, definition: definition, repetition: repetition + 1)
            try descend(
                column.children[0], nullable: WriteSchema.isOptional(element), cursor: &expanded,
                definition: definition + 1, repetition: repetition + 1, path: path + ".list.element",
                into: &leaves)
        case .map(_, let value):
            let expanded = expand(cursor, offsets: column.offsets, definition: definition, repetition: repetition + 1)
            var keys = expanded
            try descend(
                column.children[0], nullable: false, cursor: &keys, definition: definition + 1,
                repetition: repetition + 1, path: path + ".key_value.key", into: &leaves)
            var values = expanded
            try descend(
                column.children[1], nullable: WriteSchema.isOptional(value), cursor: &values,
                definition: definition + 1, repetition: repetition + 1, path: path + ".key_value.value",
                into: &leaves)
        default:
            // A leaf: live entries are defined values.
            var positions: [Int32] = []
            positions.reserveCapacity(cursor.position.count)
            let level = UInt8(definition)
            cursor.position.withUnsafeBufferPointer { position in
                cursor.definition.withUnsafeMutableBufferPointer { levels in
                    for i in 0..<position.count where position[i] >= 0 {
                        levels[i] = level
                        positions.append(position[i])
                    }
                }
            }
            leaves.append(
                ShreddedLeaf(
                    column: column, definition: cursor.definition, repetition: cursor.repetition,
                    positions: positions))
        }
    }

    /// Steps through a repeated node: each live entry becomes one entry per list element
    /// (the first keeps the entry's repetition level, the rest get `repetition`), or, for an
    /// empty list, an entry that ends here at definition level `definition`.
    private static func expand(_ cursor: Cursor, offsets: [Int32], definition: Int, repetition: Int) -> Cursor {
        let n = cursor.position.count
        var total = 0
        offsets.withUnsafeBufferPointer { offsets in
            for p in cursor.position {
                if p >= 0 {
                    total += max(1, Int(offsets[Int(p) + 1] - offsets[Int(p)]))
                } else {
                    total += 1
                }
            }
        }
        var out = Cursor(repetition: [], definition: [], position: [])
        out.repetition.reserveCapacity(total)
        out.definition.reserveCapacity(total)
        out.position.reserveCapacity(total)
        let inner = UInt8(repetition)
        let here = UInt8(definition)
        let hasRepetition = !cursor.repetition.isEmpty
        offsets.withUnsafeBufferPointer { offsets in
            for i in 0..<n {
                let rep = hasRepetition ? cursor.repetition[i] : 0
                let p = cursor.position[i]
                if p < 0 {
                    out.repetition.append(rep)
                    out.definition.append(cursor.definition[i])
                    out.position.append(-1)
                    continue
                }
                let start = offsets[Int(p)]
                let end = offsets[Int(p) + 1]
                if start == end {
                    out.repetition.append(rep)
                    out.definition.append(here)
                    out.position.append(-1)
                    continue
                }
                out.repetition.append(rep)
                out.definition.append(0)
                out.position.append(start)
                var k = start + 1
                while k < end {
                    out.repetition.append(inner)
                    out.definition.append(0)
                    out.position.append(k)
                    k += 1
                }
            }
        }
        return out
    }
}
