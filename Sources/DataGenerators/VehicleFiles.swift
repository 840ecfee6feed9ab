/// Telemetry of a delivery fleet as pairs of pretty-printed JSON files, the way a fleet
/// platform exports them every few minutes:
///
/// - `vehicles_events_YYYYMMDDHHMMSS.json`: `{"vehicles_events": [ {vehicle_id, event_time,
///   event_source, event_type, event_value, event_extra_data}, … ]}`
/// - `vehicles_status_YYYYMMDDHHMMSS.json`: `{"vehicles_status": [ {vehicle_id, report_time,
///   status_source, status}, … ]}`
///
/// Pair `i` covers the window `start + i * interval ..< start + (i + 1) * interval` and is named
/// after the window's start. Each vehicle moves between moving, idle, parked and maintenance,
/// and its events follow: speeds and positions while moving, doors and battery while parked,
/// fault codes in maintenance. `event_value` is a number or a string depending on the type
/// (rarely null); `event_extra_data` is a nested object (with a list for trips and an object
/// inside for fault codes), or null.
public struct VehicleFileGenerator {
    public static let defaultStart = 1_767_225_600_000  // 2026-01-01T00:00:00Z

    /// One generated file: its name (no directory) and its content.
    public struct File: Sendable {
        public let name: String
        public let bytes: [UInt8]
    }

    public let start: Int
    public let interval: Int
    public let recordsPerFile: Int
    /// Pairs generated so far.
    public private(set) var pairs = 0

    private var random: SeededRandom
    private var fleet: [VehicleState]
    private let eventRanks: WeightedIndex
    private let eventKinds: [VehicleStatus: (kinds: [VehicleEvent], index: WeightedIndex)]

    /// `interval`: milliseconds between file pairs; `vehicles`: the fleet's size.
    public init(seed: UInt64, start: Int = VehicleFileGenerator.defaultStart, recordsPerFile: Int = 1000,
                vehicles: Int = 100, interval: Int = 300_000) {
        precondition(recordsPerFile >= 0 && vehicles > 0 && interval >= 1000, "invalid vehicle generator settings")
        self.start = start
        self.interval = interval
        self.recordsPerFile = recordsPerFile
        random = SeededRandom(seed: seed, stream: 10)
        var setup = SeededRandom(seed: seed, stream: 11)
        let depots = places.filter { $0.country == "DE" }
        fleet = (0..<vehicles).map { number in
            let depot = depots[setup.below(depots.count)]
            return VehicleState(
                id: number + 1,
                status: setup.chance(0.5) ? .parked : .idle,
                speed: 0,
                fuel: 300 + setup.below(700),
                odometer: 500_000 + setup.below(3_000_000),
                latitude: depot.latitude * 10 + setup.below(4_000) - 2_000,
                longitude: depot.longitude * 10 + setup.below(6_000) - 3_000,
                heading: setup.below(360),
                engineTemperature: 200 + setup.below(50),
                battery: 1_240 + setup.below(40),
                driver: 1 + setup.below(max(1, vehicles * 3 / 2)),
                trip: 0)
        }
        // Some vehicles report far more than others (busier routes, chattier units).
        eventRanks = .zipf(count: vehicles, offset: 8)
        eventKinds = Dictionary(uniqueKeysWithValues: VehicleStatus.allCases.map { status in
            let weighted = VehicleEvent.allCases.compactMap { kind in kind.weight(when: status).map { (kind, $0) } }
            return (status, (weighted.map(\.0), WeightedIndex(weighted.map(\.1))))
        })
    }

    /// The names of pair `index`: `vehicles_events_…` and `vehicles_status_…` with the window's
    /// start as `YYYYMMDDHHMMSS`.
    public func fileNames(pair index: Int) -> (events: String, status: String) {
        Self.fileNames(pair: index, start: start, interval: interval)
    }

    /// The names of pair `index` for a `start` and `interval` (milliseconds).
    public static func fileNames(pair index: Int, start: Int, interval: Int) -> (events: String, status: String) {
        var stamp: [UInt8] = []
        stamp.compactTimestamp(start + index * interval)
        let text = String(decoding: stamp, as: UTF8.self)
        return ("vehicles_events_\(text).json", "vehicles_status_\(text).json")
    }

