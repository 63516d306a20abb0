import FaradCore
import FaradTICK

#if canImport(Glibc)
import Glibc
#endif

/// `|alert()`: raises events of levels OK, INFO, WARNING and CRITICAL per group, as Kapacitor
/// does, and hands them to its handlers; passes on, decorated, only the points (or batches)
/// that produced an event.
///
/// Levels are tried from CRITICAL down to above the current level, then the current level's
/// reset lambda (if it is false the level stays), then from the current level down; nothing
/// true is OK (a lambda that fails counts as false). An event goes out for every non-OK level
/// and for a change back to OK, unless `.stateChangesOnly([d])` (only changes, or the same
/// level again after `d` of data time), `.flapping(low, high)` or `.noRecoveries()` holds it.
final class AlertNode: EngineNode {
    struct Settings {
        var levels: [CompiledLambda?] = Array(repeating: nil, count: 4)
        var resets: [CompiledLambda?] = Array(repeating: nil, count: 4)
        var id: GoTemplate
        /// `.id()` is Kapacitor's default, `{{ .Name }}:{{ .Group }}`: rendered without the engine.
        var idIsDefault = true
        /// `.message()` and `.details()` are Kapacitor's defaults: written without the engine.
        var messageIsDefault = true
        var detailsIsDefault = true
        var message: GoTemplate
        var details: GoTemplate
        var all = false
        var noRecoveries = false
        var stateChangesOnly: Int64?
        var flapping: (low: Double, high: Double)?
        var history = 21
        var category = ""
        /// `.inhibit(category, equalTags…)`: the node's own inhibitors, and the registry its
        /// category is checked against.
        var inhibits: [AlertInhibitors.Inhibitor] = []
        var inhibitors: AlertInhibitors?
        var levelTag = "", levelField = "", messageField = "", durationField = "", idTag = "", idField = ""
        /// `.topic('t')`: the named topic the events also go to, and the server's registry.
        var topic: (id: String, registry: AlertTopics)?
    }

    let settings: Settings
    let taskID: String
    let handlers: [AlertHandler]
    private let serverInfo: GoValue
    // Unchecked: see EngineNode.children.
    @exclusivity(unchecked) private var states = GroupStates<AlertState>()
    /// The last non-OK level sent for each event id (an id is absent once it sent OK).
    @exclusivity(unchecked) private var sentLevels: [String: AlertLevel] = [:]
    @exclusivity(unchecked) private var triggered = [0, 0, 0, 0]
    @exclusivity(unchecked) private var alertsTriggered = 0
    @exclusivity(unchecked) private var alertsInhibited = 0
    /// The node's inhibitors join the registry with its first decided event (a node built only
    /// to check a script never does); its task's stop takes them out.
    @exclusivity(unchecked) private var inhibitorsRegistered = false
    /// The last event of each ID, for the topic API (at most ``AlertTopic/maxEvents`` IDs).
    @exclusivity(unchecked) private var lastEvents: [String: AlertEvent] = [:]
    /// Where the state is kept between runs (`nil`: not kept, as in Kapacitor), what an earlier
    /// run left for groups not seen yet, and what changed since the last save.
    private let stateStore: (any AlertStateStore)?
    @exclusivity(unchecked) private var restored: [String: AlertState] = [:]
    @exclusivity(unchecked) private var dirtyGroups: Set<GroupID> = []
    @exclusivity(unchecked) private var dirtyIDs: Set<String> = []
    /// The level and reset lambdas, copied per group when stateful (`sigma()`, `count()`).
    @exclusivity(unchecked) private var levels: [GroupLambda?]
    @exclusivity(unchecked) private var resets: [GroupLambda?]

    init(name: String, provides: EdgeType, taskID: String, settings: Settings, handlers: [AlertHandler], hostname: String? = nil,
         stateStore: (any AlertStateStore)? = nil) {
        self.settings = settings
        self.stateStore = stateStore
        levels = settings.levels.map { $0.map(GroupLambda.init) }
        resets = settings.resets.map { $0.map(GroupLambda.init) }
        self.taskID = taskID
        self.handlers = handlers
        serverInfo = .object([("Hostname", .string(hostname ?? Self.hostname)), ("ClusterID", .string("")), ("ServerID", .string(""))])
        super.init(name: name, type: "alert", provides: provides)
        if let stateStore { restore(stateStore.load(task: taskID, node: name)) }
    }

