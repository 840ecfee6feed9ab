/// A wide, typed CSV of web-shop orders: a header, then one row per order with 24 columns of
/// integers, big integers, doubles, decimal-looking text, booleans, dates, timestamps (with and
/// without a zone), short and long strings and UUIDs. Empty fields stand for nulls. Fields that
/// hold the delimiter, a quote or a line break are quoted (RFC 4180), which some city, product
/// and note values do; notes sometimes span lines.
public struct WideCSVGenerator {
    public static let defaultStart = 1_767_225_600_000  // 2026-01-01T00:00:00Z

    /// The columns: name and the type a reader should infer.
    public static let columns: [(name: String, type: String)] = [
        ("order_id", "int"), ("customer_id", "int"), ("order_number", "bigint"), ("quantity", "int"),
        ("unit_price", "decimal"), ("discount", "double"), ("total", "double"), ("weight_kg", "double"),
        ("is_gift", "bool"), ("is_returned", "bool"), ("order_date", "date"), ("created_at", "timestamptz"),
        ("shipped_at", "timestamp"), ("country", "string"), ("city", "string"), ("product", "string"),
        ("category", "string"), ("email", "string"), ("status", "string"), ("rating", "int"), ("notes", "string"),
        ("session_id", "uuid"), ("latitude", "double"), ("longitude", "double"),
    ]

    public let delimiter: UInt8
    /// Rows appended so far (the header not counted).
    public private(set) var rows = 0

    private var random: SeededRandom
    private var clock: Int
    private let customers: WeightedIndex
    private let placeIndex: WeightedIndex
    private let productRanks: WeightedIndex
    private var note: [UInt8] = []

    /// The delimiters the generator writes: comma, semicolon, pipe and tab (none of them occurs
    /// in the numbers, dates, codes and emails written unquoted).
    public static let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"), 0x09]

    /// `delimiter`: one of `delimiters`.
    public init(seed: UInt64, start: Int = WideCSVGenerator.defaultStart, delimiter: UInt8 = UInt8(ascii: ",")) {
        precondition(Self.delimiters.contains(delimiter), "unsupported delimiter")
        self.delimiter = delimiter
        random = SeededRandom(seed: seed, stream: 20)
        clock = start
        customers = .zipf(count: 20_000, offset: 30)
        placeIndex = WeightedIndex(places.map(\.weight))
        productRanks = .zipf(count: products.count, offset: 2)
    }

    /// The header line.
    public func appendHeader(to out: inout [UInt8]) {
        for (index, column) in Self.columns.enumerated() {
            if index > 0 { out.append(delimiter) }
            out.csvField(column.name.utf8, delimiter: delimiter)
        }
        out.append(UInt8(ascii: "\n"))
    }

    public mutating func append(rows count: Int, to out: inout [UInt8]) {
        for _ in 0..<count { appendRow(to: &out) }
    }

    /// One row and its line end.
    public mutating func appendRow(to out: inout [UInt8]) {
        rows += 1
        clock += random.below(90_000)  // an order every 45 seconds on average
        let d = delimiter
        let customer = customers.draw(&random)
        let product = products[productRanks.draw(&random)]
        let quantity = 1 + random.geometric(0.55, cap: 49)
        let unitCents = product.cents + random.below(5) * 100
        let discount = random.chance(0.3) ? nil : [0, 0, 0, 50, 100, 150, 200, 250, 333][random.below(9)]
        let status = orderStatuses[WeightedIndex.orderStatus.draw(&random)]

        out.decimal(rows)  // order_id
        out.append(d)
        out.decimal(10_000 + (customer * 7_919) % 90_000)  // customer_id
        out.append(d)
        out.decimal(4_200_000_000 + rows * 13 + random.below(13))  // order_number
        out.append(d)
        out.decimal(quantity)
        out.append(d)
        out.fixed(unitCents, scale: 2, minFraction: 2)  // unit_price
        out.append(d)
        if let discount { out.fixed(discount, scale: 3) }
        out.append(d)
        let totalCents = quantity * unitCents * (1_000 - (discount ?? 0)) / 1_000
        out.fixed(totalCents, scale: 2)  // total
        out.append(d)
        out.fixed(Int(random.pareto(minimum: 150, cap: 80_000)) * quantity, scale: 3)  // weight_kg
        out.append(d)
        if !random.chance(0.05) { out.ascii(random.chance(0.08) ? "true" : "false") }  // is_gift
        out.append(d)
        out.ascii(status == "returned" ? "true" : "false")  // is_returned
        out.append(d)
        out.date(days: CivilTime.split(clock).days)  // order_date
        out.append(d)
        out.timestamp(clock)  // created_at
        out.append(d)
        if status != "pending" && status != "cancelled" {  // shipped_at
            out.timestamp(clock + 7_200_000 + random.below(4 * CivilTime.millisecondsPerDay), naive: true)
        }
        out.append(d)
        let place = places[placeIndex.draw(&random)]
        out.append(contentsOf: place.country.utf8)
        out.append(d)
        out.csvField(place.city.utf8, delimiter: d)
        out.append(d)
        out.csvField(product.name.utf8, delimiter: d)
        out.append(d)
        out.append(contentsOf: product.category.utf8)
        out.append(d)
        appendEmail(customer, to: &out)
        out.append(d)
        out.append(contentsOf: status.utf8)
        out.append(d)
        if status == "delivered" || status == "returned", random.chance(0.45) {  // rating
            out.decimal(status == "returned" ? 1 + random.below(3) : [5, 5, 5, 4, 4, 3, 2, 1][random.below(8)])
        }
        out.append(d)
        appendNotes(to: &out)
        out.append(d)
        out.uuid(&random)  // session_id
        out.append(d)
        out.fixed(place.latitude * 10 + Int(random.bell() * 5_000), scale: 5)
        out.append(d)
        out.fixed(place.longitude * 10 + Int(random.bell() * 8_000), scale: 5)
        out.append(UInt8(ascii: "\n"))
    }