    /// The next pair of files.
    public mutating func nextPair() -> (events: File, status: File) {
        let windowStart = start + pairs * interval
        let names = fileNames(pair: pairs)
        pairs += 1
        var events = PrettyJSON(capacity: recordsPerFile * 330 + 64)
        var status = PrettyJSON(capacity: recordsPerFile * 150 + 64)
        events.beginObject()
        events.key("vehicles_events")
        events.beginArray()
        status.beginObject()
        status.key("vehicles_status")
        status.beginArray()
        let slot = max(1, interval / max(1, recordsPerFile))
        for record in 0..<recordsPerFile {
            let slotStart = windowStart + record * interval / recordsPerFile
            appendEvent(at: slotStart + random.below(slot), to: &events)
            appendStatus(at: slotStart + random.below(slot), to: &status)
        }
        events.endArray()
        events.endObject()
        events.finish()
        status.endArray()
        status.endObject()
        status.finish()
        return (File(name: names.events, bytes: events.bytes), File(name: names.status, bytes: status.bytes))
    }

    // MARK: Records

    private mutating func appendEvent(at time: Int, to json: inout PrettyJSON) {
        let index = eventRanks.draw(&random)
        var vehicle = fleet[index]
        step(&vehicle)
        fleet[index] = vehicle
        let table = eventKinds[vehicle.status]!
        let kind = table.kinds[table.index.draw(&random)]
        json.element()
        json.beginObject()
        json.key("vehicle_id")
        appendVehicleID(vehicle.id, to: &json.bytes)
        json.key("event_time")
        json.bytes.append(UInt8(ascii: "\""))
        json.bytes.timestamp(time)
        json.bytes.append(UInt8(ascii: "\""))
        json.key("event_source")
        json.bytes.jsonString(kind.source)
        json.key("event_type")
        json.bytes.jsonString(kind.name)
        json.key("event_value")
        if random.chance(0.01) {
            json.bytes.ascii("null")  // a sensor that answered without a reading
        } else {
            appendValue(kind, vehicle, to: &json.bytes)
        }
        json.key("event_extra_data")
        if random.chance(0.15) {
            json.bytes.ascii("null")
        } else {
            appendExtraData(kind, vehicle, to: &json)
        }
        json.endObject()
    }

    private mutating func appendStatus(at time: Int, to json: inout PrettyJSON) {
        let vehicle = fleet[random.below(fleet.count)]
        let source: StaticString
        if vehicle.status == .maintenance {
            source = random.chance(0.8) ? "fleet_manager" : "telematics"
        } else {
            switch random.below(100) {
            case 0..<75: source = "telematics"
            case 75..<95: source = "driver_app"
            default: source = "fleet_manager"
            }
        }
        json.element()
        json.beginObject()
        json.key("vehicle_id")
        appendVehicleID(vehicle.id, to: &json.bytes)
        json.key("report_time")
        json.bytes.append(UInt8(ascii: "\""))
        json.bytes.timestamp(time)
        json.bytes.append(UInt8(ascii: "\""))
        json.key("status_source")
        json.bytes.append(UInt8(ascii: "\""))
        json.bytes.ascii(source)
        json.bytes.append(UInt8(ascii: "\""))
        json.key("status")
        json.bytes.append(UInt8(ascii: "\""))
        json.bytes.ascii(vehicle.status.name)
        json.bytes.append(UInt8(ascii: "\""))
        json.endObject()
    }

    private func appendVehicleID(_ id: Int, to out: inout [UInt8]) {
        out.ascii("\"VH-")
        out.padded(id % 100_000, width: 5)
        out.append(UInt8(ascii: "\""))
    }