    /// An earlier run's records: `g:<group>` a group's state, `i:<id>` the last level sent for an ID.
    private func restore(_ records: [String: [UInt8]]) {
        for (key, bytes) in records {
            if key.hasPrefix("g:"), let state = AlertState(encoded: bytes, history: settings.history) {
                restored[String(key.dropFirst(2))] = state
            } else if key.hasPrefix("i:"), bytes.count == 1, let level = AlertLevel(rawValue: Int(bytes[0])), level != .ok {
                sentLevels[String(key.dropFirst(2))] = level
            }
        }
    }

    /// A group's state the first time this run sees it: the earlier run's, else a fresh one.
    private func newState(_ group: GroupID) -> AlertState {
        restored.removeValue(forKey: group.rawValue) ?? AlertState(history: settings.history)
    }

    /// What changed since the last call, as records for the store. Call with the task's lock held.
    func takeStateChanges() -> [(key: String, bytes: [UInt8]?)] {
        guard stateStore != nil else { return [] }
        var changes: [(key: String, bytes: [UInt8]?)] = []
        for g in dirtyGroups { changes.append(("g:" + g.rawValue, states.state(of: g)?.encoded)) }
        for id in dirtyIDs { changes.append(("i:" + id, sentLevels[id].map { [UInt8($0.rawValue)] })) }
        dirtyGroups.removeAll(keepingCapacity: true)
        dirtyIDs.removeAll(keepingCapacity: true)
        return changes
    }

    override var cardinality: Int { states.count }

    /// The node's anonymous topic. Call with the task's lock held.
    var topic: AlertTopic {
        AlertTopic(id: "main:\(taskID):\(name)", collected: alertsTriggered,
                   events: lastEvents.values.sorted { $0.id < $1.id }.map(AlertTopic.Event.init))
    }

    /// Kapacitor's keys, then the handlers' deliveries summed (`events_dropped` is the name
    /// Kapacitor gives the count it never exposes; `events_sent` and `events_failed` are Farad's).
    override var extraStatistics: [(String, Int)] {
        [
            ("alerts_inhibited", alertsInhibited), ("alerts_triggered", alertsTriggered), ("crits_triggered", triggered[3]),
            ("infos_triggered", triggered[1]), ("oks_triggered", triggered[0]), ("warns_triggered", triggered[2]),
            ("events_dropped", handlers.reduce(0) { $0 + $1.dropped.load(ordering: .relaxed) }),
            ("events_failed", handlers.reduce(0) { $0 + $1.failed.load(ordering: .relaxed) }),
            ("events_sent", handlers.reduce(0) { $0 + $1.sent.load(ordering: .relaxed) }),
        ]
    }

    override func process(_ message: consuming Message) {
        switch consume message {
        case .point(var sp): if alert(&sp) { emit(.point(sp)) }
        case .batch(var b): if alert(&b) { emit(.batch(b)) }
        }
    }

    /// A stream point: true when it produced an event (and was decorated).
    private func alert(_ sp: inout StreamPoint) -> Bool {
        let t = sp.point.time
        let i = states.index(of: sp.group, at: clock.now) { newState(sp.group) }
        let level = determineLevel(sp.point, current: states[i].currentLevel, group: sp.group)
        states[i].add(level, at: t, flapping: settings.flapping, stateChangesOnly: settings.stateChangesOnly ?? 0)
        let s = states[i]
        if stateStore != nil && (s.changed || level != .ok) { dirtyGroups.insert(sp.group) }
        if (settings.flapping != nil && s.flapping) || (settings.stateChangesOnly != nil && !s.changed && !s.expired) { return false }
        guard level != .ok || s.changed else { return false }
        states[i].triggered(at: t)
        guard !inhibited(level, tags: sp.point.tags) else { return false }
        if settings.noRecoveries && level == .ok { return false }
        let duration = states[i].duration
        guard let event = makeEvent(name: sp.point.measurement, group: sp.group, tags: sp.point.tags, fields: sp.point.fields,
                                    level: level, time: t, duration: duration, data: .point(sp)) else { return false }
        send(event)
        decorate(&sp.point, event, duration: duration)
        return true
    }

