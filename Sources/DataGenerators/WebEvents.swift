/// Nested web-analytics events, one JSON object per line (NDJSON):
///
/// ```
/// {"event_id":"…","event_type":"page_view","event_time":"2026-03-01T12:34:56.789Z",
///  "received_at":"…Z","user":{"id":12345,"session_id":"…","user_agent":{"browser":"Firefox",
///  "version":"128.0","os":"Linux","device":"desktop"}},"location":{"country":"DE",
///  "city":"Berlin","lat":52.52,"lon":13.405},"metrics":{"duration_ms":1234,
///  "scroll_depth":0.75,"clicks":3},"value":12.5,"tags":["promo"],
///  "page":{"url":"https://…","referrer":null}}
/// ```
///
/// What makes it realistic enough for demos and benchmarks:
/// - Users and pages are drawn Zipf-like (a few are very frequent, most are rare); each user
///   keeps one browser, device and city, and a session that ends after 30 idle minutes.
/// - A few browsers dominate (Chrome, Safari, Edge), by device and operating system.
/// - Events arrive slightly out of order (client clocks), `received_at` lags by a heavy-tailed
///   delay, and traffic follows the time of day.
/// - `value` is a number for purchases and carts, otherwise absent or null; `city` is null when
///   the location is known only to the country; 0 to 4 tags; `referrer` is null for direct visits.
/// - Strings include non-ASCII city names (München, São Paulo, 東京) and, rarely, characters
///   that JSON must escape.
///
/// Lines average about 560 bytes (a million events, about 560 MB). The same seed and start give the same bytes everywhere, and
/// the first N events of a run do not depend on how many follow.
public struct WebEventGenerator {
    public static let defaultStart = 1_772_323_200_000  // 2026-03-01T00:00:00Z

    /// Events appended so far.
    public private(set) var count = 0

    private var random: SeededRandom
    private let sessionSalt: UInt64
    private var clock: Int

    private let users: [UserProfile]
    private let userRanks: WeightedIndex
    private var lastSeen: [Int]
    private var sessionNumber: [UInt32]
    private var currentPage: [Int32]
    private var currentReferrer: [Int32]

    private let agents: [[UInt8]]
    private let locations: [[UInt8]]
    private let pages: [[UInt8]]
    private let pageRanks: WeightedIndex
    private let fixedPages: FixedPages
    private let searchPages: [[UInt8]]
    private let referrers: [[UInt8]]
    private let referrerRanks: WeightedIndex
    private let tags: [[UInt8]]
    private let tagRanks: WeightedIndex
    private let tagCounts = WeightedIndex([35, 30, 20, 10, 5])
    private let types: WeightedIndex

