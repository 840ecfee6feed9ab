import Columnar

// From the level streams and dense values of each leaf to Columnar columns.
//
// Every node of the read plan knows (NodeLevels) which entries of its first leaf are its
// slots and which of those slots are valid; a list also knows which entries start one of its
// elements. One pass over the first leaf's levels gives a node its count, validity and (for a
// list or map) offsets; its children are built the same way from their own first leaves, and
// counts are checked to agree where leaves meet. Leaves scatter their dense values (only the
// entries with def == max carry one) into their slots.

/// What a column chunk decoded to, before assembly.
struct LeafData {
    /// One definition level per entry; empty when the leaf's max definition level is 0.
    var definitionLevels: [UInt8] = []
    /// One repetition level per entry; empty when the leaf's max repetition level is 0.
    var repetitionLevels: [UInt8] = []
    /// Level entries (num_values of the chunk).
    var levelCount = 0
    /// Dense values: `valueCount * width` bytes for fixed-width types, the concatenated bytes
    /// for byte arrays.
    var values: [UInt8] = []
    /// Dense byte-array offsets (`valueCount + 1`), empty for fixed-width types.
    var offsets: [Int32] = []
    /// Values present (entries whose definition level is the maximum).
    var valueCount = 0
}

/// Validity bits written one slot at a time into a buffer sized up front.
struct ValidityWriter {
    private(set) var bytes: [UInt8]
    private(set) var count = 0
    private(set) var nullCount = 0

    init(capacity: Int) { bytes = [UInt8](repeating: 0, count: (capacity + 7) >> 3) }

    @inline(__always)
    mutating func append(_ valid: Bool) {
        if valid {
            bytes.withUnsafeMutableBufferPointer { $0[count >> 3] |= 1 << UInt8(count & 7) }
        } else {
            nullCount += 1
        }
        count += 1
    }

    /// The bitmap, or nil when every slot is valid.
    func finish() -> Bitmap? {
        guard nullCount > 0 else { return nil }
        var out = bytes
        let needed = (count + 7) >> 3
        if out.count > needed { out.removeLast(out.count - needed) }
        return Bitmap(bytes: out, count: count)
    }
}

struct LevelAssembler {
    let leaves: [LeafDescriptor]
    /// Decoded data per leaf index (nil for leaves not read).
    let data: [LeafData?]

    private func leafData(_ index: Int, _ plan: FieldPlan) throws(ParquetError) -> LeafData {
        guard index < data.count, let leaf = data[index] else {
            throw ParquetError(.corrupt, "column chunk was not read", column: plan.field.name)
        }
        return leaf
    }

    func build(_ plan: FieldPlan) throws(ParquetError) -> Column {
        switch plan.kind {
        case .leaf(let index):
            return try buildLeaf(plan, leaves[index], try leafData(index, plan))
        case .structure(let children):
            guard !plan.leaves.isEmpty else {
                throw ParquetError(.unsupported, "struct '\(plan.field.name)' has no columns")
            }
            let first = try leafData(plan.leaves.lowerBound, plan)
            let descriptor = leaves[plan.leaves.lowerBound]
            let (count, validity) = slotValidity(plan.levels, descriptor, first)
            var columns: [Column] = []
            columns.reserveCapacity(children.count)
            for child in children {
                let column = try build(child)
                guard column.count == count else {
                    throw ParquetError(
                        .corrupt, "struct fields disagree on their number of values (\(column.count) and \(count))",
                        column: descriptor.dottedPath)
                }
                columns.append(column)
            }
            return Column(unchecked: plan.field.type, count: count, validity: validity, children: columns)
        case .list(let element, let elementRepetition, let elementDefinition):
            let descriptor = leaves[plan.leaves.lowerBound]
            let first = try leafData(plan.leaves.lowerBound, plan)
            let shape = try listShape(
                plan.levels, elementRepetition: elementRepetition, elementDefinition: elementDefinition,
                descriptor, first)
            let child = try build(element)
            guard child.count == shape.elements else {
                throw ParquetError(
                    .corrupt, "list elements (\(child.count)) disagree with the list levels (\(shape.elements))",
                    column: descriptor.dottedPath)
            }
            return Column(
                unchecked: plan.field.type, count: shape.offsets.count - 1, validity: shape.validity,
                offsets: shape.offsets, children: [child])
        case .map(let key, let value, let elementRepetition, let elementDefinition):
            let descriptor = leaves[plan.leaves.lowerBound]
            let first = try leafData(plan.leaves.lowerBound, plan)
            let shape = try listShape(
                plan.levels, elementRepetition: elementRepetition, elementDefinition: elementDefinition,
                descriptor, first)
            let keys = try build(key)
            let values = try build(value)
            guard keys.count == shape.elements, values.count == shape.elements else {
                throw ParquetError(
                    .corrupt, "map keys (\(keys.count)) and values (\(values.count)) disagree with the map levels (\(shape.elements))",
                    column: descriptor.dottedPath)
            }
            return Column(
                unchecked: plan.field.type, count: shape.offsets.count - 1, validity: shape.validity,
                offsets: shape.offsets, children: [keys, values])
        }
    }

