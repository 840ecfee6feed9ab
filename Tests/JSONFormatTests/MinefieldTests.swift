import Foundation
import Testing

@testable import JSONFormat

/// JSONTestSuite's parsing corpus: every `y_` file parses, every `n_` file is rejected with a
/// `JSONError`, and every `i_` file (where RFC 8259 lets parsers choose) has its outcome
/// written down in `implementationDefined`. A file with another prefix, or an `i_` file missing
/// from the table, fails the suite.
@Suite struct MinefieldTests {
    static let directory = conformanceDirectory + "/minefield"

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    enum Outcome: Equatable, CustomStringConvertible {
        case accepted
        case rejected(JSONError.Code)
        var description: String {
            switch self {
            case .accepted: "accepted"
            case .rejected(let code): "rejected(\(code))"
            }
        }
    }

    /// What we do with each `i_` file: (the parser alone on the file's bytes, the framer in the
    /// `.singleValue` layout followed by the parser). They differ only where the framer skips a
    /// byte order mark at the start of the input.
    static let implementationDefined: [String: (parser: Outcome, pipeline: Outcome)] = [
        // Numbers of any size are valid grammar; they are passed on as text.
        "i_number_double_huge_neg_exp.json": (.accepted, .accepted),
        "i_number_huge_exp.json": (.accepted, .accepted),
        "i_number_neg_int_huge_exp.json": (.accepted, .accepted),
        "i_number_pos_double_huge_exp.json": (.accepted, .accepted),
        "i_number_real_neg_overflow.json": (.accepted, .accepted),
        "i_number_real_pos_overflow.json": (.accepted, .accepted),
        "i_number_real_underflow.json": (.accepted, .accepted),
        "i_number_too_big_neg_int.json": (.accepted, .accepted),
        "i_number_too_big_pos_int.json": (.accepted, .accepted),
        "i_number_very_big_negative_int.json": (.accepted, .accepted),
        // Lone or mismatched UTF-16 surrogate escapes have no UTF-8 form: rejected.
        "i_object_key_lone_2nd_surrogate.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        "i_string_1st_surrogate_but_2nd_missing.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        "i_string_1st_valid_surrogate_2nd_invalid.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        "i_string_incomplete_surrogate_and_escape_valid.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        "i_string_incomplete_surrogate_pair.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        "i_string_incomplete_surrogates_escape_valid.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        "i_string_invalid_lonely_surrogate.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        "i_string_invalid_surrogate.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        "i_string_inverted_surrogates_U+1D11E.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        "i_string_lone_second_surrogate.json": (.rejected(.invalidEscape), .rejected(.invalidEscape)),
        // Bytes that are not UTF-8 in a string: rejected.
        "i_string_UTF-8_invalid_sequence.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        "i_string_UTF8_surrogate_U+D800.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        "i_string_invalid_utf-8.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        "i_string_iso_latin_1.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        "i_string_lone_utf8_continuation_byte.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        "i_string_not_in_unicode_range.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        "i_string_overlong_sequence_2_bytes.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        "i_string_overlong_sequence_6_bytes.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        "i_string_overlong_sequence_6_bytes_null.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        "i_string_truncated-utf-8.json": (.rejected(.invalidUTF8), .rejected(.invalidUTF8)),
        // UTF-16 input is not UTF-8 JSON: rejected at its first byte.
        "i_string_UTF-16LE_with_BOM.json": (.rejected(.syntax), .rejected(.syntax)),
        "i_string_utf16BE_no_BOM.json": (.rejected(.syntax), .rejected(.syntax)),
        "i_string_utf16LE_no_BOM.json": (.rejected(.syntax), .rejected(.syntax)),
        // Deeper than the default maxDepth of 256 (accepted with a higher limit, see below).
        "i_structure_500_nested_arrays.json": (.rejected(.depthExceeded), .rejected(.depthExceeded)),
        // The framer skips a byte order mark at the start of the input; the parser does not.
        "i_structure_UTF-8_BOM_empty_object.json": (.rejected(.syntax), .accepted),
    ]

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    /// The parser alone on `bytes`.
    static func parserOutcome(_ bytes: [UInt8], limits: JSONLimits = .init()) -> Outcome {
        if let error = parseError(bytes, limits: limits) { return .rejected(error.code) }
        return .accepted
    }

