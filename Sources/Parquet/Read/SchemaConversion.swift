import Columnar
import ParquetFormat

// Parquet schema -> Columnar schema, following pyarrow's reading (parquet-cpp
// `schema.cc` / `schema_internal.cc`): logical and converted type annotations, the LIST and
// MAP rules with every backward-compatibility case of LogicalTypes.md, unannotated repeated
// fields as lists of required elements, plain groups as structs.
//
// Besides the Columnar fields it produces a read plan: for every node the definition and
// repetition levels that tell its slots, validity, and list offsets apart
// (see LevelAssembly.swift), and for every leaf how its physical values become Columnar values.

/// How a leaf's physical values become the values of its Columnar type.
enum ValueConversion: Sendable, Equatable {
    /// PLAIN booleans to one byte (0/1) each.
    case boolean
    /// The physical little-endian bytes are the Columnar bytes (`width` bytes per value).
    case copy(width: Int)
    /// INT32 truncated to 1 or 2 bytes (int8/uint8/int16/uint16).
    case narrowInt32(width: Int)
    /// INT32 sign-extended to Int64 (TIME millis).
    case int32ToInt64
    /// INT32 or INT64 sign-extended to Int128 (decimals).
    case int32ToDecimal, int64ToDecimal
    /// INT96 (nanoseconds of day + Julian day) to Int64 nanoseconds since the epoch.
    case int96ToNanos
    /// FIXED_LEN_BYTE_ARRAY big-endian two's complement of `width` bytes to Int128.
    case fixedDecimal(width: Int)
    /// BYTE_ARRAY to offsets + bytes (string, binary).
    case byteArray
    /// BYTE_ARRAY big-endian two's complement to Int128.
    case byteArrayDecimal
    /// Values are dropped: the column has Columnar's null type.
    case null

    /// Bytes per output value in the dense values buffer (0 for byte arrays and nulls).
    var outputWidth: Int {
        switch self {
        case .boolean: return 1
        case .copy(let width): return width
        case .narrowInt32(let width): return width
        case .int32ToInt64, .int96ToNanos: return 8
        case .int32ToDecimal, .int64ToDecimal, .fixedDecimal, .byteArrayDecimal: return 16
        case .byteArray, .null: return 0
        }
    }
}

/// How statistics of a leaf compare (the column's sort order), for row-group pruning.
enum StatisticsOrder: Sendable, Equatable {
    case signed
    case unsigned
    /// Byte arrays compared bytewise as unsigned (strings, binary, FLBA).
    case bytes
    /// Big-endian two's complement decimals stored as bytes.
    case decimalBytes
    /// No order usable for pruning (INT96, intervals, unknown).
    case none
}

/// One leaf (column chunk) of the Parquet schema.
struct LeafDescriptor: Sendable {
    /// Position among the leaves, which is the column chunk index in every row group.
    let index: Int
    let path: [String]
    let dottedPath: String
    let physicalType: PhysicalType
    /// Byte width of FIXED_LEN_BYTE_ARRAY values (0 otherwise).
    let typeLength: Int
    /// The Columnar type of the leaf's values.
    let type: DataType
    let conversion: ValueConversion
    let maxDefinitionLevel: Int
    let maxRepetitionLevel: Int
    /// `repeatedDefinitionLevels[r - 1]` is the definition level of the repeated node at
    /// repetition level `r`: an entry with repetition level `r` continues a list only when the
    /// previous entry reached that definition level.
    let repeatedDefinitionLevels: [Int]
    let statisticsOrder: StatisticsOrder
}

/// Levels that locate one node's values in its first leaf's level streams.
///
/// A node's slots are the entries with `rep <= slotRepetition` and `def >= slotDefinition`
/// (`slotDefinition` is the definition level of the closest repeated ancestor, 0 at the top).
/// A slot holds a non-null value when `def >= validDefinition`.
struct NodeLevels: Sendable, Equatable {
    let validDefinition: Int
    let slotRepetition: Int
    let slotDefinition: Int
}

/// The read plan of one Columnar field: its shape and where its levels and values come from.
final class FieldPlan: Sendable {
    enum Kind: Sendable {
        case leaf(Int)
        case structure([FieldPlan])
        /// A list (or a map, with two children) whose elements are the entries with
        /// `rep <= elementRepetition` and `def >= elementDefinition`.
        case list(FieldPlan, elementRepetition: Int, elementDefinition: Int)
        case map(key: FieldPlan, value: FieldPlan, elementRepetition: Int, elementDefinition: Int)
    }

