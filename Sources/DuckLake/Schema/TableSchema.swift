import Columnar
import Tables

/// One row of `ducklake_column`: a column or a nested child (list `element`, map `key` and
/// `value`, struct fields), identified by `id`, unique within its table.
struct ColumnRow: Sendable, Hashable {
    var id: Int64
    var order: Int64
    var name: String
    var type: String
    var parent: Int64?
    var nullsAllowed: Bool = true
    var initialDefault: String? = nil
    var defaultValue: String? = "NULL"
}

/// A table's columns as a Columnar schema whose field ids are the DuckLake column ids (the
/// Parquet writer stamps them as field_id, and readers match file columns by them).
enum TableSchema {
    static func schema(from rows: [ColumnRow], table: String) throws(TableError) -> Schema {
        var children: [Int64: [ColumnRow]] = [:]
        var top: [ColumnRow] = []
        for row in rows {
            if let parent = row.parent { children[parent, default: []].append(row) } else { top.append(row) }
        }
        func field(_ row: ColumnRow, depth: Int) throws(TableError) -> Field {
            guard depth < 64 else { throw TableError(.corrupt, "columns nest too deeply", subject: table) }
            let nested = (children[row.id] ?? []).sorted { $0.order < $1.order }
            var childFields: [Field] = []
            for child in nested { childFields.append(try field(child, depth: depth + 1)) }
            let type = try DuckLakeTypes.dataType(row.type, children: childFields, column: table + "." + row.name)
            return Field(row.name, type, nullable: row.nullsAllowed, id: Int32(truncatingIfNeeded: row.id))
        }
        var fields: [Field] = []
        for row in top.sorted(by: { $0.order < $1.order }) { fields.append(try field(row, depth: 0)) }
        return Schema(fields)
    }

    /// Column rows for new fields, ids assigned depth-first from `nextId` (DuckDB's order:
    /// a parent, then its children). Returns the fields with their ids set.
    static func assignIds(_ fields: [Field], parent: Int64?, nextId: inout Int64, rows: inout [ColumnRow])
        throws(TableError) -> [Field]
    {
        var result: [Field] = []
        for field in fields {
            result.append(try assignIds(field, name: field.name, parent: parent, nextId: &nextId, rows: &rows))
        }
        return result
    }

    private static func assignIds(_ field: Field, name: String, parent: Int64?, nextId: inout Int64, rows: inout [ColumnRow])
        throws(TableError) -> Field
    {
        let id = nextId
        nextId += 1
        let type = DuckLakeTypes.canonical(field.type)
        rows.append(ColumnRow(id: id, order: id, name: name, type: try DuckLakeTypes.name(of: type), parent: parent))
        let assigned: DataType
        switch type {
        case .list(let element):
            assigned = .list(try assignIds(element, name: "element", parent: id, nextId: &nextId, rows: &rows))
        case .map(let key, let value):
            let k = try assignIds(key, name: "key", parent: id, nextId: &nextId, rows: &rows)
            let v = try assignIds(value, name: "value", parent: id, nextId: &nextId, rows: &rows)
            assigned = .map(key: k, value: v)
        case .structure(let children):
            assigned = .structure(try assignIds(children, parent: id, nextId: &nextId, rows: &rows))
        default:
            assigned = type
        }
        return Field(name, assigned, nullable: true, id: Int32(truncatingIfNeeded: id))
    }

    /// Every field id in `schema`, nested ones included, with its field.
    static func fieldsById(_ schema: Schema) -> [Int64: Field] {
        var result: [Int64: Field] = [:]
        func visit(_ field: Field) {
            if let id = field.id { result[Int64(id)] = field }
            for child in field.type.children { visit(child) }
        }
        schema.fields.forEach(visit)
        return result
    }
}

/// The schema changes an append makes: columns it adds and columns it widens (int32 to
/// int64, float32 to float64), as DuckDB's ADD COLUMN and ALTER COLUMN TYPE would.
struct SchemaEvolution: Sendable, Hashable {
    var added: [ColumnRow] = []
    /// The new row of each widened column (same id, name, parent and order; wider type).
    var widened: [ColumnRow] = []

