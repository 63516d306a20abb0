import Foundation

/// Resolves a query's `time_zone` (an IANA id such as `Europe/Berlin`, or `UTC`) to its offset.
///
/// Buckets use the zone's offset at the query's evaluation time; a range that crosses a DST
/// change keeps one offset (KairosDB follows the change).
enum ZoneOffsets {
    static func offset(of identifier: String, at now: Int64) -> Int64? {
        if identifier == "UTC" || identifier == "GMT" || identifier == "Etc/UTC" { return 0 }
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(now) / 1000))) * 1000
    }
}