    /// `users`: how many distinct users the events come from.
    public init(seed: UInt64, start: Int = WebEventGenerator.defaultStart, users userCount: Int = 50_000) {
        precondition(userCount > 0, "at least one user")
        var setup = SeededRandom(seed: seed, stream: 1)
        random = SeededRandom(seed: seed, stream: 2)
        sessionSalt = SplitMix64.mix(seed ^ 0x243F_6A88_85A3_08D3)
        clock = start + 1500  // so that no event, less its client's clock skew, precedes `start`

        let catalog = AgentCatalog()
        let placeIndex = WeightedIndex(places.map(\.weight))
        var agentIndex: [String: Int] = [:]
        var agents: [[UInt8]] = []
        var profiles: [UserProfile] = []
        profiles.reserveCapacity(userCount)
        // Ids are unique and spread out, so the most active user is not user 1: rank r gets
        // a slot (r * stride mod users, a permutation for a stride coprime to the count) and
        // a random id among the 20 of its slot.
        var stride = 7_919 * 7_927
        while greatestCommonDivisor(stride, userCount) != 1 { stride += 2 }
        for rank in 0..<userCount {
            let (key, fragment) = catalog.draw(&setup)
            let agent: Int
            if let known = agentIndex[key] {
                agent = known
            } else {
                agent = agents.count
                agentIndex[key] = agent
                agents.append(fragment)
            }
            let place = placeIndex.draw(&setup)
            profiles.append(UserProfile(
                id: 100_000 + (rank * stride % userCount) * 20 + setup.below(20),
                agent: Int32(agent),
                place: Int32(place),
                cityKnown: !setup.chance(0.04),
                latitude: Int32(places[place].latitude + Int(setup.bell() * 800)),
                longitude: Int32(places[place].longitude + Int(setup.bell() * 1200))))
        }
        self.users = profiles
        self.agents = agents
        userRanks = .zipf(count: userCount, offset: 100)
        lastSeen = Array(repeating: Int.min, count: userCount)
        sessionNumber = Array(repeating: 0, count: userCount)
        currentPage = Array(repeating: -1, count: userCount)
        currentReferrer = Array(repeating: -1, count: userCount)

        // `{"country":"DE","city":"Berlin","lat":` and the same with `"city":null`.
        locations = places.flatMap { place -> [[UInt8]] in
            var known: [UInt8] = []
            known.ascii("{\"country\":")
            known.jsonString(place.country)
            var unknown = known
            known.ascii(",\"city\":")
            known.jsonString(place.city)
            known.ascii(",\"lat\":")
            unknown.ascii(",\"city\":null,\"lat\":")
            return [known, unknown]
        }

        let site = SitePages(&setup)
        pages = jsonStrings(site.urls)
        pageRanks = .zipf(count: site.urls.count)
        fixedPages = FixedPages(
            checkout: jsonStrings([SitePages.origin + "/checkout/complete"])[0],
            signup: jsonStrings([SitePages.origin + "/signup"])[0],
            login: jsonStrings([SitePages.origin + "/login"])[0])
        searchPages = jsonStrings(searchTerms.map { SitePages.origin + "/search?q=" + $0 })
        referrers = jsonStrings(externalReferrers)
        referrerRanks = .zipf(count: externalReferrers.count)
        tags = jsonStrings(tagWords)
        tagRanks = .zipf(count: tagWords.count, offset: 2)
        types = WeightedIndex(EventType.allCases.map(\.weight))
    }

    /// Appends `count` events, one line each.
    public mutating func append(count: Int, to out: inout [UInt8]) {
        for _ in 0..<count { append(to: &out) }
    }

    /// Appends one event and its line end.
    public mutating func append(to out: inout [UInt8]) {
        count += 1
        advanceClock()
        let userIndex = userRanks.draw(&random)
        let user = users[userIndex]
        let type = EventType.allCases[types.draw(&random)]

        // Sessions end after 30 idle minutes (and now and then on their own).
        let idle = lastSeen[userIndex] == Int.min ? Int.max : clock - lastSeen[userIndex]
        let newSession = idle > 30 * 60_000 || random.chance(0.01)
        if newSession {
            sessionNumber[userIndex] &+= 1
            currentPage[userIndex] = -1
            currentReferrer[userIndex] = random.chance(0.45) ? -1 : Int32(referrerRanks.draw(&random))
        }
        lastSeen[userIndex] = clock

        let eventTime = clock - random.below(1500)
        let latency = random.chance(0.01) ? random.below(6 * 3_600_000) : 20 + Int(random.pareto(minimum: 30, cap: 30_000))

        out.ascii("{\"event_id\":\"")
        out.uuid(&random)
        out.ascii("\",\"event_type\":\"")
        out.ascii(type.name)
        out.ascii("\",\"event_time\":\"")
        out.timestamp(eventTime)
        out.ascii("\",\"received_at\":\"")
        out.timestamp(eventTime + latency)
        out.ascii("\",\"user\":{\"id\":")
        out.decimal(user.id)
        out.ascii(",\"session_id\":\"")
        out.hex(SplitMix64.mix(sessionSalt ^ UInt64(userIndex) << 32 ^ UInt64(sessionNumber[userIndex])), digits: 16)
        out.ascii("\",\"user_agent\":")
        out.append(contentsOf: agents[Int(user.agent)])
        out.ascii("},\"location\":")
        out.append(contentsOf: locations[Int(user.place) * 2 + (user.cityKnown ? 0 : 1)])
        out.fixed(Int(user.latitude), scale: 4)
        out.ascii(",\"lon\":")
        out.fixed(Int(user.longitude), scale: 4)
        appendMetrics(type, to: &out)
        appendValue(type, to: &out)
        appendTags(to: &out)
        appendPage(type, userIndex: userIndex, to: &out)
        out.ascii("}\n")
    }