    var isEmpty: Bool { added.isEmpty && widened.isEmpty }

    mutating func merge(_ other: SchemaEvolution) {
        added += other.added
        for row in other.widened {
            widened.removeAll { $0.id == row.id }
            widened.append(row)
        }
    }

    /// Merges `incoming` (a batch's schema, matched by name) into `table` (with ids): new
    /// columns get ids after `maxColumnId`; a column of a narrower type stays as it is (its
    /// values are widened when written); a wider one widens the column; anything else is an
    /// error. Returns the merged schema and the changes.
    static func plan(table: Schema, incoming: Schema, maxColumnId: inout Int64, tableName: String)
        throws(TableError) -> (Schema, SchemaEvolution)
    {
        var evolution = SchemaEvolution()
        var fields = table.fields
        for field in incoming.fields {
            if let index = fields.firstIndex(where: { $0.name == field.name }) {
                fields[index] = try merge(
                    fields[index], field, path: field.name, parent: nil, maxColumnId: &maxColumnId, evolution: &evolution,
                    table: tableName)
            } else {
                var rows: [ColumnRow] = []
                var next = maxColumnId + 1
                fields += try TableSchema.assignIds([field], parent: nil, nextId: &next, rows: &rows)
                maxColumnId = next - 1
                evolution.added += rows
            }
        }
        return (Schema(fields, metadata: table.metadata), evolution)
    }

    private static func merge(
        _ current: Field, _ incoming: Field, path: String, parent: Int64?, maxColumnId: inout Int64,
        evolution: inout SchemaEvolution, table: String
    ) throws(TableError) -> Field {
        let incomingType = DuckLakeTypes.canonical(incoming.type)
        let id = Int64(current.id ?? 0)
        switch (current.type, incomingType) {
        case (.structure(let have), .structure(let get)):
            var children = have
            for child in get {
                if let index = children.firstIndex(where: { $0.name == child.name }) {
                    children[index] = try merge(
                        children[index], child, path: path + "." + child.name, parent: id, maxColumnId: &maxColumnId,
                        evolution: &evolution, table: table)
                } else {
                    var rows: [ColumnRow] = []
                    var next = maxColumnId + 1
                    children += try TableSchema.assignIds([child], parent: id, nextId: &next, rows: &rows)
                    maxColumnId = next - 1
                    evolution.added += rows
                }
            }
            return Field(current.name, .structure(children), nullable: current.nullable, id: current.id)
        case (.list(let have), .list(let get)):
            let element = try merge(
                have, get, path: path + ".element", parent: id, maxColumnId: &maxColumnId, evolution: &evolution, table: table)
            return Field(current.name, .list(element), nullable: current.nullable, id: current.id)
        case (.map(let haveKey, let haveValue), .map(let getKey, let getValue)):
            let key = try merge(
                haveKey, getKey, path: path + ".key", parent: id, maxColumnId: &maxColumnId, evolution: &evolution, table: table)
            let value = try merge(
                haveValue, getValue, path: path + ".value", parent: id, maxColumnId: &maxColumnId, evolution: &evolution,
                table: table)
            return Field(current.name, .map(key: key, value: value), nullable: current.nullable, id: current.id)
        default:
            if current.type == incomingType || DuckLakeTypes.assignable(incomingType, to: current.type) || incoming.type == .null {
                return current
            }
            if DuckLakeTypes.widens(current.type, to: incomingType) {
                let row = ColumnRow(
                    id: id, order: id, name: current.name, type: try DuckLakeTypes.name(of: incomingType), parent: parent)
                evolution.widened.removeAll { $0.id == id }
                evolution.widened.append(row)
                return Field(current.name, incomingType, nullable: current.nullable, id: current.id)
            }
            throw TableError(
                .invalidArgument, "column '\(path)' is \(current.type) in the table and \(incoming.type) in the data",
                subject: table)
        }
    }
}
