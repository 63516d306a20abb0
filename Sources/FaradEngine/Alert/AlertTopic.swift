/// What Kapacitor's topic API shows of one alert node: its anonymous topic
/// (`main:<task>:<node>`, as Kapacitor names the topic of an alert without `.topic()`), the
/// highest level among its events, how many events it collected, and the last state of each
/// event ID. A copy, taken under the task's lock.
public struct AlertTopic: Sendable {
    /// The last state of one event ID.
    public struct Event: Sendable {
        public var id: String
        public var level: AlertLevel
        public var message: String
        public var details: String
        /// Event time (ns since the epoch) and how long the ID has been out of OK (ns).
        public var time: Int64
        public var duration: Int64
    }

    public var id: String
    public var collected: Int
    public var events: [Event]

    /// The highest level of the events (OK when there are none), as Kapacitor's topic level.
    public var level: AlertLevel { events.map(\.level).max() ?? .ok }

    /// At most this many event IDs are kept per topic; events of further IDs are counted in
    /// `collected` but not listed (Kapacitor keeps every ID for ever).
    public static let maxEvents = 10_000
}