    /// About a million events a day, more in the afternoon (UTC) than at night.
    @inline(__always)
    private mutating func advanceClock() {
        let hour = (clock / 3_600_000) % 24
        clock += random.below(hourlyGapBound[hour])
    }

    @inline(__always)
    private mutating func appendMetrics(_ type: EventType, to out: inout [UInt8]) {
        let duration: Int
        let clicks: Int
        switch type {
        case .pageView:
            duration = Int(random.pareto(minimum: 800, cap: 1_800_000))
            clicks = random.geometric(0.45, cap: 40)
        case .click:
            duration = Int(random.pareto(minimum: 40, cap: 10_000))
            clicks = 1 + random.geometric(0.75, cap: 10)
        case .videoPlay:
            duration = Int(random.pareto2(minimum: 4000, cap: 3_600_000))
            clicks = random.geometric(0.7, cap: 10)
        default:
            duration = Int(random.pareto(minimum: 150, cap: 120_000))
            clicks = random.geometric(0.6, cap: 20)
        }
        out.ascii("},\"metrics\":{\"duration_ms\":")
        out.decimal(duration)
        out.ascii(",\"scroll_depth\":")
        out.fixed(random.below(101), scale: 2)
        out.ascii(",\"clicks\":")
        out.decimal(clicks)
        out.append(UInt8(ascii: "}"))
    }

    /// A price for purchases and carts (rarely null); otherwise mostly absent, sometimes null.
    @inline(__always)
    private mutating func appendValue(_ type: EventType, to out: inout [UInt8]) {
        let cents: Int
        switch type {
        case .purchase:
            guard !random.chance(0.03) else { return out.ascii(",\"value\":null") }
            cents = Int(random.pareto2(minimum: 1_500, cap: 500_000))
        case .addToCart:
            guard !random.chance(0.08) else { return out.ascii(",\"value\":null") }
            cents = Int(random.pareto2(minimum: 499, cap: 150_000))
        default:
            if random.chance(0.15) { out.ascii(",\"value\":null") }
            return
        }
        // Most prices end in .99 or .00, as shop prices do.
        let price =
            switch random.below(10) {
            case 0..<5: cents / 100 * 100 + 99
            case 5..<7: cents / 100 * 100
            default: cents
            }
        out.ascii(",\"value\":")
        out.fixed(price, scale: 2)
    }

    @inline(__always)
    private mutating func appendTags(to out: inout [UInt8]) {
        out.ascii(",\"tags\":[")
        let wanted = tagCounts.draw(&random)
        var chosen: UInt64 = 0
        var written = 0
        var attempts = 0
        while written < wanted && attempts < 8 {
            attempts += 1
            let tag = tagRanks.draw(&random)
            guard chosen & (1 << UInt64(tag)) == 0 else { continue }
            chosen |= 1 << UInt64(tag)
            if written > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: tags[tag])
            written += 1
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Page views and searches move the user to a new page, whose referrer is the page before
    /// (or, first in a session, a search engine, a social site or nothing); other events happen
    /// on the current page.
    @inline(__always)
    private mutating func appendPage(_ type: EventType, userIndex: Int, to out: inout [UInt8]) {
        out.ascii(",\"page\":{\"url\":")
        let previous = currentPage[userIndex]
        let navigates = type == .pageView || type == .search || previous < 0
        if navigates, previous >= 0 {
            currentReferrer[userIndex] = Int32(referrers.count) + previous
        }
        switch type {
        case .purchase: out.append(contentsOf: fixedPages.checkout)
        case .signup: out.append(contentsOf: fixedPages.signup)
        case .login: out.append(contentsOf: fixedPages.login)
        case .search: out.append(contentsOf: searchPages[random.below(searchPages.count)])
        default:
            if navigates { currentPage[userIndex] = Int32(pageRanks.draw(&random)) }
            out.append(contentsOf: pages[Int(currentPage[userIndex])])
        }
        out.ascii(",\"referrer\":")
        let referrer = Int(currentReferrer[userIndex])
        if referrer < 0 {
            out.ascii("null")
        } else if referrer < referrers.count {
            out.append(contentsOf: referrers[referrer])
        } else {
            out.append(contentsOf: pages[referrer - referrers.count])
        }
        out.append(UInt8(ascii: "}"))
    }
}

private func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
    b == 0 ? a : greatestCommonDivisor(b, a % b)
}