    private mutating func appendValue(_ kind: VehicleEvent, _ vehicle: VehicleState, to out: inout [UInt8]) {
        switch kind {
        case .speed: out.fixed(vehicle.speed, scale: 1)
        case .rpm: out.decimal(vehicle.status == .moving ? 1_200 + vehicle.speed * 2 + random.below(400) : 650 + random.below(150))
        case .fuelLevel: out.fixed(vehicle.fuel, scale: 1)
        case .engineTemperature: out.fixed(vehicle.engineTemperature, scale: 1)
        case .odometer: out.fixed(vehicle.odometer, scale: 1)
        case .batteryVoltage: out.fixed(vehicle.battery, scale: 2)
        case .tirePressure: out.decimal(210 + random.below(50))
        case .harshBraking: out.fixed(30 + random.below(50), scale: 2)
        case .position:
            var text: [UInt8] = [UInt8(ascii: "\"")]
            text.fixed(vehicle.latitude, scale: 5)
            text.append(UInt8(ascii: ","))
            text.fixed(vehicle.longitude, scale: 5)
            text.append(UInt8(ascii: "\""))
            out.append(contentsOf: text)
        case .geofenceEnter, .geofenceExit: out.jsonString(geofences[random.below(geofences.count)])
        case .doorOpen, .doorClose: out.jsonString(doors[random.below(doors.count)])
        case .tripStart, .tripEnd:
            out.ascii("\"TR-")
            out.hex(SplitMix64.mix(UInt64(vehicle.id) << 32 | UInt64(vehicle.trip)), digits: 8)
            out.append(UInt8(ascii: "\""))
        case .driverLogin, .driverLogout:
            out.ascii("\"DR-")
            out.padded(vehicle.driver % 10_000, width: 4)
            out.append(UInt8(ascii: "\""))
        case .faultCode: out.jsonString(faultCodes[random.below(faultCodes.count)].code)
        }
    }

    private mutating func appendExtraData(_ kind: VehicleEvent, _ vehicle: VehicleState, to json: inout PrettyJSON) {
        json.beginObject()
        switch kind {
        case .speed:
            let limit = [30, 50, 50, 50, 70, 80, 100, 120][random.below(8)]
            json.key("unit")
            json.bytes.ascii("\"km/h\"")
            json.key("limit_kmh")
            json.bytes.decimal(limit)
            json.key("over_limit")
            json.bytes.ascii(vehicle.speed > limit * 10 ? "true" : "false")
        case .position:
            json.key("lat")
            json.bytes.fixed(vehicle.latitude, scale: 5)
            json.key("lon")
            json.bytes.fixed(vehicle.longitude, scale: 5)
            json.key("heading")
            json.bytes.decimal(vehicle.heading)
            json.key("accuracy_m")
            json.bytes.fixed(20 + random.below(200), scale: 1)
            json.key("satellites")
            json.bytes.decimal(4 + random.below(10))
        case .fuelLevel:
            json.key("unit")
            json.bytes.ascii("\"percent\"")
            json.key("range_km")
            json.bytes.decimal(vehicle.fuel * 8 / 10)
        case .engineTemperature, .odometer, .rpm, .batteryVoltage:
            json.key("unit")
            json.bytes.ascii(kind.unit)
            if kind == .batteryVoltage {
                json.key("charging")
                json.bytes.ascii(vehicle.status == .moving ? "true" : "false")
            }
        case .tirePressure:
            json.key("unit")
            json.bytes.ascii("\"kPa\"")
            json.key("wheel")
            json.bytes.jsonString(["front_left", "front_right", "rear_left", "rear_right"][random.below(4)])
        case .harshBraking:
            json.key("speed_before_kmh")
            json.bytes.fixed(vehicle.speed + 100 + random.below(300), scale: 1)
            json.key("speed_after_kmh")
            json.bytes.fixed(vehicle.speed, scale: 1)
        case .geofenceEnter, .geofenceExit:
            json.key("zone_id")
            json.bytes.ascii("\"Z-")
            json.bytes.decimal(1 + random.below(40))
            json.bytes.append(UInt8(ascii: "\""))
            json.key("dwell_s")
            json.bytes.decimal(kind == .geofenceExit ? random.below(3_600) : 0)
        case .doorOpen, .doorClose:
            json.key("locked")
            json.bytes.ascii(kind == .doorClose && random.chance(0.7) ? "true" : "false")
            json.key("driver_present")
            json.bytes.ascii(random.chance(0.9) ? "true" : "false")
        case .tripStart, .tripEnd:
            json.key("driver_id")
            json.bytes.ascii("\"DR-")
            json.bytes.padded(vehicle.driver % 10_000, width: 4)
            json.bytes.append(UInt8(ascii: "\""))
            json.key("stops")
            json.beginArray()
            for _ in 0..<random.below(5) {
                json.element()
                json.bytes.jsonString(geofences[random.below(geofences.count)])
            }
            json.endArray()
        case .driverLogin, .driverLogout:
            json.key("method")
            json.bytes.jsonString(["nfc_card", "app", "pin"][random.below(3)])
        case .faultCode:
            let fault = faultCodes[random.below(faultCodes.count)]
            json.key("severity")
            json.bytes.jsonString(fault.severity)
            json.key("description")
            json.bytes.jsonString(fault.description)
            json.key("freeze_frame")
            json.beginObject()
            json.key("rpm")
            json.bytes.decimal(700 + random.below(3_000))
            json.key("coolant_c")
            json.bytes.decimal(vehicle.engineTemperature / 10)
            json.key("speed_kmh")
            json.bytes.fixed(vehicle.speed, scale: 1)
            json.endObject()
        }
        json.endObject()
    }

