import Synchronization

/// The `.inhibit(category, tags…)` of every running task, shared by all tasks through their
/// ``TaskEnvironment``: while an alert node with `.inhibit('c', 'host')` has a non-OK level for a
/// group, events of alert nodes with `.category('c')` whose `host` tag is that group's are not
/// sent (they count as `alerts_inhibited`), as in Kapacitor. No equal tags: the whole category.
public final class AlertInhibitors: Sendable {
    /// One `.inhibit()` of one alert node: the tag values of its groups that are not OK.
    final class Inhibitor: Sendable {
        let category: String
        let equalTags: [String]
        private let active = Mutex<Set<String>>([])

        init(category: String, equalTags: [String]) {
            self.category = category
            self.equalTags = equalTags
        }

        func key(_ tags: [(key: String, value: String)]) -> String {
            equalTags.map { t in tags.first { $0.key == t }?.value ?? "" }.joined(separator: "\u{0}")
        }

        func set(_ tags: [(key: String, value: String)], active isActive: Bool) {
            let k = key(tags)
            active.withLock { s in
                if isActive { s.insert(k) } else { s.remove(k) }
            }
        }

        func inhibits(_ category: String, _ tags: [(key: String, value: String)]) -> Bool {
            guard category == self.category else { return false }
            let k = key(tags)
            return active.withLock { $0.contains(k) }
        }
    }

    private let inhibitors = Mutex<[ObjectIdentifier: Inhibitor]>([:])

    public init() {}

    func add(_ i: Inhibitor) { inhibitors.withLock { $0[ObjectIdentifier(i)] = i } }
    func remove(_ i: Inhibitor) { inhibitors.withLock { $0[ObjectIdentifier(i)] = nil } }

    /// Whether an event of `category` with `tags` is inhibited by a running task's alert.
    func isInhibited(category: String, tags: [(key: String, value: String)]) -> Bool {
        guard !category.isEmpty else { return false }
        return inhibitors.withLock { $0.values.contains { $0.inhibits(category, tags) } }
    }

    /// Takes a node's inhibitors out of the registry when its task stops (they join it with
    /// the node's first event).
    final class Registration: TaskOutput {
        let registry: AlertInhibitors
        let inhibitors: [Inhibitor]

        init(registry: AlertInhibitors, inhibitors: [Inhibitor]) {
            self.registry = registry
            self.inhibitors = inhibitors
        }

        func start() {}
        func stop() { for i in inhibitors { registry.remove(i) } }
    }
}