struct UserProfile {
    let id: Int
    let agent: Int32
    let place: Int32
    let cityKnown: Bool
    let latitude: Int32
    let longitude: Int32
}

struct FixedPages {
    let checkout: [UInt8]
    let signup: [UInt8]
    let login: [UInt8]
}

enum EventType: CaseIterable {
    case pageView, click, scroll, search, addToCart, videoPlay, formSubmit, login, purchase, signup, logout

    var name: StaticString {
        switch self {
        case .pageView: "page_view"
        case .click: "click"
        case .scroll: "scroll"
        case .search: "search"
        case .addToCart: "add_to_cart"
        case .videoPlay: "video_play"
        case .formSubmit: "form_submit"
        case .login: "login"
        case .purchase: "purchase"
        case .signup: "signup"
        case .logout: "logout"
        }
    }

    var weight: Double {
        switch self {
        case .pageView: 52
        case .click: 20
        case .scroll: 7
        case .search: 5
        case .addToCart: 5
        case .videoPlay: 2
        case .formSubmit: 2
        case .login: 3
        case .purchase: 2
        case .signup: 1
        case .logout: 1
        }
    }
}

/// Twice the mean gap between events in milliseconds, by UTC hour: 86.4 ms on average (a
/// million events a day), shorter in the busy hours.
private let hourlyGapBound: [Int] = [60, 50, 45, 42, 45, 55, 70, 85, 100, 110, 115, 118, 120, 120, 118, 115, 112, 110,
    108, 105, 100, 95, 85, 70].map { 2 * 8_640 / $0 + 1 }

/// Browsers, versions, operating systems and devices with their market shares.
struct AgentCatalog {
    struct Choice {
        let name: String
        let weight: Double
    }

    let devices = [Choice(name: "desktop", weight: 55), Choice(name: "mobile", weight: 40), Choice(name: "tablet", weight: 5)]
    let systems: [String: [Choice]] = [
        "desktop": [Choice(name: "Windows", weight: 70), Choice(name: "macOS", weight: 22), Choice(name: "Linux", weight: 5),
                    Choice(name: "ChromeOS", weight: 3)],
        "mobile": [Choice(name: "Android", weight: 70), Choice(name: "iOS", weight: 30)],
        "tablet": [Choice(name: "iOS", weight: 60), Choice(name: "Android", weight: 40)],
    ]
    let browsers: [String: [Choice]] = [
        "Windows": [Choice(name: "Chrome", weight: 68), Choice(name: "Edge", weight: 22), Choice(name: "Firefox", weight: 8),
                    Choice(name: "Opera", weight: 2)],
        "macOS": [Choice(name: "Chrome", weight: 52), Choice(name: "Safari", weight: 40), Choice(name: "Firefox", weight: 6),
                  Choice(name: "Edge", weight: 2)],
        "Linux": [Choice(name: "Chrome", weight: 55), Choice(name: "Firefox", weight: 45)],
        "ChromeOS": [Choice(name: "Chrome", weight: 100)],
        "Android": [Choice(name: "Chrome", weight: 80), Choice(name: "Samsung Internet", weight: 14),
                    Choice(name: "Firefox", weight: 4), Choice(name: "Opera", weight: 2)],
        "iOS": [Choice(name: "Safari", weight: 86), Choice(name: "Chrome", weight: 12), Choice(name: "Firefox", weight: 2)],
    ]
    /// Newest first; people lag behind the newest release.
    let versions: [String: [String]] = [
        "Chrome": ["133.0", "132.0", "131.0", "130.0", "109.0"],
        "Edge": ["133.0", "132.0", "131.0"],
        "Firefox": ["135.0", "134.0", "128.0", "115.0"],
        "Safari": ["18.3", "18.2", "17.6", "16.6"],
        "Samsung Internet": ["27.0", "26.0", "25.0"],
        "Opera": ["116.0", "115.0"],
    ]
    let versionWeights: [Double] = [50, 25, 12, 8, 5]