    let field: Field
    let kind: Kind
    let levels: NodeLevels
    /// The leaves under this node (column chunk indexes, contiguous).
    let leaves: Range<Int>

    init(field: Field, kind: Kind, levels: NodeLevels, leaves: Range<Int>) {
        self.field = field
        self.kind = kind
        self.levels = levels
        self.leaves = leaves
    }
}

/// The converted schema of a file.
struct ReadSchema: Sendable {
    let schema: Schema
    /// One plan per top-level field, in schema order.
    let fields: [FieldPlan]
    /// Every leaf, in column chunk order.
    let leaves: [LeafDescriptor]
}

/// Builds the tree of schema elements and converts it.
struct SchemaConverter {
    private let elements: [SchemaElement]
    private let maxDepth: Int
    private var leaves: [LeafDescriptor] = []

    /// A node of the Parquet schema tree (indexes into `elements`).
    private struct Node {
        let element: Int
        let children: [Node]
    }

    /// Levels accumulated from the root down to a node's parent.
    private struct Context {
        var definition: Int
        var repetition: Int
        var slotDefinition: Int
        var repeatedDefinitions: [Int]
        var path: [String]
    }

    static func convert(
        _ metadata: FileMetaData, maxDepth: Int
    ) throws(ParquetError) -> ReadSchema {
        var converter = SchemaConverter(elements: metadata.schema, maxDepth: max(1, min(maxDepth, 250)))
        let root = try converter.buildTree()
        var plans: [FieldPlan] = []
        plans.reserveCapacity(root.children.count)
        let context = Context(definition: 0, repetition: 0, slotDefinition: 0, repeatedDefinitions: [], path: [])
        for child in root.children {
            plans.append(try converter.convert(child, context))
        }
        var metadataPairs: [(key: String, value: String)] = []
        for pair in metadata.keyValueMetadata ?? [] where pair.key != "ARROW:schema" {
            metadataPairs.append((key: pair.key, value: pair.value ?? ""))
        }
        let schema = Schema(plans.map(\.field), metadata: KeyValueMetadata(metadataPairs))
        return ReadSchema(schema: schema, fields: plans, leaves: converter.leaves)
    }

    private init(elements: [SchemaElement], maxDepth: Int) {
        self.elements = elements
        self.maxDepth = maxDepth
    }

    // MARK: Tree

    private func buildTree() throws(ParquetError) -> Node {
        guard !elements.isEmpty else { throw ParquetError(.corrupt, "the schema has no root element") }
        var next = 0
        let root = try buildNode(&next, depth: 1)
        guard next == elements.count else {
            throw ParquetError(
                .corrupt, "the schema lists \(elements.count) elements but its tree holds \(next)")
        }
        guard !elements[0].isLeaf else {
            throw ParquetError(.corrupt, "the schema root is not a group")
        }
        return root
    }

    private func buildNode(_ next: inout Int, depth: Int) throws(ParquetError) -> Node {
        guard next < elements.count else {
            throw ParquetError(.corrupt, "the schema tree needs more elements than the \(elements.count) listed")
        }
        let index = next
        next += 1
        let element = elements[index]
        if element.isLeaf { return Node(element: index, children: []) }
        let count = Int(element.numChildren ?? 0)
        guard count >= 0, count <= elements.count - next else {
            throw ParquetError(.corrupt, "schema element '\(element.name)' claims \(count) children")
        }
        guard count == 0 || depth < maxDepth else {
            throw ParquetError(.limitExceeded, "the schema nests deeper than \(maxDepth) levels")
        }
        var children: [Node] = []
        children.reserveCapacity(count)
        for _ in 0..<count {
            children.append(try buildNode(&next, depth: depth + 1))
        }
        return Node(element: index, children: children)
    }

    // MARK: Conversion

    private enum Repetition { case required, optional, repeated }

    private func repetition(of node: Node) throws(ParquetError) -> Repetition {
        let element = elements[node.element]
        switch element.repetitionType {
        case nil, .some(.required): return .required
        case .some(.optional): return .optional
        case .some(.repeated): return .repeated
        case .some(let other):
            throw ParquetError(.unsupported, "repetition \(other) of schema element '\(element.name)'")
        }
    }

