import Logging

/// swift-log's `StreamLogHandler` with its metadata formatted only when a message is written.
///
/// `StreamLogHandler` formats its metadata into a string each time a key is set. Hummingbird
/// sets a request id on the logger of every request, so with `StreamLogHandler` every request
/// paid for formatting metadata that a server logging at `warning` never writes (about 3% of a
/// small query's CPU). This handler keeps the metadata as it is set and hands it to an inner
/// `StreamLogHandler` with the message: the lines are the same, byte for byte.
///
/// ```swift
/// LoggingSystem.bootstrap { label in
///     var handler = LazyMetadataLogHandler(StreamLogHandler.standardError(label: label))
///     handler.logLevel = .info
///     return handler
/// }
/// ```
public struct LazyMetadataLogHandler: LogHandler {
    private var inner: StreamLogHandler

    /// Metadata of this logger, merged under each message's own metadata when one is written.
    public var metadata: Logger.Metadata = [:]

    /// A handler that writes through `inner` (its level and metadata provider are kept; its
    /// metadata is not used).
    public init(_ inner: StreamLogHandler) {
        self.inner = inner
        self.inner.metadata = [:]
    }

    /// The lowest level written.
    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    /// The provider whose metadata is added to every message.
    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes `event` with the metadata `StreamLogHandler` would give it: this logger's, then
    /// the provider's, then the event's own (later ones win).
    public func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            var merged = metadata
            if let provided = inner.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
            if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
            event.metadata = merged
        }
        inner.log(event: event)
    }
}
