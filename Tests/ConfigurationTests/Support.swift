import Foundation
import Testing

@testable import LakegateConfiguration

/// Parses with no environment and a fixed base folder, so results do not depend on the machine.
func parse(_ yaml: String, environment: [String: String] = [:], base: String = "/srv/lg") throws -> LakegateConfiguration {
    try LakegateConfiguration.parse(yaml: yaml, environment: environment, baseDirectory: base)
}

/// The error parsing `yaml` gives (a test failure when it parses).
func configurationError(_ yaml: String, environment: [String: String] = [:]) -> ConfigurationError? {
    do {
        _ = try parse(yaml, environment: environment)
        return nil
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// The repository root, found from this file's place.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A fresh temporary folder.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lakegate-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