    private func isList(_ element: SchemaElement) -> Bool {
        if let logical = element.logicalType { return logical == .list }
        return element.convertedType == .list
    }

    private func isMap(_ element: SchemaElement) -> Bool {
        if let logical = element.logicalType { return logical == .map }
        return element.convertedType == .map || element.convertedType == .mapKeyValue
    }

    private func fieldId(_ element: SchemaElement) -> Int32? {
        guard let id = element.fieldId, id >= 0 else { return nil }
        return id
    }

    /// Converts a node seen from its parent (which is not a LIST or MAP handling it).
    private mutating func convert(_ node: Node, _ context: Context) throws(ParquetError) -> FieldPlan {
        let element = elements[node.element]
        let rep = try repetition(of: node)
        var context = context
        context.path.append(element.name)

        if element.isLeaf {
            if rep == .repeated {
                // One-level list: `repeated T name` is list<name: T not null> not null.
                let listLevels = NodeLevels(
                    validDefinition: context.definition, slotRepetition: context.repetition,
                    slotDefinition: context.slotDefinition)
                let inner = repeatedContext(context)
                let leaf = try makeLeaf(node, inner, nullable: false)
                return FieldPlan(
                    field: Field(element.name, .list(leaf.field), nullable: false, id: fieldId(element)),
                    kind: .list(leaf, elementRepetition: inner.repetition, elementDefinition: inner.definition),
                    levels: listLevels, leaves: leaf.leaves)
            }
            if rep == .optional { context.definition += 1 }
            return try makeLeaf(node, context, nullable: rep == .optional)
        }

        if isList(element) {
            guard rep != .repeated else {
                throw ParquetError(.unsupported, "LIST-annotated group '\(element.name)' is repeated")
            }
            return try convertList(node, context, optional: rep == .optional)
        }
        if isMap(element) {
            guard rep != .repeated else {
                throw ParquetError(.unsupported, "MAP-annotated group '\(element.name)' is repeated")
            }
            return try convertMap(node, context, optional: rep == .optional)
        }
        if rep == .repeated {
            // An unannotated repeated group: list<name: struct not null> not null.
            let listLevels = NodeLevels(
                validDefinition: context.definition, slotRepetition: context.repetition,
                slotDefinition: context.slotDefinition)
            let inner = repeatedContext(context)
            let structure = try makeStruct(node, inner, nullable: false)
            return FieldPlan(
                field: Field(element.name, .list(structure.field), nullable: false, id: fieldId(element)),
                kind: .list(structure, elementRepetition: inner.repetition, elementDefinition: inner.definition),
                levels: listLevels, leaves: structure.leaves)
        }
        if rep == .optional { context.definition += 1 }
        return try makeStruct(node, context, nullable: rep == .optional)
    }

    /// The context inside a repeated node.
    private func repeatedContext(_ context: Context) -> Context {
        var inner = context
        inner.definition += 1
        inner.repetition += 1
        inner.slotDefinition = inner.definition
        inner.repeatedDefinitions.append(inner.definition)
        return inner
    }

    /// A struct of the node's children; `context` already counts the node itself.
    private mutating func makeStruct(_ node: Node, _ context: Context, nullable: Bool) throws(ParquetError) -> FieldPlan {
        let element = elements[node.element]
        let first = leaves.count
        var children: [FieldPlan] = []
        children.reserveCapacity(node.children.count)
        for child in node.children {
            children.append(try convert(child, context))
        }
        return FieldPlan(
            field: Field(element.name, .structure(children.map(\.field)), nullable: nullable, id: fieldId(element)),
            kind: .structure(children),
            levels: NodeLevels(
                validDefinition: context.definition, slotRepetition: context.repetition,
                slotDefinition: context.slotDefinition),
            leaves: first..<leaves.count)
    }