    /// A user agent: its key, and its JSON object.
    func draw(_ random: inout SeededRandom) -> (key: String, json: [UInt8]) {
        let device = pick(devices, &random)
        let system = pick(systems[device]!, &random)
        let browser = pick(browsers[system]!, &random)
        let candidates = versions[browser]!
        let version = candidates[WeightedIndex(Array(versionWeights.prefix(candidates.count))).draw(&random)]
        var json: [UInt8] = []
        json.ascii("{\"browser\":")
        json.jsonString(browser)
        json.ascii(",\"version\":")
        json.jsonString(version)
        json.ascii(",\"os\":")
        json.jsonString(system)
        json.ascii(",\"device\":")
        json.jsonString(device)
        json.ascii("}")
        return ("\(browser)|\(version)|\(system)|\(device)", json)
    }

    private func pick(_ choices: [Choice], _ random: inout SeededRandom) -> String {
        choices[WeightedIndex(choices.map(\.weight)).draw(&random)].name
    }
}

/// The pages of an imaginary shop: home, categories, products, blog posts, help and account
/// pages, in a seeded order of popularity (the home page first).
struct SitePages {
    static let origin = "https://shop.example.com"
    let urls: [String]

    init(_ random: inout SeededRandom) {
        var paths: [String] = []
        for category in categories { paths.append("/c/" + category) }
        for _ in 0..<420 {
            let name = productAdjectives[random.below(productAdjectives.count)] + "-" + productNouns[random.below(productNouns.count)]
            paths.append("/p/\(name)-\(10_000 + random.below(90_000))")
        }
        for _ in 0..<60 {
            let words = (0..<(2 + random.below(3))).map { _ in blogWords[random.below(blogWords.count)] }
            paths.append("/blog/" + words.joined(separator: "-"))
        }
        for topic in ["shipping", "returns", "payment-methods", "size-guide", "warranty", "contact"] {
            paths.append("/help/" + topic)
        }
        paths += ["/cart", "/account", "/account/orders", "/wishlist", "/about", "/pricing", "/gift-cards", "/stores"]
        // A seeded shuffle (Fisher-Yates) sets the order of popularity.
        for i in stride(from: paths.count - 1, to: 0, by: -1) {
            paths.swapAt(i, random.below(i + 1))
        }
        urls = [Self.origin + "/"] + paths.map { Self.origin + $0 }
    }
}

private let categories = [
    "shoes", "jackets", "shirts", "trousers", "dresses", "bags", "watches", "jewelry", "outdoor", "running", "kitchen",
    "coffee", "garden", "tools", "toys", "books", "audio", "phones", "laptops", "cameras", "gaming", "beauty", "sale",
    "new-arrivals",
]
private let productAdjectives = [
    "classic", "ultralight", "waterproof", "organic", "vintage", "wireless", "compact", "premium", "slim", "merino",
    "bamboo", "ceramic", "titanium", "recycled", "heritage", "trail", "urban", "thermal",
]
private let productNouns = [
    "sneaker", "parka", "hoodie", "backpack", "chronograph", "kettle", "grinder", "headphones", "tent", "lantern",
    "skillet", "blender", "jersey", "chinos", "tote", "sunglasses", "speaker", "keyboard", "drone", "yoga-mat",
]
private let blogWords = [
    "how", "to", "choose", "best", "guide", "winter", "summer", "care", "tips", "review", "vs", "why", "our", "new",
    "sustainable", "packing", "list", "espresso", "trail", "running", "gift", "ideas",
]
private let searchTerms = [
    "running+shoes", "winter+jacket", "caf%C3%A9+grinder", "wireless+headphones", "gift+card", "rain+jacket+women",
    "espresso", "backpack+30l", "M%C3%BCnchen+store", "tent+2+person", "red+dress", "laptop+sleeve+13%22",
]
private let externalReferrers = [
    "https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/", "https://t.co/", "https://www.facebook.com/",
    "https://www.instagram.com/", "https://www.reddit.com/r/BuyItForLife/", "https://news.ycombinator.com/",
    "android-app://com.google.android.gm/", "https://www.pinterest.com/", "https://search.yahoo.co.jp/", "https://www.ecosia.org/",
]
/// Zipf-ranked, so the ones that JSON must escape (quotes, backslash) and the emoji are rare.
private let tagWords = [
    "returning", "logged_in", "mobile_app", "new_user", "promo", "newsletter", "ab:checkout_v2", "ab:control", "vip",
    "dark_mode", "beta", "cart_recovery", "gift", "campaign:\"spring_sale\"", "🔥trending", "ref:partner", "über_fan",
    "accessibility", "path:C:\\shop", "bot_suspected",
]