    /// A batch: the highest level of its points (the lowest with `.all()`).
    private func alert(_ b: inout Batch) -> Bool {
        guard !b.points.isEmpty else { return false }
        let i = states.index(of: b.group, at: clock.now) { newState(b.group) }
        let current = states[i].currentLevel
        var lowest = AlertLevel.critical, highest = AlertLevel.ok
        var highestPoint = 0
        var first = true
        for (k, p) in b.points.enumerated() {
            let l = determineLevel(p, current: current, group: b.group)
            if l < lowest { lowest = l }
            if l > highest || first {
                highest = l
                highestPoint = k
                first = false
            }
        }
        let level = settings.all ? lowest : highest
        let t = settings.all || level == .ok ? b.tmax : b.points[highestPoint].time
        states[i].add(level, at: t, flapping: settings.flapping, stateChangesOnly: settings.stateChangesOnly ?? 0)
        let s = states[i]
        if stateStore != nil && (s.changed || level != .ok) { dirtyGroups.insert(b.group) }
        let suppressed = (settings.flapping != nil && s.flapping) || (settings.stateChangesOnly != nil && !s.changed && !s.expired)
        guard (s.changed && level == .ok) || (level != .ok && !suppressed) else { return false }
        states[i].triggered(at: t)
        guard !inhibited(level, tags: b.tags) else { return false }
        if settings.noRecoveries && level == .ok { return false }
        let duration = states[i].duration
        guard let event = makeEvent(name: b.name, group: b.group, tags: b.tags, fields: b.points[highestPoint].fields,
                                    level: level, time: t, duration: duration, data: .batch(b)) else { return false }
        send(event)
        for k in b.points.indices { decorate(&b.points[k], event, duration: duration) }
        if !settings.levelTag.isEmpty { b.tags = Self.setting(b.tags, settings.levelTag, "\(level)") }
        if !settings.idTag.isEmpty { b.tags = Self.setting(b.tags, settings.idTag, event.id) }
        return true
    }

    /// Updates the node's own inhibitors with a decided level, then tells whether another
    /// alert inhibits this event (counted in `alerts_inhibited`).
    private func inhibited(_ level: AlertLevel, tags: [(key: String, value: String)]) -> Bool {
        if !settings.inhibits.isEmpty {
            if !inhibitorsRegistered {
                for i in settings.inhibits { settings.inhibitors?.add(i) }
                inhibitorsRegistered = true
            }
            for i in settings.inhibits { i.set(tags, active: level != .ok) }
        }
        guard let registry = settings.inhibitors, registry.isInhibited(category: settings.category, tags: tags) else { return false }
        alertsInhibited += 1
        return true
    }

    private func determineLevel(_ p: Point, current: AlertLevel, group: GroupID) -> AlertLevel {
        // From CRITICAL down to the current level, then the current level's reset, then below.
        if let level = firstMatch(from: .critical, downToAbove: current.rawValue - 1, p, group) { return level }
        if resets[current.rawValue] != nil, !evaluate(resets[current.rawValue]!(group), p, "reset of \(current)") { return current }
        return firstMatch(from: current, downToAbove: 0, p, group) ?? .ok
    }

    /// The first level from `start` down to above level `stop` (at least above OK) whose lambda is true.
    private func firstMatch(from start: AlertLevel, downToAbove stop: Int, _ p: Point, _ group: GroupID) -> AlertLevel? {
        var l = start.rawValue
        while l > max(stop, 0) {
            if levels[l] != nil, evaluate(levels[l]!(group), p, "\(AlertLevel(rawValue: l)!)") { return AlertLevel(rawValue: l) }
            l -= 1
        }
        return nil
    }

    /// A level's lambda; an error counts as false (and as a node error).
    private func evaluate(_ lambda: CompiledLambda, _ p: Point, _ what: String) -> Bool {
        do throws(LambdaError) {
            return try lambda.evaluateBool(p)
        } catch {
            fail("alert \(what) \(lambda.source): \(error.message)")
            return false
        }
    }

