/// The one error type of the configuration module: what is wrong, at which key, and on which
/// line of the file when the YAML parser knows it. Messages never repeat a secret (passwords
/// in URLs, S3 keys): for those keys they say what is wrong without quoting the value.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The file is not YAML, or not the shape a configuration has.
        case syntax
        /// A key this version does not know (a typo must not pass silently).
        case unknownKey
        /// A key that must be given is missing.
        case missingKey
        /// A value of the wrong type or format (a duration, a size, an address, a glob, …).
        case invalidValue
        /// A transform whose expression does not parse (or a step that cannot be built).
        case invalidTransform
        /// Values that contradict each other (clients whose prefixes overlap, …).
        case conflict
        /// The file could not be read.
        case io
        /// The file or its structure is larger than a configuration can be.
        case limitExceeded
    }

    public var code: Code
    public var message: String
    /// Where in the document: `clients.acme.tables[0].transforms[1].derive.metric` (empty for the root).
    public var keyPath: String
    /// 1-based line in the YAML text, when known.
    public var line: Int?
    /// The configuration file, when loaded from one.
    public var file: String?

    public init(_ code: Code, _ message: String, keyPath: String = "", line: Int? = nil, file: String? = nil) {
        self.code = code
        self.message = message
        self.keyPath = keyPath
        self.line = line
        self.file = file
    }

    /// Reading the same file again fails the same way.
    public var isRetryable: Bool { false }

    /// `lakegate.yaml:14: clients.acme.tables[0].match: …`
    public var description: String {
        var text = ""
        switch (file, line) {
        case (let file?, let line?): text += "\(file):\(line): "
        case (let file?, nil): text += "\(file): "
        case (nil, let line?): text += "line \(line): "
        case (nil, nil): break
        }
        if !keyPath.isEmpty { text += "\(keyPath): " }
        return text + message
    }
}

/// A place in the document, rendered as `clients.acme.tables[0].match`.
struct KeyPath: Sendable, Hashable, CustomStringConvertible {
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    func appending(_ key: String) -> KeyPath { KeyPath(components: components + [.key(key)]) }
    func appending(_ index: Int) -> KeyPath { KeyPath(components: components + [.index(index)]) }

    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
