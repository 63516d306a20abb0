import FaradCore

/// What a window emits: the buffered points of one group and the batch's time.
public struct WindowBatch: Sendable, Equatable {
    /// The batch's time (`tmax`): the window's end.
    public var time: Int64
    public var points: [Point]
}

/// How a window node cuts its input, as TICKscript configures it.
public enum WindowSpec: Sendable, Hashable {
    /// `.period(P).every(E)` with `.align()` and `.fillPeriod()`; `every` 0 emits on every point.
    case time(period: Int64, every: Int64, align: Bool, fillPeriod: Bool)
    /// `.periodCount(N).everyCount(M)` with `.fillPeriod()`.
    case count(period: Int, every: Int, fillPeriod: Bool)
}

/// One group's window, a pure state machine following Kapacitor's `window.go`.
///
/// Time windows are data-driven: a window is emitted when a point arrives at or after the next
/// emit time. With `every` > 0 the batch holds the points in [emit − period, emit), its time is
/// the emit time, the triggering point goes into the next window, and the next emit time is that
/// point's time + every (truncated to every with `align`). With `every` 0 each point emits the
/// window (t − period, t]. Gaps produce no empty windows.
public struct WindowBuffer: Sendable {
    public let spec: WindowSpec
    private var points: [Point] = []
    private var start = 0
    private var nextEmit: Int64?
    private var sinceEmit = 0

    public init(_ spec: WindowSpec) {
        self.spec = spec
    }

    /// The number of points held.
    public var count: Int { points.count - start }

    /// Adds a point; returns the window it completes, if any.
    public mutating func receive(_ point: consuming Point) -> WindowBatch? {
        switch spec {
        case .time(let period, let every, let align, let fillPeriod):
            return receiveTimed(point, period: period, every: every, align: align, fillPeriod: fillPeriod)
        case .count(let period, let every, let fillPeriod):
            return receiveCounted(point, period: period, every: every, fillPeriod: fillPeriod)
        }
    }

    private mutating func receiveTimed(_ p: consuming Point, period: Int64, every: Int64, align: Bool, fillPeriod: Bool) -> WindowBatch? {
        let t = p.time
        if nextEmit == nil {
            if fillPeriod {
                var first = t.clampedAdding(period)
                if align && every > 0 {
                    // Aligned to every and after the first full period (Kapacitor adds one every).
                    first = truncate(first, every).clampedAdding(every)
                }
                nextEmit = first
            } else {
                nextEmit = align && every > 0 ? truncate(t.clampedAdding(every), every) : t.clampedAdding(every)
            }
        }
        let emitAt = nextEmit!
        if every == 0 {
            append(p)
            guard t >= emitAt else { return nil }
            purge(keepingAfter: t.clampedSubtracting(period), inclusive: false)
            nextEmit = t
            return WindowBatch(time: t, points: held)
        }
        guard t >= emitAt else {
            append(p)
            return nil
        }
        purge(keepingAfter: emitAt.clampedSubtracting(period), inclusive: true)
        let next = align ? truncate(t.clampedAdding(every), every) : t.clampedAdding(every)
        nextEmit = next
        let batch = WindowBatch(time: emitAt, points: take(before: emitAt, keepingFrom: next.clampedSubtracting(period)))
        append(p)
        return batch
    }

    /// The held points before `end`, dropping those before `oldest` (which no later window
    /// needs: Kapacitor keeps them until the next emission, Farad holds one window, not two).
    /// When nothing is kept, the buffer itself becomes the batch: no copy.
    private mutating func take(before end: Int64, keepingFrom oldest: Int64) -> [Point] {
        guard oldest >= end, points[start...].allSatisfy({ $0.time < end }) else {
            let batch = points[start...].filter { $0.time < end }
            purge(keepingAfter: oldest, inclusive: true)
            return batch
        }
        var batch: [Point] = []
        if start == 0 {
            swap(&batch, &points)
            points.reserveCapacity(batch.count)
        } else {
            batch = Array(points[start...])
            points.removeAll(keepingCapacity: true)
            start = 0
        }
        return batch
    }

    /// The window that `now` (the task's clock) has completed but no point has emitted yet:
    /// used when a group expires, so an idle group's last full window is not lost.
    public mutating func drain(now: Int64) -> WindowBatch? {
        guard case .time(let period, let every, _, _) = spec, every > 0, let emitAt = nextEmit, emitAt <= now else { return nil }
        purge(keepingAfter: emitAt.clampedSubtracting(period), inclusive: true)
        let points = held.filter { $0.time < emitAt }
        guard !points.isEmpty else { return nil }
        return WindowBatch(time: emitAt, points: points)
    }

    private mutating func receiveCounted(_ p: consuming Point, period: Int, every: Int, fillPeriod: Bool) -> WindowBatch? {
        let t = p.time
        append(p)
        if count > period { start += 1 }
        compact()
        sinceEmit += 1
        if fillPeriod && count < period { return nil }
        guard sinceEmit >= every else { return nil }
        sinceEmit = 0
        return WindowBatch(time: t, points: held)
    }

    private var held: [Point] { Array(points[start...]) }

    private mutating func append(_ p: consuming Point) {
        points.append(p)
    }

    /// Drops points before `oldest` (or at it, unless `inclusive`).
    private mutating func purge(keepingAfter oldest: Int64, inclusive: Bool) {
        while start < points.count && (inclusive ? points[start].time < oldest : points[start].time <= oldest) { start += 1 }
        compact()
    }

    private mutating func compact() {
        if start > 32 && start * 2 > points.count {
            points.removeFirst(start)
            start = 0
        }
    }

    private func truncate(_ t: Int64, _ unit: Int64) -> Int64 {
        floorTime(t, unit)
    }
}