    // MARK: Vehicle state

    /// One step of a vehicle's life: change status now and then, then drive, idle or rest.
    private mutating func step(_ vehicle: inout VehicleState) {
        let roll = random.unit()
        switch vehicle.status {
        case .moving:
            if roll < 0.06 { vehicle.status = .idle }
        case .idle:
            if roll < 0.25 {
                vehicle.status = .moving
                vehicle.trip += 1
            } else if roll < 0.33 {
                vehicle.status = .parked
            }
        case .parked:
            if roll < 0.08 { vehicle.status = .idle }
        case .maintenance:
            if roll < 0.04 { vehicle.status = .parked }
        }
        if vehicle.status != .maintenance && random.chance(0.002) { vehicle.status = .maintenance }

        switch vehicle.status {
        case .moving:
            vehicle.speed = min(1_300, max(50, vehicle.speed + random.below(201) - 90))
            vehicle.heading = (vehicle.heading + random.below(41) + 340) % 360
            // Roughly north/south or east/west by the heading's quadrant, scaled by speed.
            let distance = vehicle.speed / 20
            switch vehicle.heading / 90 {
            case 0: vehicle.latitude += distance
            case 1: vehicle.longitude += distance
            case 2: vehicle.latitude -= distance
            default: vehicle.longitude -= distance
            }
            vehicle.odometer += vehicle.speed / 60
            vehicle.fuel = max(20, vehicle.fuel - random.below(3))
            vehicle.engineTemperature = min(1_050, vehicle.engineTemperature + random.below(30))
            vehicle.battery = 1_380 + random.below(40)
        case .idle:
            vehicle.speed = 0
            vehicle.engineTemperature = min(950, max(700, vehicle.engineTemperature + random.below(21) - 10))
            vehicle.battery = 1_360 + random.below(40)
        case .parked, .maintenance:
            vehicle.speed = 0
            vehicle.engineTemperature = max(150, vehicle.engineTemperature - random.below(60))
            vehicle.battery = max(1_150, vehicle.battery - random.below(3))
        }
        if vehicle.fuel < 100 && vehicle.status != .moving && random.chance(0.2) { vehicle.fuel = 950 + random.below(50) }
    }
}

struct VehicleState {
    let id: Int
    var status: VehicleStatus
    /// Tenths of km/h, tenths of a percent, tenths of km, hundred-thousandths of a degree,
    /// degrees, tenths of °C, hundredths of a volt.
    var speed: Int
    var fuel: Int
    var odometer: Int
    var latitude: Int
    var longitude: Int
    var heading: Int
    var engineTemperature: Int
    var battery: Int
    var driver: Int
    var trip: Int
}

enum VehicleStatus: CaseIterable, Hashable {
    case moving, idle, parked, maintenance

    var name: StaticString {
        switch self {
        case .moving: "moving"
        case .idle: "idle"
        case .parked: "parked"
        case .maintenance: "maintenance"
        }
    }
}

