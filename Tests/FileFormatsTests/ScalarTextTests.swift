import Testing

@testable import FileFormats

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