    private mutating func convertList(_ node: Node, _ context: Context, optional: Bool) throws(ParquetError) -> FieldPlan {
        let group = elements[node.element]
        guard node.children.count == 1 else {
            throw ParquetError(.unsupported, "LIST-annotated group '\(group.name)' must have one child")
        }
        var outer = context
        if optional { outer.definition += 1 }
        let listLevels = NodeLevels(
            validDefinition: outer.definition, slotRepetition: outer.repetition,
            slotDefinition: outer.slotDefinition)
        let repeatedNode = node.children[0]
        let repeatedElement = elements[repeatedNode.element]
        guard try repetition(of: repeatedNode) == .repeated else {
            throw ParquetError(
                .unsupported, "LIST-annotated group '\(group.name)' has a child that is not repeated")
        }
        var inner = repeatedContext(outer)
        inner.path.append(repeatedElement.name)

        let element: FieldPlan
        if repeatedElement.isLeaf {
            // Two-level list of a primitive: list<name: T not null>.
            element = try makeLeaf(repeatedNode, inner, nullable: false)
        } else if repeatedNode.children.count > 1 {
            element = try makeStruct(repeatedNode, inner, nullable: false)
        } else if repeatedNode.children.count == 1 {
            let only = repeatedNode.children[0]
            if try repetition(of: only) == .repeated {
                // `repeated group array (LIST) { repeated T item; }`: the element is the
                // repeated child itself, read as a (one-level) list.
                guard isList(repeatedElement) else {
                    throw ParquetError(
                        .unsupported, "group '\(repeatedElement.name)' with one repeated child must be LIST-annotated")
                }
                element = try convert(only, inner)
            } else if repeatedElement.name == "array" || repeatedElement.name == group.name + "_tuple" {
                // Legacy: a one-field struct element.
                element = try makeStruct(repeatedNode, inner, nullable: false)
            } else {
                // The standard three-level list.
                element = try convert(only, inner)
            }
        } else {
            throw ParquetError(.unsupported, "list group '\(repeatedElement.name)' has no children")
        }
        return FieldPlan(
            field: Field(group.name, .list(element.field), nullable: optional, id: fieldId(group)),
            kind: .list(element, elementRepetition: inner.repetition, elementDefinition: inner.definition),
            levels: listLevels, leaves: element.leaves)
    }

    private mutating func convertMap(_ node: Node, _ context: Context, optional: Bool) throws(ParquetError) -> FieldPlan {
        let group = elements[node.element]
        guard node.children.count == 1 else {
            throw ParquetError(.unsupported, "MAP-annotated group '\(group.name)' must have one child")
        }
        let keyValueNode = node.children[0]
        let keyValue = elements[keyValueNode.element]
        guard try repetition(of: keyValueNode) == .repeated else {
            throw ParquetError(.unsupported, "the key-value child of map '\(group.name)' is not repeated")
        }
        guard !keyValue.isLeaf else {
            throw ParquetError(.unsupported, "the key-value child of map '\(group.name)' is not a group")
        }
        guard keyValueNode.children.count == 1 || keyValueNode.children.count == 2 else {
            throw ParquetError(
                .unsupported, "map '\(group.name)' has \(keyValueNode.children.count) key-value fields, expected 1 or 2")
        }
        guard try repetition(of: keyValueNode.children[0]) == .required else {
            throw ParquetError(.unsupported, "the keys of map '\(group.name)' are not required")
        }
        if keyValueNode.children.count == 1 {
            // A map without values (a set) reads as a list of its keys, as pyarrow does.
            return try convertList(node, context, optional: optional)
        }
        var outer = context
        if optional { outer.definition += 1 }
        let mapLevels = NodeLevels(
            validDefinition: outer.definition, slotRepetition: outer.repetition,
            slotDefinition: outer.slotDefinition)
        var inner = repeatedContext(outer)
        inner.path.append(keyValue.name)
        let key = try convert(keyValueNode.children[0], inner)
        let value = try convert(keyValueNode.children[1], inner)
        return FieldPlan(
            field: Field(group.name, .map(key: key.field, value: value.field), nullable: optional, id: fieldId(group)),
            kind: .map(key: key, value: value, elementRepetition: inner.repetition, elementDefinition: inner.definition),
            levels: mapLevels, leaves: key.leaves.lowerBound..<value.leaves.upperBound)
    }