    /// The event of a decided level: its id rendered now (the state and `previousLevel` need
    /// it), its message and details when first used.
    private func makeEvent(name: String, group: GroupID, tags: [(key: String, value: String)], fields: [(key: String, value: FieldValue)],
                           level: AlertLevel, time: Int64, duration: Int64, data: Message) -> AlertEvent? {
        let source = AlertEvent.Source(name: name, taskName: taskID, group: group.rawValue.isEmpty ? "nil" : group.rawValue,
                                       tags: tags, fields: fields, serverInfo: serverInfo)
        let id: String
        if settings.idIsDefault {
            id = source.name + ":" + source.group
        } else {
            do throws(GoTemplateError) {
                id = try settings.id.render(.object(source.idInfo))
            } catch {
                fail("alert .id(): \(error.message)")
                return nil
            }
        }
        return AlertEvent(id: id, time: time, duration: duration, level: level, previousLevel: sentLevels[id] ?? .ok,
                          recoverable: !settings.noRecoveries, source: source, data: data,
                          message: settings.messageIsDefault ? nil : settings.message,
                          details: settings.detailsIsDefault ? nil : settings.details)
    }

    private func send(_ event: AlertEvent) {
        alertsTriggered += 1
        triggered[event.level.rawValue] += 1
        if event.level == .ok { sentLevels[event.id] = nil } else { sentLevels[event.id] = event.level }
        if lastEvents.count < AlertTopic.maxEvents || lastEvents[event.id] != nil { lastEvents[event.id] = event }
        if stateStore != nil { dirtyIDs.insert(event.id) }
        for h in handlers { h.offer(event) }
        if let topic = settings.topic { topic.registry.publish(event, to: topic.id) }
    }

    private func decorate(_ p: inout Point, _ event: AlertEvent, duration: Int64) {
        let s = settings
        if !s.levelTag.isEmpty { p.setTag(s.levelTag, "\(event.level)") }
        if !s.idTag.isEmpty { p.setTag(s.idTag, event.id) }
        if !s.levelField.isEmpty { p.setField(s.levelField, .string("\(event.level)")) }
        if !s.messageField.isEmpty { p.setField(s.messageField, .string(event.parts.message)) }
        if !s.idField.isEmpty { p.setField(s.idField, .string(event.id)) }
        if !s.durationField.isEmpty { p.setField(s.durationField, .int(duration)) }
    }

    private static func setting(_ tags: [(key: String, value: String)], _ key: String, _ value: String) -> [(key: String, value: String)] {
        var out = tags.filter { $0.key != key }
        out.append((key, value))
        return out.sorted { $0.key < $1.key }
    }

    static let hostname: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(cString: buffer)
    }()
}

extension AlertNode: NodeKind {
    static let methods = [NodeMethod("alert")]

    static let defaultID = "{{ .Name }}:{{ .Group }}"
    static let defaultMessage = "{{ .ID }} is {{ .Level }}"
    static let defaultDetails = "{{ json . }}"

    /// Kapacitor's handlers that Farad does not have (yet): named in the error.
    static let otherHandlers: Set<String> = [
        "email", "slack", "pagerDuty", "pagerDuty2", "opsGenie", "opsGenie2", "victorOps", "telegram", "teams", "discord",
        "kafka", "snmpTrap", "sensu", "alerta", "pushover", "serviceNow", "zenoss", "bigPanda", "talk", "hipChat",
    ]

