import ThriftCompact

/// The unit of a TIME or TIMESTAMP logical type (parquet.thrift union `TimeUnit`).
public enum TimeUnit: Sendable, Hashable {
    case millis
    case micros
    case nanos

    var fieldId: Int16 {
        switch self {
        case .millis: 1
        case .micros: 2
        case .nanos: 3
        }
    }

    /// Reads the union; nil when its member is one this version does not know.
    static func read(from reader: inout ThriftCompactReader) throws -> TimeUnit? {
        try reader.beginStruct()
        var unit: TimeUnit?
        var seen = false
        while let field = try reader.readFieldHeader() {
            if !seen && field.type == .struct {
                seen = true
                switch field.id {
                case 1: unit = .millis
                case 2: unit = .micros
                case 3: unit = .nanos
                default: break
                }
            }
            try reader.skip(type: field.type)
        }
        reader.endStruct()
        return unit
    }

    func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeEmptyStructField(id: fieldId)
        writer.endStruct()
    }
}

/// The logical type of a schema node (parquet.thrift union `LogicalType`).
///
/// A union member this version does not know decodes as `.other(fieldId:)` and is written
/// back as an empty struct with that id (its content, if any, is not kept). So is a TIME or
/// TIMESTAMP whose unit is not one of millis, micros, nanos.
public enum LogicalType: Sendable, Hashable {
    case string
    case map
    case list
    case enumType
    case decimal(scale: Int32, precision: Int32)
    case date
    case time(isAdjustedToUTC: Bool, unit: TimeUnit)
    case timestamp(isAdjustedToUTC: Bool, unit: TimeUnit)
    case integer(bitWidth: Int8, isSigned: Bool)
    /// The NULL type (field 11, `NullType`): a column whose values are all null.
    case unknown
    case json
    case bson
    case uuid
    case float16
    case variant(specificationVersion: Int8?)
    case geometry(crs: String?)
    case geography(crs: String?, algorithm: EdgeInterpolationAlgorithm?)
    case vector
    /// A member this version does not know.
    case other(fieldId: Int16)

    /// The union's field id.
    public var fieldId: Int16 {
        switch self {
        case .string: 1
        case .map: 2
        case .list: 3
        case .enumType: 4
        case .decimal: 5
        case .date: 6
        case .time: 7
        case .timestamp: 8
        case .integer: 10
        case .unknown: 11
        case .json: 12
        case .bson: 13
        case .uuid: 14
        case .float16: 15
        case .variant: 16
        case .geometry: 17
        case .geography: 18
        case .vector: 19
        case .other(let id): id
        }
    }
}

extension LogicalType: ThriftMetadata {
    /// Decodes the union. A union with no member (which writers must not produce) throws;
    /// `SchemaElement` treats it as an absent logical type instead.
    public static func read(from reader: inout ThriftCompactReader) throws -> LogicalType {
        let start = reader.position
        guard let value = try readIfPresent(from: &reader) else {
            throw ParquetFormatError(.corrupt, "LogicalType union has no member", offset: start)
        }
        return value
    }

    /// Decodes the union; nil when it has no member.
    static func readIfPresent(from reader: inout ThriftCompactReader) throws -> LogicalType? {
        try reader.beginStruct()
        var result: LogicalType?
        while let field = try reader.readFieldHeader() {
            // The first member wins; any further ones are skipped.
            guard result == nil else {
                try reader.skip(type: field.type)
                continue
            }
            guard field.type == .struct else {
                try reader.skip(type: field.type)
                result = .other(fieldId: field.id)
                continue
            }
            result = try readMember(id: field.id, from: &reader)
        }
        reader.endStruct()
        return result
    }

