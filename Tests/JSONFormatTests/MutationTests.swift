import Testing

@testable import JSONFormat

/// Random mutations of small documents: nothing crashes, and framing then parsing each record
/// accepts exactly what parsing the whole document accepts.
@Suite struct MutationTests {
    static let seeds: [String] = [
        #"[{"a": [1, 2.5e-3, {"b\"]": "}\u00e9"}], "c": null}, "x\\", -0, true, false, [[], {}]]"#,
        "[\n  {\"id\": 1, \"tags\": [\"a\", \"b\"]},\n  {\"id\": 2, \"text\": \"\u{3042}\u{1F600}\\uD83D\\uDE00\"}\n]\n",
        #"[1,[2,[3,[4,[5]]]],"\/\b\f\n\r\t",{"":{"":""}}]"#,
    ]

    static let alphabet: [UInt8] = Array("{}[]\",:\\ \n0123456789.eE+-tfnulrsa".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF]

    static func mutate(_ input: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            guard !bytes.isEmpty else { break }
            let i = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: bytes[i] = alphabet.randomElement(using: &generator)!
            case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: i)
            case 2: bytes.remove(at: i)
            case 3: bytes.removeSubrange(i...)
            default:
                let j = Int.random(in: i..<bytes.count, using: &generator)
                bytes.insert(contentsOf: bytes[i...j], at: j)
            }
        }
        return bytes
    }

    /// Whether the framer (`.array`) and the parser on each record accept `bytes`.
    static func pipelineAccepts(_ bytes: [UInt8], cuts: [Int]) -> Bool {
        var framer = JSONRecordFramer(layout: .array)
        var parser = JSONParser()
        func drain() throws {
            while let record = try framer.nextRecord() {
                var recorder = Recorder()
                try parser.parse(record.bytes, baseOffset: record.offset, baseLine: record.line, baseColumn: record.column, into: &recorder)
            }
        }
        do {
            var start = 0
            for end in cuts + [bytes.count] where end >= start {
                bytes[start..<end].withUnsafeBytes { framer.append($0) }
                start = end
                try drain()
            }
            try framer.finish()
            try drain()
            return true
        } catch {
            #expect(error is JSONError)
            return false
        }
    }

    @Test func framingAgreesWithParsingTheWholeDocument() {
        var generator = SeededGenerator(seed: 7)
        var accepted = 0
        var rejected = 0
        for seed in Self.seeds {
            let original = Array(seed.utf8)
            for _ in 0..<3000 {
                let bytes = Self.mutate(original, using: &generator)
                let whole = parseError(bytes)
                let isArray = bytes.first(where: { !_JSONScanner.isWhitespace($0) }) == 0x5B
                let cut = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &generator)
                let pipeline = Self.pipelineAccepts(bytes, cuts: [cut])
                if whole == nil {
                    accepted += 1
                    #expect(pipeline == isArray, "whole accepted, pipeline \(pipeline): \(bytes)")
                } else {
                    rejected += 1
                    if isArray { #expect(!pipeline, "whole rejected (\(whole!)), pipeline accepted: \(bytes)") }
                }
            }
        }
        #expect(accepted > 100 && rejected > 1000)
    }
}
