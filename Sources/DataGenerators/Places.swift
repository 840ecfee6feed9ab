/// Cities events and records come from: ISO country code, the name as people there write it
/// (so the data carries two- and three-byte UTF-8 and names that need quoting in CSV), the
/// centre in ten-thousandths of a degree, and a share of traffic.
struct Place: Sendable {
    let country: String
    let city: String
    let latitude: Int
    let longitude: Int
    let weight: Double
}

let places: [Place] = [
    Place(country: "US", city: "New York", latitude: 407_128, longitude: -740_060, weight: 90),
    Place(country: "US", city: "Los Angeles", latitude: 340_522, longitude: -1_182_437, weight: 55),
    Place(country: "US", city: "Chicago", latitude: 418_781, longitude: -876_298, weight: 35),
    Place(country: "US", city: "San Francisco", latitude: 377_749, longitude: -1_224_194, weight: 30),
    Place(country: "US", city: "Seattle", latitude: 476_062, longitude: -1_223_321, weight: 20),
    Place(country: "US", city: "Austin", latitude: 302_672, longitude: -977_431, weight: 15),
    Place(country: "US", city: "Washington, D.C.", latitude: 389_072, longitude: -770_369, weight: 15),
    Place(country: "DE", city: "Berlin", latitude: 525_200, longitude: 134_050, weight: 40),
    Place(country: "DE", city: "München", latitude: 481_351, longitude: 115_820, weight: 25),
    Place(country: "DE", city: "Hamburg", latitude: 535_511, longitude: 99_937, weight: 18),
    Place(country: "DE", city: "Köln", latitude: 509_375, longitude: 69_603, weight: 14),
    Place(country: "DE", city: "Düsseldorf", latitude: 512_277, longitude: 67_735, weight: 9),
    Place(country: "DE", city: "Frankfurt am Main", latitude: 501_109, longitude: 86_821, weight: 12),
    Place(country: "GB", city: "London", latitude: 515_074, longitude: -1_278, weight: 50),
    Place(country: "GB", city: "Manchester", latitude: 534_808, longitude: -22_426, weight: 12),
    Place(country: "FR", city: "Paris", latitude: 488_566, longitude: 23_522, weight: 35),
    Place(country: "FR", city: "Lyon", latitude: 457_640, longitude: 48_357, weight: 9),
    Place(country: "NL", city: "Amsterdam", latitude: 523_676, longitude: 49_041, weight: 14),
    Place(country: "NL", city: "'s-Hertogenbosch", latitude: 516_978, longitude: 53_037, weight: 3),
    Place(country: "CH", city: "Zürich", latitude: 473_769, longitude: 85_417, weight: 8),
    Place(country: "AT", city: "Wien", latitude: 482_082, longitude: 163_738, weight: 8),
    Place(country: "IT", city: "Milano", latitude: 454_642, longitude: 91_900, weight: 10),
    Place(country: "ES", city: "Madrid", latitude: 404_168, longitude: -37_038, weight: 12),
    Place(country: "ES", city: "A Coruña", latitude: 433_623, longitude: -84_115, weight: 3),
    Place(country: "PL", city: "Warszawa", latitude: 522_297, longitude: 210_122, weight: 8),
    Place(country: "PL", city: "Kraków", latitude: 500_647, longitude: 199_450, weight: 5),
    Place(country: "PL", city: "Łódź", latitude: 517_592, longitude: 194_560, weight: 3),
    Place(country: "SE", city: "Stockholm", latitude: 593_293, longitude: 180_686, weight: 7),
    Place(country: "SE", city: "Malmö", latitude: 556_050, longitude: 130_038, weight: 3),
    Place(country: "IS", city: "Reykjavík", latitude: 641_466, longitude: -219_426, weight: 1),
    Place(country: "TR", city: "İstanbul", latitude: 410_082, longitude: 289_784, weight: 10),
    Place(country: "RU", city: "Москва", latitude: 557_558, longitude: 376_173, weight: 8),
    Place(country: "BR", city: "São Paulo", latitude: -235_505, longitude: -466_333, weight: 25),
    Place(country: "BR", city: "Rio de Janeiro", latitude: -229_068, longitude: -431_729, weight: 12),
    Place(country: "MX", city: "Ciudad de México", latitude: 194_326, longitude: -991_332, weight: 14),
    Place(country: "CO", city: "Bogotá", latitude: 47_110, longitude: -740_721, weight: 6),
    Place(country: "CA", city: "Toronto", latitude: 436_532, longitude: -793_832, weight: 14),
    Place(country: "CA", city: "Montréal", latitude: 455_017, longitude: -735_673, weight: 8),
    Place(country: "IN", city: "Bengaluru", latitude: 129_716, longitude: 775_946, weight: 18),
    Place(country: "IN", city: "Mumbai", latitude: 190_760, longitude: 728_777, weight: 16),
    Place(country: "JP", city: "東京", latitude: 356_762, longitude: 1_396_503, weight: 16),
    Place(country: "JP", city: "大阪", latitude: 346_937, longitude: 1_355_023, weight: 6),
    Place(country: "KR", city: "서울", latitude: 375_665, longitude: 1_269_780, weight: 8),
    Place(country: "AU", city: "Sydney", latitude: -338_688, longitude: 1_512_093, weight: 9),
    Place(country: "NG", city: "Lagos", latitude: 65_244, longitude: 33_792, weight: 5),
]