    static func make(_ b: inout NodeBuild) throws(TICKDiagnostic) -> EngineNode {
        try b.noArguments()
        let input = try b.requireEdge()
        let spec = b.spec
        func template(_ property: String, _ fallback: String, html: Bool = false) throws(TICKDiagnostic) -> GoTemplate {
            let source = try b.props.string(property) ?? fallback
            do throws(GoTemplateError) {
                return try GoTemplate(source, name: property, html: html)
            } catch {
                throw TICKDiagnostic(at: spec.position, "alert .\(property)(): \(error.message)")
            }
        }
        var s = Settings(id: try template("id", defaultID), message: try template("message", defaultMessage),
                         details: try template("details", defaultDetails, html: true))
        s.idIsDefault = spec.properties.allSatisfy { $0.name != "id" }
        s.messageIsDefault = spec.properties.allSatisfy { $0.name != "message" }
        s.detailsIsDefault = spec.properties.allSatisfy { $0.name != "details" }
        for (i, name) in ["", "info", "warn", "crit"].enumerated() where i > 0 {
            s.levels[i] = try lambda(&b, name)
            s.resets[i] = try lambda(&b, name + "Reset")
        }
        s.all = try b.props.flag("all")
        s.noRecoveries = try b.props.flag("noRecoveries")
        if let call = b.props.calls("stateChangesOnly").last {
            switch call.arguments.first?.value {
            case nil: s.stateChangesOnly = 0
            case .duration(let d)? where d >= 0 && call.arguments.count == 1: s.stateChangesOnly = d
            default: throw TICKDiagnostic(at: call.position, ".stateChangesOnly() takes nothing or a duration, e.g. .stateChangesOnly(10m)")
            }
        }
        if let call = b.props.calls("flapping").last {
            guard call.arguments.count == 2, let low = number(call.arguments[0].value), let high = number(call.arguments[1].value) else {
                throw TICKDiagnostic(at: call.position, ".flapping() takes two thresholds, e.g. .flapping(0.25, 0.5)")
            }
            guard low <= 1, high <= 1 else { throw TICKDiagnostic(at: call.position, "alert flap thresholds are percentages and should be between 0 and 1") }
            s.flapping = (low, high)
        }
        if let h = try b.props.int("history") {
            guard h <= 10_000 else { throw TICKDiagnostic(at: spec.position, ".history() keeps at most 10000 levels, got \(h)") }
            s.history = max(Int(h), 2)
        }
        s.category = try b.props.string("category") ?? ""
        s.levelTag = try b.props.string("levelTag") ?? ""
        s.levelField = try b.props.string("levelField") ?? ""
        s.messageField = try b.props.string("messageField") ?? ""
        s.durationField = try b.props.string("durationField") ?? ""
        s.idTag = try b.props.string("idTag") ?? ""
        s.idField = try b.props.string("idField") ?? ""
        for call in b.props.calls("inhibit") {
            var strings: [String] = []
            for a in call.arguments {
                guard case .string(let text) = a.value else { throw TICKDiagnostic(at: a.position, ".inhibit() takes a category and tag names, all strings") }
                strings.append(text)
            }
            guard let category = strings.first, !category.isEmpty else {
                throw TICKDiagnostic(at: call.position, ".inhibit() takes the category it inhibits, then the tags that must be equal, e.g. .inhibit('system', 'host')")
            }
            s.inhibits.append(AlertInhibitors.Inhibitor(category: category, equalTags: Array(strings.dropFirst())))
        }
        if !s.category.isEmpty || !s.inhibits.isEmpty { s.inhibitors = b.environment.inhibitors }
        if !s.inhibits.isEmpty { b.outputs.append(AlertInhibitors.Registration(registry: b.environment.inhibitors, inhibitors: s.inhibits)) }
        let (sinks, topic) = try AlertHandlerSpecs.read(&b)
        if !topic.isEmpty { s.topic = (topic, b.environment.topics) }
        var handlers: [AlertHandler] = []
        for sink in sinks {
            let h = AlertHandler(sink, logger: b.environment.logger)
            handlers.append(h)
            b.outputs.append(h)
        }
        return AlertNode(name: b.name, provides: input, taskID: b.taskID, settings: s, handlers: handlers, hostname: b.environment.hostname,
                         stateStore: b.environment.alertStateStore)
    }

    private static func lambda(_ b: inout NodeBuild, _ property: String) throws(TICKDiagnostic) -> CompiledLambda? {
        guard let call = b.props.calls(property).last else { return nil }
        guard call.arguments.count == 1, case .lambda(let body, let source) = call.arguments[0].value else {
            throw TICKDiagnostic(at: call.position, ".\(property)() takes one lambda, e.g. .\(property)(lambda: \"value\" > 90)")
        }
        return try CompiledLambda(body, source: source)
    }

    private static func number(_ v: ScriptValue) -> Double? {
        switch v {
        case .float(let x): x
        case .int(let n): Double(n)
        default: nil
        }
    }
}
