import Tables
import Transforms

extension LakegateConfiguration {
    /// Checks what no single value can: prefixes that overlap, zones that coincide, retry
    /// bounds, credentials given by halves. Pure; the loader runs it, and code that builds a
    /// configuration by hand should too.
    public func validate() throws(ConfigurationError) {
        let zoneList = [("landing", zones.landing), ("trusted", zones.trusted), ("quarantine", zones.quarantine)]
        for (i, (name, zone)) in zoneList.enumerated() {
            for (otherName, other) in zoneList[..<i] where Self.overlap(zone, other) {
                throw ConfigurationError(
                    .conflict, "the \(name) zone overlaps the \(otherName) zone; each needs its own place", keyPath: "zones.\(name)")
            }
        }
        if (s3.accessKeyID == nil) != (s3.secretAccessKey == nil) {
            throw ConfigurationError(
                .conflict, "access_key_id and secret_access_key go together (in the file or as AWS_* variables)",
                keyPath: s3.accessKeyID == nil ? "s3.access_key_id" : "s3.secret_access_key")
        }
        if s3.sessionToken != nil, s3.accessKeyID == nil {
            throw ConfigurationError(.conflict, "a session token needs access_key_id and secret_access_key", keyPath: "s3.session_token")
        }
        for (path, backoff) in [("scanner.retry", scanner.retry), ("queue.backoff", queue.backoff)] where backoff.initial > backoff.maximum {
            throw ConfigurationError(.conflict, "initial is longer than max", keyPath: path + ".initial")
        }
        if Int64(scanner.chunkSize) > scanner.maxFileSize {
            throw ConfigurationError(.conflict, "chunk_size is larger than max_file_size", keyPath: "scanner.chunk_size")
        }
        if queue.deadLetterStream == queue.stream {
            throw ConfigurationError(.conflict, "the dead-letter stream must differ from the stream", keyPath: "queue.dead_letter_stream")
        }
        var names = Set<String>()
        for (index, client) in clients.enumerated() {
            let path = "clients.\(client.name)"
            guard names.insert(client.name).inserted else {
                throw ConfigurationError(.conflict, "a second client with this name", keyPath: path)
            }
            guard client.prefix.hasSuffix("/"), !client.prefix.hasPrefix("/") else {
                throw ConfigurationError(.invalidValue, "a prefix ends with '/' and does not start with one", keyPath: path + ".prefix")
            }
            for other in clients[..<index] where client.prefix.hasPrefix(other.prefix) || other.prefix.hasPrefix(client.prefix) {
                throw ConfigurationError(
                    .conflict, "prefix '\(client.prefix)' overlaps client \(other.name)'s prefix '\(other.prefix)'",
                    keyPath: path + ".prefix")
            }
            for (ruleIndex, rule) in client.tables.enumerated() {
                for (fieldIndex, field) in rule.partition.enumerated() {
                    do {
                        _ = try CalendarTransform.parse(field)
                    } catch {
                        throw ConfigurationError(
                            .invalidValue, error.reason, keyPath: "\(path).tables[\(ruleIndex)].partition[\(fieldIndex)]")
                    }
                }
            }
        }
    }

    /// Whether two zones share a place: the same bucket with nested prefixes, or nested folders.
    static func overlap(_ a: ZoneLocation, _ b: ZoneLocation) -> Bool {
        switch (a, b) {
        case (.folder(let x), .folder(let y)):
            let (p, q) = (x.hasSuffix("/") ? x : x + "/", y.hasSuffix("/") ? y : y + "/")
            return p.hasPrefix(q) || q.hasPrefix(p)
        case (.s3(let bucketA, let prefixA), .s3(let bucketB, let prefixB)):
            return bucketA == bucketB && (prefixA.hasPrefix(prefixB) || prefixB.hasPrefix(prefixA))
        default:
            return false
        }
    }
}
