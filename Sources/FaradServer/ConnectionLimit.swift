import HummingbirdCore
import Logging

/// At most `limit` open HTTP connections: beyond it the server stops accepting (new connections
/// wait in the kernel's backlog) until one closes. Reaching the limit is logged as a warning,
/// once each time the server fills up, so an exhausted server says why it stopped answering.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let limit: Int
    let logger: Logger
    private var open = 0
    private var warned = false

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        if open >= limit && !warned {
            warned = true
            logger.warning("connection limit reached: new connections wait until one closes", metadata: [
                "limit": "\(limit)",
            ])
        }
    }

    mutating func connectionClosed() {
        open -= 1
        // Warn again only once the server has had room for a while (a tenth of the limit).
        if warned && open < limit - max(1, limit / 10) { warned = false }
    }

    func isAcceptingNewConnections() -> Bool {
        open < limit
    }
}
