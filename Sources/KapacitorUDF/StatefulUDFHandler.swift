#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A handler whose state is one `Codable` value, snapshotted as JSON.
///
/// Conform, keep everything that must survive a restart in ``state``, and ``UDFHandler/snapshot()``
/// and ``UDFHandler/restore(_:)`` come for free:
///
/// ```swift
/// struct Counter: StatefulUDFHandler {
///     struct State: Codable { var counts: [String: Int] = [:] }
///     var state = State()
///     // …
/// }
/// ```
public protocol StatefulUDFHandler: UDFHandler {
    associatedtype State: Codable
    var state: State { get set }
}

extension StatefulUDFHandler {
    public mutating func snapshot() async throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [UInt8](try encoder.encode(state))
    }

    public mutating func restore(_ snapshot: [UInt8]) async throws {
        if snapshot.isEmpty { return }
        do {
            state = try JSONDecoder().decode(State.self, from: Data(snapshot))
        } catch {
            throw UDFError(.invalidOptions, "cannot restore snapshot: \(error)")
        }
    }
}