    /// The framer (`.singleValue`) then the parser on each record.
    static func pipelineOutcome(_ bytes: [UInt8], limits: JSONLimits = .init()) -> Outcome {
        let (records, error) = frame(bytes, layout: .singleValue, limits: limits)
        if let error { return .rejected(error.code) }
        var parser = JSONParser(limits: limits)
        for record in records {
            var recorder = Recorder()
            do {
                try Array(record.text.utf8).withUnsafeBytes { try parser.parse($0, into: &recorder) }
            } catch let error as JSONError {
                return .rejected(error.code)
            } catch {
                return .rejected(.syntax)
            }
        }
        // The framer passes records as bytes; re-check the exact bytes too (text above went
        // through String, which would repair invalid UTF-8).
        var exact = JSONRecordFramer(layout: .singleValue, limits: limits)
        do {
            bytes.withUnsafeBytes { exact.append($0) }
            try exact.finish()
            while let record = try exact.nextRecord() {
                var recorder = Recorder()
                try parser.parse(record.bytes, baseOffset: record.offset, baseLine: record.line,
                                 baseColumn: record.column, into: &recorder)
            }
        } catch let error as JSONError {
            return .rejected(error.code)
        } catch {
            return .rejected(.syntax)
        }
        return records.count == 1 ? .accepted : .rejected(.truncated)
    }

    @Test func corpusIsThere() {
        #expect(Self.files.count > 200, "minefield not found at \(Self.directory)")
    }

    @Test func everyFileHasAVerdictPrefix() {
        for name in Self.files {
            #expect(
                name.hasPrefix("y_") || name.hasPrefix("n_") || name.hasPrefix("i_"),
                "\(name) has no y_/n_/i_ verdict prefix")
        }
    }

    @Test func acceptedFiles() throws {
        for name in Self.files where name.hasPrefix("y_") {
            let bytes = try Self.bytes(name)
            if let error = parseError(bytes) { Issue.record("\(name): \(error)") }
            #expect(Self.pipelineOutcome(bytes) == .accepted, "\(name) through the framer")
        }
    }

    @Test func rejectedFiles() throws {
        for name in Self.files where name.hasPrefix("n_") {
            let bytes = try Self.bytes(name)
            let error = parseError(bytes)
            #expect(error != nil, "\(name) was accepted")
            if let error {
                #expect(error.line >= 1 && error.column >= 1 && error.offset >= 0 && error.offset <= bytes.count, "\(name): \(error)")
            }
            #expect(Self.pipelineOutcome(bytes) != .accepted, "\(name) accepted through the framer")
        }
    }

    @Test func implementationDefinedFiles() throws {
        let names = Self.files.filter { $0.hasPrefix("i_") }
        for name in names {
            guard let expected = Self.implementationDefined[name] else {
                Issue.record("\(name) has no entry in MinefieldTests.implementationDefined")
                continue
            }
            let bytes = try Self.bytes(name)
            #expect(Self.parserOutcome(bytes) == expected.parser, "\(name) (parser)")
            #expect(Self.pipelineOutcome(bytes) == expected.pipeline, "\(name) (framer + parser)")
        }
        for name in Self.implementationDefined.keys where !names.contains(name) {
            Issue.record("\(name) is in the table but not in the corpus")
        }
    }

    @Test func fiveHundredNestedArraysWithAHigherLimit() throws {
        let bytes = try Self.bytes("i_structure_500_nested_arrays.json")
        let limits = JSONLimits(maxDepth: 500)
        #expect(Self.parserOutcome(bytes, limits: limits) == .accepted)
        #expect(Self.pipelineOutcome(bytes, limits: limits) == .accepted)
        #expect(Self.parserOutcome(bytes, limits: JSONLimits(maxDepth: 499)) == .rejected(.depthExceeded))
    }

    /// Hand-picked rejections with the location and code they must report.
    static let locatedRejections: [(name: String, code: JSONError.Code, line: Int, column: Int)] = [
        ("n_array_1_true_without_comma.json", .syntax, 1, 4),  // [1 true]
        ("n_object_missing_semicolon.json", .syntax, 1, 6),  // {"a" "b"}
        ("n_number_-01.json", .invalidNumber, 1, 4),  // [-01]
        ("n_string_escape_x.json", .invalidEscape, 1, 3),  // ["\x00"]
        ("n_structure_100000_opening_arrays.json", .depthExceeded, 1, 257),
        ("n_array_unclosed.json", .truncated, 1, 4),  // [""
        ("n_object_trailing_comma.json", .syntax, 1, 9),  // {"id":0,}
        ("n_structure_U+2060_word_joined.json", .syntax, 1, 2),
        ("n_string_unescaped_newline.json", .syntax, 1, 6),
    ]

    @Test func locationsOfSomeRejections() throws {
        for (name, code, line, column) in Self.locatedRejections {
            let error = parseError(try Self.bytes(name))
            #expect(error?.code == code, "\(name): \(String(describing: error))")
            #expect(error?.line == line && error?.column == column, "\(name): \(String(describing: error))")
        }
    }
}