    /// A leaf whose levels (including its own optional or repeated step) are in `context`.
    private mutating func makeLeaf(_ node: Node, _ context: Context, nullable: Bool) throws(ParquetError) -> FieldPlan {
        let element = elements[node.element]
        let path = context.path
        let dotted = path.joined(separator: ".")
        let resolved: (DataType, ValueConversion, StatisticsOrder)
        do {
            resolved = try LeafTypeResolver.resolve(element)
        } catch {
            throw error.with(column: dotted)
        }
        let index = leaves.count
        leaves.append(
            LeafDescriptor(
                index: index, path: path, dottedPath: dotted, physicalType: element.type ?? .int32,
                typeLength: element.type == .fixedLenByteArray ? Int(element.typeLength ?? 0) : 0,
                type: resolved.0, conversion: resolved.1,
                maxDefinitionLevel: context.definition, maxRepetitionLevel: context.repetition,
                repeatedDefinitionLevels: context.repeatedDefinitions, statisticsOrder: resolved.2))
        return FieldPlan(
            field: Field(element.name, resolved.0, nullable: nullable, id: fieldId(element)),
            kind: .leaf(index),
            levels: NodeLevels(
                validDefinition: context.definition, slotRepetition: context.repetition,
                slotDefinition: context.slotDefinition),
            leaves: index..<(index + 1))
    }
}

/// Maps a leaf's physical type and annotation to a Columnar type, as pyarrow does.
enum LeafTypeResolver {
    /// The annotation of a leaf, from its logical type or else its converted type.
    enum Annotation: Equatable {
        case none, string, enumeration, json, bson, interval, uuid, float16, null
        case decimal(precision: Int, scale: Int)
        case date
        case time(Columnar.TimeUnit)
        case timestamp(Columnar.TimeUnit, utc: Bool)
        case integer(bitWidth: Int, signed: Bool)
        case nested
    }

    static func annotation(of element: SchemaElement) throws(ParquetError) -> Annotation {
        if let logical = element.logicalType {
            switch logical {
            case .string: return .string
            case .enumType: return .enumeration
            case .json: return .json
            case .bson: return .bson
            case .uuid: return .uuid
            case .float16: return .float16
            case .unknown: return .null
            case .date: return .date
            case .decimal(let scale, let precision): return .decimal(precision: Int(precision), scale: Int(scale))
            case .time(_, let unit): return .time(columnarUnit(unit))
            case .timestamp(let utc, let unit): return .timestamp(columnarUnit(unit), utc: utc)
            case .integer(let bitWidth, let signed): return .integer(bitWidth: Int(bitWidth), signed: signed)
            case .map, .list: return .nested
            case .variant, .geometry, .geography, .vector, .other: return .none
            }
        }
        guard let converted = element.convertedType else { return .none }
        switch converted {
        case .utf8: return .string
        case .enumType: return .enumeration
        case .json: return .json
        case .bson: return .bson
        case .interval: return .interval
        case .date: return .date
        case .timeMillis: return .time(.millisecond)
        case .timeMicros: return .time(.microsecond)
        case .timestampMillis: return .timestamp(.millisecond, utc: true)
        case .timestampMicros: return .timestamp(.microsecond, utc: true)
        case .uint8: return .integer(bitWidth: 8, signed: false)
        case .uint16: return .integer(bitWidth: 16, signed: false)
        case .uint32: return .integer(bitWidth: 32, signed: false)
        case .uint64: return .integer(bitWidth: 64, signed: false)
        case .int8: return .integer(bitWidth: 8, signed: true)
        case .int16: return .integer(bitWidth: 16, signed: true)
        case .int32: return .integer(bitWidth: 32, signed: true)
        case .int64: return .integer(bitWidth: 64, signed: true)
        case .decimal:
            guard let precision = element.precision else {
                throw ParquetError(.corrupt, "DECIMAL without a precision")
            }
            return .decimal(precision: Int(precision), scale: Int(element.scale ?? 0))
        case .map, .mapKeyValue, .list: return .nested
        default: return .none
        }
    }

    private static func columnarUnit(_ unit: ParquetFormat.TimeUnit) -> Columnar.TimeUnit {
        switch unit {
        case .millis: return .millisecond
        case .micros: return .microsecond
        case .nanos: return .nanosecond
        }
    }

    /// Largest decimal precision that `bytes` bytes of two's complement hold.
    static func maxPrecision(bytes: Int) -> Int {
        guard bytes > 0 else { return 0 }
        // floor(log10(2^(8n-1) - 1)) without floating point drift for small n.
        let bits = Double(8 * bytes - 1)
        return Int((bits * 0.30102999566398119521).rounded(.down))
    }

