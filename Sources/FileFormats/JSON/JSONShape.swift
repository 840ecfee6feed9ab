import JSONFormat

/// What schema inference learned about one position of the documents (the root, a member
/// of an object, the elements of an array): the scalar kinds seen there, the members of the
/// objects seen there, the shape of the elements of the arrays seen there.
final class JSONShape {
    /// Kinds of the scalars seen (null for none, or only nulls).
    var scalar: ScalarKind = .null
    var sawScalar = false
    /// Members of the objects seen, in order of first appearance.
    var object: JSONObjectShape?
    /// Shape of the elements of the arrays seen.
    var element: JSONShape?
    /// Values of incompatible kinds were seen here (kept as JSON text when widening).
    var conflict = false

    /// Which of scalar / object / array this position holds, when only one.
    enum Kind { case unknown, scalar, object, array }

    var kind: Kind {
        if conflict { return .scalar }
        if object != nil { return .object }
        if element != nil { return .array }
        return sawScalar ? .scalar : .unknown
    }

    /// Notes the kind of a value seen here; with `widen` false the first kind seen stays and
    /// later conflicting values are left to be rejected when records are built.
    func observe(_ seen: Kind, widen: Bool) -> Bool {
        let current = kind
        if current == .unknown || current == seen || conflict { return true }
        if widen { conflict = true }
        return widen
    }

    func observeScalar(_ seen: ScalarKind, widen: Bool) {
        guard seen != .null else { return }
        guard observe(.scalar, widen: widen) else { return }
        if !sawScalar {
            scalar = seen
            sawScalar = true
        } else if let joined = scalar.joinedWithoutWidening(seen) {
            scalar = joined
        } else if widen {
            scalar = .string
        }
    }
}

/// The members of the objects seen at one position.
final class JSONObjectShape {
    private(set) var keys: [[UInt8]] = []
    private(set) var members: [JSONShape] = []
    private var index: [[UInt8]: Int] = [:]
    private var predicted = 0

    func member(_ key: UnsafeRawBufferPointer) -> JSONShape {
        // Documents usually repeat their keys in the same order: try the next one first.
        if predicted < keys.count, keys[predicted].elementsEqual(key) {
            defer { predicted += 1 }
            return members[predicted]
        }
        let owned = [UInt8](key)
        if let found = index[owned] {
            predicted = found + 1
            return members[found]
        }
        let shape = JSONShape()
        index[owned] = keys.count
        keys.append(owned)
        members.append(shape)
        predicted = keys.count
        return shape
    }

    func resetPrediction() { predicted = 0 }
}

/// A JSON visitor that folds every value of a record into the shapes at their positions.
struct JSONShapeInference: JSONVisitor {
    let root: JSONShape
    let widen: Bool
    /// The shape the next value lands in.
    private var target: JSONShape
    /// Non-nil while inside an array: the element shape is the target of every value.
    private var frames: [Frame] = []

    private enum Frame {
        case object(JSONObjectShape, owner: JSONShape)
        case array(JSONShape)
        case skipped
    }

    init(root: JSONShape, widen: Bool) {
        self.root = root
        self.widen = widen
        target = root
    }

    /// The values nested in a value whose kind conflicts (and is not widened) are not
    /// looked at: they are counted here until the value ends.
    private var skipDepth = 0

    private mutating func valueDone() {
        if case .array(let element)? = frames.last { target = element }
    }

    mutating func beginObject() throws {
        if skipDepth > 0 || !target.observe(.object, widen: widen) || target.conflict {
            skipDepth += 1
            return
        }
        if target.object == nil { target.object = JSONObjectShape() }
        target.object!.resetPrediction()
        frames.append(.object(target.object!, owner: target))
    }

    mutating func key(_ utf8: UnsafeRawBufferPointer) throws {
        guard skipDepth == 0, case .object(let object, _)? = frames.last else { return }
        target = object.member(utf8)
    }

    mutating func endObject() throws {
        if skipDepth > 0 {
            skipDepth -= 1
            if skipDepth == 0 { valueDone() }
            return
        }
        frames.removeLast()
        valueDone()
    }

    mutating func beginArray() throws {
        if skipDepth > 0 || !target.observe(.array, widen: widen) || target.conflict {
            skipDepth += 1
            return
        }
        if target.element == nil { target.element = JSONShape() }
        frames.append(.array(target.element!))
        target = target.element!
    }

    mutating func endArray() throws {
        if skipDepth > 0 {
            skipDepth -= 1
            if skipDepth == 0 { valueDone() }
            return
        }
        frames.removeLast()
        valueDone()
    }

    private mutating func scalar(_ kind: ScalarKind) {
        if skipDepth == 0 {
            target.observeScalar(kind, widen: widen)
            valueDone()
        }
    }

    mutating func string(_ utf8: UnsafeRawBufferPointer) throws {
        scalar(ScalarText.kind(of: utf8, numbers: false))
    }

    mutating func number(_ text: UnsafeRawBufferPointer, kind: JSONNumberKind) throws {
        // Integers beyond 64 bits are read as doubles.
        scalar(kind == .integer && ScalarText.parseInt64(text) != nil ? .integer : .double)
    }

    mutating func bool(_ value: Bool) throws { scalar(.boolean) }

    mutating func null() throws {
        if skipDepth == 0 { valueDone() }
    }
}
