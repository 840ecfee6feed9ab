import DataGenerators
import Foundation
import Testing

@Suite("Web events")
struct WebEventTests {
    func events(_ count: Int, seed: UInt64 = 42, start: Int = WebEventGenerator.defaultStart) -> [UInt8] {
        var generator = WebEventGenerator(seed: seed, start: start)
        var out: [UInt8] = []
        generator.append(count: count, to: &out)
        #expect(generator.count == count)
        return out
    }

    @Test("the same seed gives the same bytes; another seed other bytes; more events extend fewer")
    func determinism() {
        let first = events(3_000)
        #expect(first == events(3_000))
        #expect(first != events(3_000, seed: 43))
        #expect(Array(events(5_000).prefix(first.count)) == first)
    }

    @Test("output is pinned: the same bytes on every machine and build (a deliberate change updates the value)")
    func pinned() {
        #expect(fingerprint(events(1_000)) == 1_375_821_335_488_905_227)
    }

    @Test("every line is a JSON object with the documented fields and types")
    func shape() throws {
        let all = lines(events(10_000))
        #expect(all.count == 10_000)
        var types = Set<String>()
        var valueKinds = [String: Int]()
        var tagCounts = Set<Int>()
        var cities = Set<String>()
        var nullCities = 0
        var nullReferrers = 0
        var escapedTags = 0
        for line in all {
            let event = try parseObject(line)
            let id = try #require(event["event_id"] as? String)
            #expect(id.count == 36)
            types.insert(try #require(event["event_type"] as? String))
            let eventTime = try time(event["event_time"])
            let receivedAt = try time(event["received_at"])
            #expect(eventTime >= WebEventGenerator.defaultStart)
            #expect(receivedAt >= eventTime)

            let user = try #require(event["user"] as? [String: Any])
            #expect(isNumber(user["id"]))
            #expect((user["session_id"] as? String)?.count == 16)
            let agent = try #require(user["user_agent"] as? [String: Any])
            for key in ["browser", "version", "os", "device"] { #expect(isString(agent[key]), "\(key)") }

            let location = try #require(event["location"] as? [String: Any])
            #expect((location["country"] as? String)?.count == 2)
            if let city = location["city"] as? String { cities.insert(city) } else if isNull(location["city"]) { nullCities += 1 }
            let lat = try #require(location["lat"] as? Double)
            let lon = try #require(location["lon"] as? Double)
            #expect(abs(lat) <= 90 && abs(lon) <= 180)

            let metrics = try #require(event["metrics"] as? [String: Any])
            #expect(isNumber(metrics["duration_ms"]) && isNumber(metrics["clicks"]))
            let scroll = try #require(metrics["scroll_depth"] as? Double)
            #expect(scroll >= 0 && scroll <= 1)

            switch event["value"] {
            case nil: valueKinds["absent", default: 0] += 1
            case let value where isNull(value): valueKinds["null", default: 0] += 1
            case let value where isNumber(value): valueKinds["number", default: 0] += 1
            default: Issue.record("value is neither absent, null nor a number")
            }

            let tags = try #require(event["tags"] as? [String])
            tagCounts.insert(tags.count)
            #expect(Set(tags).count == tags.count, "tags repeat")
            escapedTags += tags.filter { $0.contains("\"") || $0.contains("\\") }.count

            let page = try #require(event["page"] as? [String: Any])
            #expect((page["url"] as? String)?.hasPrefix("https://") == true)
            if isNull(page["referrer"]) { nullReferrers += 1 } else { #expect(isString(page["referrer"])) }
        }
        #expect(types.isSuperset(of: ["page_view", "click", "purchase", "signup", "add_to_cart", "search"]))
        #expect(valueKinds.keys.sorted() == ["absent", "null", "number"])
        #expect(tagCounts == [0, 1, 2, 3, 4])
        #expect(cities.isSuperset(of: ["München", "São Paulo", "東京"]))
        #expect(nullCities > 0 && nullReferrers > 0 && escapedTags > 0)
    }

    @Test("lines average about 560 bytes")
    func size() {
        let output = events(20_000)
        let average = output.count / 20_000
        #expect((500...620).contains(average), "average \(average) bytes")
    }

    @Test("a few browsers dominate and users follow a long tail")
    func distributions() throws {
        var browsers = [String: Int]()
        var users = [Int: Int]()
        for line in lines(events(10_000)) {
            let event = try parseObject(line)
            let user = try #require(event["user"] as? [String: Any])
            let agent = try #require(user["user_agent"] as? [String: Any])
            browsers[try #require(agent["browser"] as? String), default: 0] += 1
            users[try #require(user["id"] as? Int), default: 0] += 1
        }
        let ranked = browsers.values.sorted(by: >)
        #expect(Double(ranked[0] + ranked[1]) / 10_000 > 0.7, "\(browsers)")
        let counts = users.values.sorted(by: >)
        #expect(counts[0] >= 10 * counts[counts.count / 2], "the busiest user is far busier than the median one")
    }

    @Test("each user keeps one browser, device and city")
    func stableUsers() throws {
        var profiles = [Int: String]()
        for line in lines(events(10_000, seed: 3)) {
            let event = try parseObject(line)
            let user = try #require(event["user"] as? [String: Any])
            let agent = try #require(user["user_agent"] as? [String: Any])
            let location = try #require(event["location"] as? [String: Any])
            let profile = "\(agent["browser"]!) \(agent["version"]!) \(agent["os"]!) \(agent["device"]!) \(location["city"]!)"
            let id = try #require(user["id"] as? Int)
            #expect(profiles[id, default: profile] == profile, "user \(id)")
            profiles[id] = profile
        }
    }

    @Test("--start moves the timeline")
    func start() throws {
        let start = try #require(CivilTime.parse("2030-06-01T08:00:00"))
        let first = try parseObject(lines(events(1, start: start))[0])
        let eventTime = try time(first["event_time"])
        #expect(eventTime >= start && eventTime < start + 60_000)
    }
}
