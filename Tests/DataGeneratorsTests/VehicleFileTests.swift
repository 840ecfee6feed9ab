import DataGenerators
import Foundation
import Testing

@Suite("Vehicle files")
struct VehicleFileTests {
    func pairs(_ count: Int, seed: UInt64 = 42, records: Int = 300) -> [(events: VehicleFileGenerator.File, status: VehicleFileGenerator.File)] {
        var generator = VehicleFileGenerator(seed: seed, recordsPerFile: records)
        return (0..<count).map { _ in generator.nextPair() }
    }

    @Test("names carry the window's start, one pair per interval")
    func names() {
        let names = pairs(3).flatMap { [$0.events.name, $0.status.name] }
        #expect(names == [
            "vehicles_events_20260101000000.json", "vehicles_status_20260101000000.json",
            "vehicles_events_20260101000500.json", "vehicles_status_20260101000500.json",
            "vehicles_events_20260101001000.json", "vehicles_status_20260101001000.json",
        ])
        let late = VehicleFileGenerator.fileNames(pair: 2, start: CivilTime.parse("2026-12-31T23:50:00")!, interval: 300_000)
        #expect(late == ("vehicles_events_20270101000000.json", "vehicles_status_20270101000000.json"))
    }

    @Test("the same seed gives the same files; another seed other files")
    func determinism() {
        let a = pairs(2).flatMap { [$0.events.bytes, $0.status.bytes] }
        #expect(a == pairs(2).flatMap { [$0.events.bytes, $0.status.bytes] })
        #expect(a != pairs(2, seed: 7).flatMap { [$0.events.bytes, $0.status.bytes] })
    }

    @Test("output is pinned: the same bytes on every machine and build (a deliberate change updates the value)")
    func pinned() {
        #expect(fingerprint(pairs(2).flatMap { $0.events.bytes + $0.status.bytes }) == 6_785_454_898_980_011_136)
    }

    @Test("events sit under vehicles_events with the documented fields, in the file's window")
    func events() throws {
        var kinds = Set<String>()
        var numbers = 0
        var strings = 0
        var nullExtras = 0
        for (index, pair) in pairs(3).enumerated() {
            #expect(text(pair.events.bytes).hasPrefix("{\n  \"vehicles_events\": [\n    {\n      \"vehicle_id\": "))
            let root = try parseObject(pair.events.bytes)
            #expect(Array(root.keys) == ["vehicles_events"])
            let records = try #require(root["vehicles_events"] as? [[String: Any]])
            #expect(records.count == 300)
            let windowStart = VehicleFileGenerator.defaultStart + index * 300_000
            for record in records {
                #expect(Set(record.keys) == ["vehicle_id", "event_time", "event_source", "event_type", "event_value", "event_extra_data"])
                let id = try #require(record["vehicle_id"] as? String)
                #expect(id.hasPrefix("VH-") && id.count == 8)
                let eventTime = try time(record["event_time"])
                #expect(eventTime >= windowStart && eventTime < windowStart + 300_000)
                #expect(isString(record["event_source"]))
                kinds.insert(try #require(record["event_type"] as? String))
                let value = record["event_value"]
                if isNumber(value) { numbers += 1 } else if isString(value) { strings += 1 } else { #expect(isNull(value)) }
                if isNull(record["event_extra_data"]) { nullExtras += 1 } else { #expect(record["event_extra_data"] is [String: Any]) }
            }
        }
        #expect(kinds.isSuperset(of: ["speed", "position", "door_open", "fuel_level"]))
        #expect(numbers > 0 && strings > 0 && nullExtras > 0)
    }

    @Test("status reports sit under vehicles_status")
    func status() throws {
        var statuses = Set<String>()
        var sources = Set<String>()
        for pair in pairs(3, records: 1000) {
            let root = try parseObject(pair.status.bytes)
            #expect(Array(root.keys) == ["vehicles_status"])
            let records = try #require(root["vehicles_status"] as? [[String: Any]])
            #expect(records.count == 1000)
            for record in records {
                #expect(Set(record.keys) == ["vehicle_id", "report_time", "status_source", "status"])
                _ = try time(record["report_time"])
                statuses.insert(try #require(record["status"] as? String))
                sources.insert(try #require(record["status_source"] as? String))
            }
        }
        #expect(statuses.isSubset(of: ["moving", "idle", "parked", "maintenance"]) && statuses.count >= 3)
        #expect(sources.count == 3)
    }

    @Test("empty files are valid JSON")
    func empty() throws {
        let pair = pairs(1, records: 0)[0]
        #expect(text(pair.events.bytes) == "{\n  \"vehicles_events\": []\n}\n")
        #expect(try parseObject(pair.status.bytes)["vehicles_status"] as? [Any] != nil)
    }
}