enum VehicleEvent: CaseIterable {
    case speed, rpm, fuelLevel, engineTemperature, odometer, batteryVoltage, tirePressure, harshBraking, position,
        geofenceEnter, geofenceExit, doorOpen, doorClose, tripStart, tripEnd, driverLogin, driverLogout, faultCode

    var name: String {
        switch self {
        case .speed: "speed"
        case .rpm: "rpm"
        case .fuelLevel: "fuel_level"
        case .engineTemperature: "engine_temp"
        case .odometer: "odometer"
        case .batteryVoltage: "battery_voltage"
        case .tirePressure: "tire_pressure"
        case .harshBraking: "harsh_braking"
        case .position: "position"
        case .geofenceEnter: "geofence_enter"
        case .geofenceExit: "geofence_exit"
        case .doorOpen: "door_open"
        case .doorClose: "door_close"
        case .tripStart: "trip_start"
        case .tripEnd: "trip_end"
        case .driverLogin: "driver_login"
        case .driverLogout: "driver_logout"
        case .faultCode: "fault_code"
        }
    }

    var source: String {
        switch self {
        case .speed, .rpm, .fuelLevel, .engineTemperature, .odometer, .batteryVoltage: "can_bus"
        case .tirePressure, .faultCode: "obd"
        case .harshBraking: "accelerometer"
        case .position, .geofenceEnter, .geofenceExit: "gps"
        case .doorOpen, .doorClose: "body_sensor"
        case .tripStart, .tripEnd, .driverLogin, .driverLogout: "driver_app"
        }
    }

    /// The unit of simple numeric readings, as a JSON string.
    var unit: StaticString {
        switch self {
        case .engineTemperature: "\"celsius\""
        case .odometer: "\"km\""
        case .rpm: "\"rpm\""
        case .batteryVoltage: "\"volt\""
        default: "\"\""
        }
    }

    /// How often this event happens in a status (nil: never).
    func weight(when status: VehicleStatus) -> Double? {
        switch (status, self) {
        case (.moving, .speed): 30
        case (.moving, .position): 25
        case (.moving, .rpm): 12
        case (.moving, .fuelLevel): 8
        case (.moving, .engineTemperature): 8
        case (.moving, .odometer): 5
        case (.moving, .harshBraking): 3
        case (.moving, .geofenceEnter), (.moving, .geofenceExit): 2
        case (.moving, .tirePressure): 2
        case (.moving, .faultCode): 0.5
        case (.idle, .rpm): 15
        case (.idle, .fuelLevel), (.idle, .engineTemperature): 12
        case (.idle, .position): 15
        case (.idle, .doorOpen), (.idle, .doorClose): 10
        case (.idle, .tripStart), (.idle, .tripEnd): 6
        case (.idle, .driverLogin), (.idle, .driverLogout): 4
        case (.parked, .doorOpen), (.parked, .doorClose): 20
        case (.parked, .batteryVoltage): 25
        case (.parked, .position): 10
        case (.parked, .driverLogout): 5
        case (.parked, .tripEnd): 5
        case (.maintenance, .faultCode): 40
        case (.maintenance, .batteryVoltage), (.maintenance, .tirePressure), (.maintenance, .odometer): 20
        default: nil
        }
    }
}

private let geofences = [
    "Depot Nord", "Depot Süd", "Kunde Müller GmbH", "Hafen Hamburg – Terminal 3", "Flughafen BER", "Zentrallager Köln",
    "Baustelle A7", "Werkstatt Weiß & Söhne", "Innenstadt (Umweltzone)",
]
private let doors = ["driver", "passenger", "rear", "cargo", "side_sliding"]
private let faultCodes: [(code: String, description: String, severity: String)] = [
    ("P0301", "Cylinder 1 misfire detected", "high"),
    ("P0420", "Catalyst system efficiency below threshold (bank 1)", "medium"),
    ("P0171", "System too lean (bank 1)", "medium"),
    ("P0128", "Coolant thermostat below regulating temperature", "low"),
    ("U0100", "Lost communication with ECM/PCM \"A\"", "high"),
    ("C0035", "Left front wheel speed sensor circuit", "medium"),
    ("B1318", "Battery voltage low", "low"),
    ("P2463", "Diesel particulate filter – soot accumulation", "medium"),
]
