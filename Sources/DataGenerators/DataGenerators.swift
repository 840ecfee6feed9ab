// DataGenerators: realistic, deterministic data for demos, tests and benchmarks. Pure: each
// generator appends bytes to a buffer and does no I/O (the `lakegate generate` command writes
// them). No dependencies.
//
//   SeededRandom.swift   xoshiro256** seeded by SplitMix64; bounded, weighted and Zipf draws
//   ByteText.swift       appending numbers, UUIDs, JSON strings and CSV fields as bytes
//   CivilTime.swift      UTC calendar arithmetic, timestamp parsing and formatting
//   PrettyJSON.swift     indented JSON for the vehicle files
//   Places.swift         cities with coordinates and traffic shares
//   WebEvents.swift      `WebEventGenerator`: nested web-analytics events as NDJSON
//   VehicleFiles.swift   `VehicleFileGenerator`: fleet events and status as pairs of JSON files
//   WideCSV.swift        `WideCSVGenerator`: a wide, typed CSV of orders
//
// The same seed gives the same bytes on every run, machine and build: randomness comes only
// from `SeededRandom`, and numbers are derived with integer arithmetic and IEEE-754 basic
// operations (never libm's transcendental functions, whose last bits vary between platforms).