    private mutating func appendEmail(_ customer: Int, to out: inout [UInt8]) {
        var hash = SplitMix64.mix(UInt64(customer) &+ 0x9E37)
        out.append(contentsOf: firstNames[Int(hash % UInt64(firstNames.count))].utf8)
        hash /= UInt64(firstNames.count)
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: lastNames[Int(hash % UInt64(lastNames.count))].utf8)
        hash /= UInt64(lastNames.count)
        out.decimal(Int(hash % 100))
        out.append(UInt8(ascii: "@"))
        out.append(contentsOf: mailDomains[customer % mailDomains.count].utf8)
    }

    /// Most orders have no notes; the rest one to three sentences (some with commas, quotes or
    /// a line break, one in German with umlauts).
    private mutating func appendNotes(to out: inout [UInt8]) {
        guard random.chance(0.35) else { return }
        note.removeAll(keepingCapacity: true)
        for sentence in 0..<(1 + random.below(3)) {
            if sentence > 0 { note.append(UInt8(ascii: " ")) }
            note.append(contentsOf: noteSentences[random.below(noteSentences.count)].utf8)
        }
        out.csvField(note, delimiter: delimiter)
    }
}

extension WeightedIndex {
    fileprivate static let orderStatus = WeightedIndex([8, 20, 60, 5, 7])
}

private let orderStatuses = ["pending", "shipped", "delivered", "cancelled", "returned"]

private struct Product {
    let name: String
    let category: String
    let cents: Int
}

private let products: [Product] = [
    Product(name: "Trail Runner 3", category: "running", cents: 11_999),
    Product(name: "Merino Hoodie", category: "shirts", cents: 8_900),
    Product(name: "Espresso Grinder", category: "coffee", cents: 24_900),
    Product(name: "Tent, 2-person", category: "outdoor", cents: 19_900),
    Product(name: "Monitor 27\" IPS", category: "laptops", cents: 32_900),
    Product(name: "Wireless Headphones", category: "audio", cents: 14_999),
    Product(name: "Cast Iron Skillet", category: "kitchen", cents: 3_999),
    Product(name: "Rain Jacket (women's)", category: "jackets", cents: 12_900),
    Product(name: "Yoga Mat", category: "sports", cents: 2_999),
    Product(name: "Kinder-Laufrad \"Flitzer\"", category: "toys", cents: 6_990),
    Product(name: "Backpack 30L", category: "bags", cents: 7_900),
    Product(name: "Chronograph, steel", category: "watches", cents: 29_900),
    Product(name: "Gift Card", category: "gift-cards", cents: 2_500),
    Product(name: "Bamboo Socks, 5-pack", category: "socks", cents: 1_999),
    Product(name: "Smart Kettle", category: "kitchen", cents: 5_499),
    Product(name: "Crème de la Crème Tea Set", category: "kitchen", cents: 3_450),
]

private let firstNames = [
    "anna", "ben", "chloe", "david", "emma", "felix", "giulia", "hiro", "ines", "jonas", "karin", "liam", "maria", "noah",
    "olga", "pedro", "quinn", "rosa", "sven", "tariq", "uma", "vera", "wei", "yusuf", "zoe",
]
private let lastNames = [
    "schmidt", "muller", "garcia", "smith", "rossi", "kowalski", "nguyen", "silva", "tanaka", "johansson", "dubois",
    "oconnor", "yilmaz", "kim", "novak", "patel",
]
private let mailDomains = ["example.com", "mail.example.org", "example.net", "post.example.de"]
private let noteSentences = [
    "Please leave the parcel at the back door.",
    "Customer asked for gift wrapping, no price tag.",
    "Called twice; no answer.",
    "Deliver after 6 pm, ring \"Schmidt\".",
    "Item arrived damaged.\nReplacement sent on request.",
    "Größe passt nicht, Umtausch gewünscht.",
    "Address line 2: Apt. 4B, 3rd floor.",
    "VIP customer — handle with care.",
    "Left with neighbour at no. 12.",
    "Return label printed, awaiting drop-off.",
    "Paid by invoice.",
    "Express shipping requested.",
]
