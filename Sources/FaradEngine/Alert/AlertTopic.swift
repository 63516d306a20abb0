/// What Kapacitor's topic API shows of one alert node: its anonymous topic
/// (`main:<task>:<node>`, as Kapacitor names the topic of an alert without `.topic()`), the
/// highest level among its events, how many events it collected, and the last state of each
/// event ID. Taken under the task's lock, which copies only references.
public struct AlertTopic: Sendable {
    /// The last state of one event ID. Its message and details are rendered when first read
    /// (once, shared with the handlers), not while the task's lock is held.
    public struct Event: Sendable {
        let event: AlertEvent

        public var id: String { event.id }
        public var level: AlertLevel { event.level }
        public var message: String { event.parts.message }
        public var details: String { event.parts.details }
        /// Event time (ns since the epoch) and how long the ID has been out of OK (ns).
        public var time: Int64 { event.time }
        public var duration: Int64 { event.duration }
    }

    public var id: String
    public var collected: Int
    public var events: [Event]
    /// The handlers bound through the API (a named topic's; an anonymous topic has none).
    public var handlers: [TopicHandlerSpec] = []

    /// The highest level of the events (OK when there are none), as Kapacitor's topic level.
    public var level: AlertLevel { events.map(\.level).max() ?? .ok }

    /// At most this many event IDs are kept per topic; events of further IDs are counted in
    /// `collected` but not listed (Kapacitor keeps every ID for ever).
    public static let maxEvents = 10_000
}