    // MARK: Structure from levels

    /// Number of slots of a node and their validity.
    private func slotValidity(_ levels: NodeLevels, _ leaf: LeafDescriptor, _ data: LeafData) -> (Int, Bitmap?) {
        let n = data.levelCount
        let defs = data.definitionLevels
        let reps = data.repetitionLevels
        if reps.isEmpty {
            // Every entry is a slot.
            if defs.isEmpty || levels.validDefinition == 0 { return (n, nil) }
            let (bits, nulls) = defs.withUnsafeBufferPointer {
                LevelKernels.validity(
                    $0, threshold: UInt8(truncatingIfNeeded: levels.validDefinition), maxLevel: leaf.maxDefinitionLevel)
            }
            return (n, nulls == 0 ? nil : Bitmap(bytes: bits, count: n))
        }
        var writer = ValidityWriter(capacity: n)
        let slotRep = UInt8(truncatingIfNeeded: levels.slotRepetition)
        let slotDef = levels.slotDefinition
        let validDef = levels.validDefinition
        defs.withUnsafeBufferPointer { d in
            reps.withUnsafeBufferPointer { r in
                for i in 0..<n {
                    let def = d.isEmpty ? 0 : Int(d[i])
                    if r[i] <= slotRep && def >= slotDef {
                        writer.append(def >= validDef)
                    }
                }
            }
        }
        return (writer.count, writer.finish())
    }

    private struct ListShape {
        var offsets: [Int32]
        var validity: Bitmap?
        var elements: Int
    }

    private func listShape(
        _ levels: NodeLevels, elementRepetition: Int, elementDefinition: Int,
        _ leaf: LeafDescriptor, _ data: LeafData
    ) throws(ParquetError) -> ListShape {
        let n = data.levelCount
        guard !data.repetitionLevels.isEmpty || n == 0 else {
            throw ParquetError(.corrupt, "a list column has no repetition levels", column: leaf.dottedPath)
        }
        var offsets: [Int32] = []
        offsets.reserveCapacity(n + 1)
        var writer = ValidityWriter(capacity: n)
        let slotRep = UInt8(truncatingIfNeeded: levels.slotRepetition)
        let slotDef = levels.slotDefinition
        let validDef = levels.validDefinition
        let elementRep = UInt8(truncatingIfNeeded: elementRepetition)
        var elements = 0
        data.definitionLevels.withUnsafeBufferPointer { d in
            data.repetitionLevels.withUnsafeBufferPointer { r in
                for i in 0..<n {
                    let def = d.isEmpty ? 0 : Int(d[i])
                    let rep = r[i]
                    if rep <= slotRep && def >= slotDef {
                        offsets.append(Int32(truncatingIfNeeded: elements))
                        writer.append(def >= validDef)
                    }
                    if rep <= elementRep && def >= elementDefinition {
                        elements += 1
                    }
                }
            }
        }
        guard elements <= Int(Int32.max) else {
            throw ParquetError(.limitExceeded, "more than 2^31 list elements in one row group", column: leaf.dottedPath)
        }
        offsets.append(Int32(truncatingIfNeeded: elements))
        return ListShape(offsets: offsets, validity: writer.finish(), elements: elements)
    }

