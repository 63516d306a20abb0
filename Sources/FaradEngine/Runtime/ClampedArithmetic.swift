/// Time arithmetic that cannot trap: point times come from writes and may be anywhere in the
/// 64-bit range, so a node's `time + period` near the range's ends clamps to it instead.
extension Int64 {
    /// `self + other`, clamped to `Int64.min…Int64.max`.
    func clampedAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// `self * other`, clamped to `Int64.min…Int64.max`.
    func multipliedClamped(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) != (other < 0) ? .min : .max) : product
    }

    /// `self - other`, clamped to `Int64.min…Int64.max`.
    func clampedSubtracting(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : difference
    }
}

/// `t` rounded down to a multiple of `unit` (> 0), clamped at `Int64.min`.
func floorTime(_ t: Int64, _ unit: Int64) -> Int64 {
    let r = t % unit
    return r < 0 ? (t - r).clampedSubtracting(unit) : t - r
}