    static func resolve(_ element: SchemaElement) throws(ParquetError) -> (DataType, ValueConversion, StatisticsOrder) {
        guard let physical = element.type else {
            throw ParquetError(.corrupt, "leaf without a physical type")
        }
        let annotation = try annotation(of: element)
        if annotation == .null { return (.null, .null, .none) }
        func notApplicable() -> ParquetError {
            ParquetError(.unsupported, "annotation \(annotation) does not apply to physical type \(physical)")
        }
        func decimal(_ precision: Int, _ scale: Int, limit: Int) throws(ParquetError) -> DataType {
            guard precision >= 1, scale >= 0, scale <= precision else {
                throw ParquetError(.corrupt, "invalid decimal precision \(precision) and scale \(scale)")
            }
            guard precision <= limit else {
                if precision > 38 {
                    throw ParquetError(.unsupported, "decimal precision \(precision) exceeds 38")
                }
                throw ParquetError(.corrupt, "decimal precision \(precision) does not fit physical type \(physical)")
            }
            return .decimal(precision: precision, scale: scale)
        }
        switch physical {
        case .boolean:
            guard annotation == .none else { throw notApplicable() }
            return (.boolean, .boolean, .signed)
        case .int32:
            switch annotation {
            case .none: return (.int32, .copy(width: 4), .signed)
            case .integer(let bits, let signed):
                switch (bits, signed) {
                case (8, true): return (.int8, .narrowInt32(width: 1), .signed)
                case (8, false): return (.uint8, .narrowInt32(width: 1), .unsigned)
                case (16, true): return (.int16, .narrowInt32(width: 2), .signed)
                case (16, false): return (.uint16, .narrowInt32(width: 2), .unsigned)
                case (32, true): return (.int32, .copy(width: 4), .signed)
                case (32, false): return (.uint32, .copy(width: 4), .unsigned)
                default: throw notApplicable()
                }
            case .date: return (.date, .copy(width: 4), .signed)
            case .time(let unit):
                guard unit == .millisecond else { throw notApplicable() }
                return (.time(.millisecond), .int32ToInt64, .signed)
            case .decimal(let p, let s):
                return (try decimal(p, s, limit: 9), .int32ToDecimal, .signed)
            default: throw notApplicable()
            }
        case .int64:
            switch annotation {
            case .none: return (.int64, .copy(width: 8), .signed)
            case .integer(let bits, let signed):
                guard bits == 64 else { throw notApplicable() }
                return signed ? (.int64, .copy(width: 8), .signed) : (.uint64, .copy(width: 8), .unsigned)
            case .timestamp(let unit, let utc): return (.timestamp(unit, utc: utc), .copy(width: 8), .signed)
            case .time(let unit):
                guard unit != .millisecond else { throw notApplicable() }
                return (.time(unit), .copy(width: 8), .signed)
            case .decimal(let p, let s):
                return (try decimal(p, s, limit: 18), .int64ToDecimal, .signed)
            default: throw notApplicable()
            }
        case .int96:
            return (.timestamp(.nanosecond, utc: false), .int96ToNanos, .none)
        case .float:
            return (.float32, .copy(width: 4), .signed)
        case .double:
            return (.float64, .copy(width: 8), .signed)
        case .byteArray:
            switch annotation {
            case .string, .json: return (.string, .byteArray, .bytes)
            case .none, .enumeration, .bson: return (.binary, .byteArray, .bytes)
            case .decimal(let p, let s): return (try decimal(p, s, limit: 38), .byteArrayDecimal, .decimalBytes)
            default: throw notApplicable()
            }
        case .fixedLenByteArray:
            guard let length = element.typeLength, length > 0 else {
                throw ParquetError(.corrupt, "FIXED_LEN_BYTE_ARRAY without a positive type_length")
            }
            let width = Int(length)
            switch annotation {
            case .none, .interval: return (.fixedSizeBinary(width), .copy(width: width), annotation == .none ? .bytes : .none)
            case .uuid:
                guard width == 16 else { return (.fixedSizeBinary(width), .copy(width: width), .bytes) }
                return (.uuid, .copy(width: 16), .bytes)
            case .float16:
                guard width == 2 else { throw notApplicable() }
                return (.float16, .copy(width: 2), .none)
            case .decimal(let p, let s):
                return (try decimal(p, s, limit: min(38, maxPrecision(bytes: width))), .fixedDecimal(width: width), .decimalBytes)
            default: throw notApplicable()
            }
        default:
            throw ParquetError(.corrupt, "invalid physical type \(physical.rawValue)")
        }
    }
}