    // MARK: Leaves

    private func buildLeaf(_ plan: FieldPlan, _ leaf: LeafDescriptor, _ data: LeafData) throws(ParquetError) -> Column {
        let n = data.levelCount
        let hasReps = !data.repetitionLevels.isEmpty
        let hasDefs = !data.definitionLevels.isEmpty

        if case .null = leaf.type {
            let count = hasReps ? slotCount(plan.levels, data) : n
            return Column(unchecked: .null, count: count)
        }

        // Flat and never null: the dense values are the column.
        if !hasReps && (!hasDefs || data.valueCount == n) {
            guard data.valueCount == n else {
                throw ParquetError(
                    .corrupt, "\(data.valueCount) values for \(n) entries", column: leaf.dottedPath)
            }
            return makeColumn(leaf, count: n, validity: nil, values: data.values, offsets: data.offsets)
        }

        // A mask over the slots (valid where mask >= threshold): the definition levels
        // themselves for a flat leaf, one byte per slot for a nested one.
        let mask: [UInt8]
        let threshold: UInt8
        if hasReps {
            let maxDef = leaf.maxDefinitionLevel
            let slotRep = UInt8(truncatingIfNeeded: plan.levels.slotRepetition)
            let slotDef = plan.levels.slotDefinition
            var slots = GrowableArray<UInt8>(capacity: n)
            data.definitionLevels.withUnsafeBufferPointer { d in
                data.repetitionLevels.withUnsafeBufferPointer { r in
                    for i in 0..<n {
                        let def = Int(d[i])
                        if r[i] <= slotRep && def >= slotDef {
                            slots.append(def >= maxDef ? 1 : 0)
                        }
                    }
                }
            }
            mask = slots.finish()
            threshold = 1
        } else {
            mask = data.definitionLevels
            threshold = UInt8(truncatingIfNeeded: leaf.maxDefinitionLevel)
        }
        let count = mask.count
        let (bits, nullCount) = mask.withUnsafeBufferPointer { LevelKernels.validity($0, threshold: threshold, maxLevel: max(Int(threshold), leaf.maxDefinitionLevel)) }
        guard count - nullCount == data.valueCount else {
            throw ParquetError(
                .corrupt, "\(data.valueCount) values where the levels call for \(count - nullCount)",
                column: leaf.dottedPath)
        }
        let validity: Bitmap? = nullCount == 0 ? nil : Bitmap(bytes: bits, count: count)

        if leaf.conversion == .byteArray {
            let offsets = mask.withUnsafeBufferPointer {
                LevelKernels.spreadOffsets(data.offsets, mask: $0, threshold: threshold)
            }
            return makeColumn(leaf, count: count, validity: validity, values: data.values, offsets: offsets)
        }
        let values = mask.withUnsafeBufferPointer {
            LevelKernels.spreadValues(data.values, width: leaf.conversion.outputWidth, mask: $0, threshold: threshold)
        }
        return makeColumn(leaf, count: count, validity: validity, values: values, offsets: [])
    }

    private func slotCount(_ levels: NodeLevels, _ data: LeafData) -> Int {
        let slotRep = UInt8(truncatingIfNeeded: levels.slotRepetition)
        let slotDef = levels.slotDefinition
        var count = 0
        data.definitionLevels.withUnsafeBufferPointer { d in
            data.repetitionLevels.withUnsafeBufferPointer { r in
                for i in 0..<data.levelCount {
                    let def = d.isEmpty ? 0 : Int(d[i])
                    if r[i] <= slotRep && def >= slotDef { count += 1 }
                }
            }
        }
        return count
    }

    private func makeColumn(
        _ leaf: LeafDescriptor, count: Int, validity: Bitmap?, values: [UInt8], offsets: [Int32]
    ) -> Column {
        if leaf.conversion == .byteArray {
            return Column(unchecked: leaf.type, count: count, validity: validity, values: values, offsets: offsets)
        }
        return Column(unchecked: leaf.type, count: count, validity: validity, values: values)
    }
}

