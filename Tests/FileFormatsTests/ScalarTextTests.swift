import Testing

@testable import FileFormats

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ScalarTextTests {
    private func kind(_ text: String, numbers: Bool = true) -> ScalarKind {
        Array(text.utf8).withUnsafeBytes { ScalarText.kind(of: $0, numbers: numbers) }
    }

    @Test func recognisesTheLattice() {
        #expect(kind("42") == .integer)
        #expect(kind("-9223372036854775808") == .integer)
        #expect(kind("9223372036854775808") == .double)  // beyond Int64
        #expect(kind("1.5e3") == .double)
        #expect(kind("true") == .boolean)
        #expect(kind("FALSE") == .boolean)
        #expect(kind("2026-02-28") == .date)
        #expect(kind("2026-02-30") == .string)  // not a calendar date
        #expect(kind("2026-01-02T03:04:05") == .timestamp)
        #expect(kind("2026-01-02 03:04:05.123456+02:00") == .timestampZoned)
        #expect(kind("2026-01-02T03:04:05Z") == .timestampZoned)
        #expect(kind("12abc") == .string)
        #expect(kind("42", numbers: false) == .string)  // JSON strings stay text
        #expect(kind("f79c3e09-677c-4bbd-a479-3f349cb785e7", numbers: false) == .uuid)
        #expect(kind("F79C3E09-677C-4BBD-A479-3F349CB785E7") == .uuid)
        #expect(kind("f79c3e09-677c-4bbd-a479-3f349cb785eg") == .string)  // not hex
        #expect(kind("f79c3e09x677c-4bbd-a479-3f349cb785e7") == .string)  // no dash
        #expect(ScalarKind.uuid.joined(.string) == .string)
        #expect(ScalarKind.uuid.joinedWithoutWidening(.date) == nil)
        #expect(ScalarKind.null.joined(.uuid) == .uuid)
    }

    @Test func parsesUUIDsToTheirBytes() {
        let parsed = Array("f79c3e09-677c-4bbd-a479-3F349CB785E7".utf8).withUnsafeBytes { ScalarText.parseUUID($0) }
        #expect(parsed?.0 == 0xf79c_3e09_677c_4bbd)
        #expect(parsed?.1 == 0xa479_3f34_9cb7_85e7)
        #expect(Array("f79c3e09-677c-4bbd-a479-3f349cb785e".utf8).withUnsafeBytes { ScalarText.parseUUID($0) } == nil)
    }

    /// The fast path for short decimals must give strtod's correctly rounded result, and
    /// leave everything it does not cover to strtod.
    @Test func shortDecimalsMatchStrtod() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        var checked = 0
        for _ in 0..<200_000 {
            let digits = Int(next() % 15) + 1
            let mantissa = next() % UInt64(pow(10.0, Double(digits)))
            let fraction = Int(next() % UInt64(digits + 1))
            var text = String(mantissa)
            while text.count < fraction + 1 { text = "0" + text }
            if fraction > 0 { text.insert(".", at: text.index(text.endIndex, offsetBy: -fraction)) }
            if next() & 1 == 1 { text = "-" + text }
            let fast = Array(text.utf8).withUnsafeBytes { ScalarText.parseShortDecimal($0) }
            let reference = strtod(text, nil)
            if let fast {
                #expect(fast.bitPattern == reference.bitPattern, "\(text)")
                checked += 1
            }
        }
        #expect(checked > 150_000)
        for general in ["1e5", "5.", ".5", "+1.5", "1234567890123456.5", "0.1234567890123456"] {
            #expect(Array(general.utf8).withUnsafeBytes { ScalarText.parseShortDecimal($0) } == nil, "\(general)")
            #expect(Array(general.utf8).withUnsafeBytes { ScalarText.parseDouble($0) } == strtod(general, nil))
        }
        #expect(Array("-0.0".utf8).withUnsafeBytes { ScalarText.parseDouble($0) }?.sign == .minus)
    }

    @Test func joinsWidenAsDocumented() {
        #expect(ScalarKind.integer.joined(.double) == .double)
        #expect(ScalarKind.date.joined(.timestamp) == .timestamp)
        #expect(ScalarKind.null.joined(.boolean) == .boolean)
        #expect(ScalarKind.boolean.joined(.integer) == .string)
        #expect(ScalarKind.boolean.joinedWithoutWidening(.integer) == nil)
        #expect(ScalarKind.timestamp.joinedWithoutWidening(.timestampZoned) == nil)
    }

    @Test func parsesTimestampsToUTCMicroseconds() {
        func micros(_ text: String) -> Int64? {
            Array(text.utf8).withUnsafeBytes { ScalarText.parseTimestamp($0)?.micros }
        }
        #expect(micros("1970-01-01T00:00:00Z") == 0)
        #expect(micros("1970-01-01T01:00:00+01:00") == 0)
        #expect(micros("1969-12-31T23:59:59.999999Z") == -1)
        #expect(micros("2000-03-01T00:00:00.5") == 951_868_800_500_000)
        #expect(micros("2000-03-01T24:00:00") == nil)
    }
}
