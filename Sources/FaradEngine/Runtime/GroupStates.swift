/// Per-group state with the time each group was last seen, for nodes that keep state per group.
struct GroupStates<State> {
    struct Entry {
        var state: State
        var lastSeen: Int64

        mutating func see(_ time: Int64) {
            if time > lastSeen { lastSeen = time }
        }
    }

    private var entries = GroupTable<GroupID, Entry>()

    var count: Int { entries.count }

    typealias Index = GroupTable<GroupID, Entry>.Slot

    /// The position of `group`'s state (created with `make` if needed), marked seen at `time`.
    /// Valid until the next insertion or removal.
    mutating func index(of group: GroupID, at time: Int64, make: () -> State) -> Index {
        let i = entries.slot(of: group) { Entry(state: make(), lastSeen: time) }
        entries[i].see(time)
        return i
    }

    /// The state of `group`, if it has one.
    func state(of group: GroupID) -> State? {
        entries.slot(of: group).map { entries[$0].state }
    }

    /// The state at `index`, changed in place.
    subscript(index: Index) -> State {
        get { entries[index].state }
        _modify { yield &entries[index].state }
    }

    /// Runs `body` on the state of `group`, creating it with `make` first if needed.
    mutating func update<R>(_ group: GroupID, at time: Int64, make: () -> State, _ body: (inout State) -> R) -> R {
        body(&self[index(of: group, at: time, make: make)])
    }

    /// Removes and returns the groups last seen before `time`, in group order.
    mutating func removeIdle(before time: Int64) -> [(GroupID, State)] {
        let idle = entries.slots.filter { entries[$0].lastSeen < time }.map { entries.key(at: $0) }.sorted { $0.rawValue < $1.rawValue }
        return idle.compactMap { g in entries.remove(g).map { (g, $0.state) } }
    }
}
