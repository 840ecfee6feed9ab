import LakegateCore
import Yams

/// Counts the nodes a document expands to: aliases can make a small file describe a huge tree
/// (a "billion laughs"), and this stops the walk long before that costs anything.
final class NodeBudget {
    var remaining: Int
    init(_ limit: Int) { remaining = limit }
}

/// A node of the document with its key path, read into the shapes a configuration has. Every
/// error names the key path and the node's line.
struct YAMLNode {
    let node: Node
    let path: KeyPath
    let budget: NodeBudget

    init(_ node: Node, path: KeyPath, budget: NodeBudget) throws(ConfigurationError) {
        budget.remaining -= 1
        guard budget.remaining >= 0 else {
            throw ConfigurationError(
                .limitExceeded, "the document expands to too many values (aliases?)", keyPath: path.description,
                line: node.mark?.line)
        }
        self.node = node
        self.path = path
        self.budget = budget
    }

    var line: Int? { node.mark?.line }

    /// `~`, `null`, or nothing: the key takes its default.
    var isNull: Bool {
        guard case .scalar = node else { return false }
        return node.null != nil
    }

    func error(_ code: ConfigurationError.Code, _ message: String) -> ConfigurationError {
        ConfigurationError(code, message, keyPath: path.description, line: line)
    }

    private var kind: String {
        switch node {
        case .scalar: return "a value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The entries of a mapping, refusing keys outside `allowed` (nil: any key).
    func mapping(allowed: [String]?) throws(ConfigurationError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error(.invalidValue, "expected a mapping, found \(kind)") }
        var entries: [YAMLMapping.Entry] = []
        var seen = Set<String>()
        var merged: [(Node, Node)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw ConfigurationError(
                    .invalidValue, "a key must be a plain value, not \(kind)", keyPath: path.description,
                    line: keyNode.mark?.line)
            }
            let key = scalar.string
            if key == "<<", keyNode.tag.rawValue == Tag.Name.merge.rawValue {
                // YAML merge keys: `<<: *defaults` adds the entries this mapping does not set.
                switch valueNode {
                case .mapping(let other): merged += other.map { ($0.key, $0.value) }
                case .sequence(let others):
                    for case .mapping(let other) in others { merged += other.map { ($0.key, $0.value) } }
                default: throw error(.invalidValue, "'<<' merges a mapping or a list of mappings")
                }
                continue
            }
            try add(key, keyNode, valueNode, to: &entries, seen: &seen, allowed: allowed)
        }
        for (keyNode, valueNode) in merged {
            guard case .scalar(let scalar) = keyNode, !seen.contains(scalar.string) else { continue }
            try add(scalar.string, keyNode, valueNode, to: &entries, seen: &seen, allowed: allowed)
        }
        return YAMLMapping(entries: entries, node: self)
    }

    private func add(
        _ key: String, _ keyNode: Node, _ valueNode: Node, to entries: inout [YAMLMapping.Entry], seen: inout Set<String>,
        allowed: [String]?
    ) throws(ConfigurationError) {
        let childPath = path.appending(key)
        if let allowed, !allowed.contains(key) {
            var message = "unknown key '\(key)'"
            if let hint = Spelling.closest(to: key, among: allowed, maxLengthDifference: 3) { message += " (did you mean '\(hint)'?)" }
            message += "; known keys: " + allowed.joined(separator: ", ")
            throw ConfigurationError(.unknownKey, message, keyPath: childPath.description, line: keyNode.mark?.line)
        }
        seen.insert(key)
        entries.append(YAMLMapping.Entry(key: key, value: try YAMLNode(valueNode, path: childPath, budget: budget)))
    }

    func sequence() throws(ConfigurationError) -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw error(.invalidValue, "expected a list, found \(kind)") }
        var items: [YAMLNode] = []
        for (index, item) in sequence.enumerated() { items.append(try YAMLNode(item, path: path.appending(index), budget: budget)) }
        return items
    }

    /// The scalar's text (numbers and booleans as written).
    func string() throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else { throw error(.invalidValue, "expected a single value, found \(kind)") }
        guard scalar.string.utf8.count <= 65_536 else { throw error(.limitExceeded, "value longer than 64 KiB") }
        return scalar.string
    }

    func nonEmptyString() throws(ConfigurationError) -> String {
        let text = try string()
        guard !text.trimmingSpaces.isEmpty else { throw error(.invalidValue, "expected a value, found an empty string") }
        return text
    }

    func integer(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try string()
        guard let value = Int(text.trimmingSpaces), range.contains(value) else {
            throw error(.invalidValue, "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func duration(in range: ClosedRange<Duration> = .milliseconds(1) ... .seconds(365 * 86_400)) throws(ConfigurationError) -> Duration {
        let text = try string()
        guard let duration = DurationText.parse(text) else {
            throw error(.invalidValue, "'\(text)' is not a duration (a whole number and ms, s, m, h or d: 250ms, 30s, 5m, 1h, 1d)")
        }
        guard range.contains(duration) else {
            throw error(.invalidValue, "\(text) is outside \(DurationText.format(range.lowerBound)) to \(DurationText.format(range.upperBound))")
        }
        return duration
    }

    func size(in range: ClosedRange<Int64>) throws(ConfigurationError) -> Int64 {
        let text = try string()
        guard let bytes = SizeText.parse(text) else {
            throw error(.invalidValue, "'\(text)' is not a size (bytes, or a number and KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024))")
        }
        guard range.contains(bytes) else {
            throw error(.invalidValue, "\(text) is outside \(SizeText.format(range.lowerBound)) to \(SizeText.format(range.upperBound))")
        }
        return bytes
    }

    /// A list of values, or one value standing for a list of one.
    func stringList() throws(ConfigurationError) -> [String] {
        if case .scalar = node { return [try nonEmptyString()] }
        var values: [String] = []
        for item in try sequence() { values.append(try item.nonEmptyString()) }
        return values
    }
}

struct YAMLMapping {
    struct Entry {
        let key: String
        let value: YAMLNode
    }

    let entries: [Entry]
    let node: YAMLNode

    /// The value of `key`, nil when absent or null (null means "the default").
    subscript(key: String) -> YAMLNode? {
        guard let entry = entries.first(where: { $0.key == key }), !entry.value.isNull else { return nil }
        return entry.value
    }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }
}
