import Columnar

/// Turns the shapes inference found into columns.
enum JSONPlanner {
    /// Columns for records whose shape is `root`: the members of objects (flattened into
    /// `parent<separator>child` names, or kept as structs), or one `value` column when the
    /// records are not objects. Names that collide get `_2`, `_3`, … in order.
    static func columns(root: JSONShape, flatten: Bool, separator: String, valueName: String = "value") -> [JSONColumn] {
        guard root.kind == .object, let object = root.object, !object.keys.isEmpty else {
            return [JSONColumn(name: valueName, path: [], type: type(of: root))]
        }
        var columns: [JSONColumn] = []
        var used: Set<String> = []
        func add(_ name: String, _ path: [[UInt8]], _ shape: JSONShape) {
            if flatten, shape.kind == .object, let inner = shape.object, !inner.keys.isEmpty {
                for (key, member) in zip(inner.keys, inner.members) {
                    add(name + separator + String(decoding: key, as: UTF8.self), path + [key], member)
                }
                return
            }
            var unique = name
            var suffix = 2
            while used.contains(unique) {
                unique = "\(name)_\(suffix)"
                suffix += 1
            }
            used.insert(unique)
            columns.append(JSONColumn(name: unique, path: path, type: type(of: shape)))
        }
        for (key, member) in zip(object.keys, object.members) {
            add(String(decoding: key, as: UTF8.self), [key], member)
        }
        return columns
    }

    /// The column type for values of `shape`: conflicts and positions that only held nulls
    /// are strings; objects inside lists (and all objects when not flattening) are structs;
    /// objects that were always empty are strings holding `{}`.
    static func type(of shape: JSONShape) -> DataType {
        switch shape.kind {
        case .unknown: return .string
        case .scalar: return shape.conflict ? .string : shape.scalar.dataType
        case .array: return .list(Field("element", type(of: shape.element!)))
        case .object:
            let object = shape.object!
            guard !object.keys.isEmpty else { return .string }
            return .structure(
                zip(object.keys, object.members).map { Field(String(decoding: $0, as: UTF8.self), type(of: $1)) })
        }
    }
}