    private static func readMember(id: Int16, from reader: inout ThriftCompactReader) throws
        -> LogicalType
    {
        let start = reader.position
        switch id {
        case 5:
            var scale: Int32?
            var precision: Int32?
            try reader.beginStruct()
            while let field = try reader.readFieldHeader() {
                switch (field.id, field.type) {
                case (1, .i32): scale = try reader.readI32()
                case (2, .i32): precision = try reader.readI32()
                default: try reader.skip(type: field.type)
                }
            }
            reader.endStruct()
            return .decimal(
                scale: try required(scale, "scale (1)", of: "DecimalType", at: start),
                precision: try required(precision, "precision (2)", of: "DecimalType", at: start))
        case 7, 8:
            let name = id == 7 ? "TimeType" : "TimestampType"
            var utc: Bool?
            var unit: TimeUnit??
            try reader.beginStruct()
            while let field = try reader.readFieldHeader() {
                switch (field.id, field.type) {
                case (1, let type) where type.isBool: utc = try reader.readBool(fieldType: type)
                case (2, .struct): unit = .some(try TimeUnit.read(from: &reader))
                default: try reader.skip(type: field.type)
                }
            }
            reader.endStruct()
            let isAdjustedToUTC = try required(utc, "isAdjustedToUTC (1)", of: name, at: start)
            guard let knownUnit = try required(unit, "unit (2)", of: name, at: start) else {
                return .other(fieldId: id)
            }
            return id == 7
                ? .time(isAdjustedToUTC: isAdjustedToUTC, unit: knownUnit)
                : .timestamp(isAdjustedToUTC: isAdjustedToUTC, unit: knownUnit)
        case 10:
            var bitWidth: Int8?
            var signed: Bool?
            try reader.beginStruct()
            while let field = try reader.readFieldHeader() {
                switch (field.id, field.type) {
                case (1, .i8): bitWidth = try reader.readI8()
                case (2, let type) where type.isBool: signed = try reader.readBool(fieldType: type)
                default: try reader.skip(type: field.type)
                }
            }
            reader.endStruct()
            return .integer(
                bitWidth: try required(bitWidth, "bitWidth (1)", of: "IntType", at: start),
                isSigned: try required(signed, "isSigned (2)", of: "IntType", at: start))
        case 16:
            var version: Int8?
            try reader.beginStruct()
            while let field = try reader.readFieldHeader() {
                switch (field.id, field.type) {
                case (1, .i8): version = try reader.readI8()
                default: try reader.skip(type: field.type)
                }
            }
            reader.endStruct()
            return .variant(specificationVersion: version)
        case 17, 18:
            var crs: String?
            var algorithm: EdgeInterpolationAlgorithm?
            try reader.beginStruct()
            while let field = try reader.readFieldHeader() {
                switch (field.id, field.type) {
                case (1, .binary): crs = try reader.readString()
                case (2, .i32) where id == 18:
                    algorithm = EdgeInterpolationAlgorithm(rawValue: try reader.readI32())
                default: try reader.skip(type: field.type)
                }
            }
            reader.endStruct()
            return id == 17 ? .geometry(crs: crs) : .geography(crs: crs, algorithm: algorithm)
        default:
            // Members that are empty structs, and members this version does not know:
            // skip whatever they hold.
            try reader.skip(type: .struct)
            switch id {
            case 1: return .string
            case 2: return .map
            case 3: return .list
            case 4: return .enumType
            case 6: return .date
            case 11: return .unknown
            case 12: return .json
            case 13: return .bson
            case 14: return .uuid
            case 15: return .float16
            case 19: return .vector
            default: return .other(fieldId: id)
            }
        }
    }

    public func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writer.writeFieldHeader(id: fieldId, type: .struct)
        writer.beginStruct()
        switch self {
        case .decimal(let scale, let precision):
            writer.writeField(id: 1, i32: scale)
            writer.writeField(id: 2, i32: precision)
        case .time(let utc, let unit), .timestamp(let utc, let unit):
            writer.writeField(id: 1, bool: utc)
            writer.writeFieldHeader(id: 2, type: .struct)
            unit.write(to: &writer)
        case .integer(let bitWidth, let isSigned):
            writer.writeField(id: 1, i8: bitWidth)
            writer.writeField(id: 2, bool: isSigned)
        case .variant(let version):
            if let version { writer.writeField(id: 1, i8: version) }
        case .geometry(let crs):
            if let crs { writer.writeField(id: 1, string: crs) }
        case .geography(let crs, let algorithm):
            if let crs { writer.writeField(id: 1, string: crs) }
            if let algorithm { writer.writeField(id: 2, i32: algorithm.rawValue) }
        case .string, .map, .list, .enumType, .date, .unknown, .json, .bson, .uuid, .float16,
            .vector, .other:
            break
        }
        writer.endStruct()
        writer.endStruct()
    }
}
