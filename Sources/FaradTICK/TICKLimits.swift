/// The bounds on a TICKscript, so that no script — however hostile — can exhaust the stack or
/// take more than linear time to parse, check and build.
///
/// Each limit is far above what a hand-written task needs; a script over one is refused with
/// an error naming the line and column where it went over.
public enum TICKLimits {
    /// The largest script, in UTF-8 bytes (1 MiB).
    public static let maximumScriptBytes = 1 << 20

    /// How deeply expressions may nest: parentheses, lists, call arguments, lambdas, unary
    /// operators, and chains of the same binary operator other than `AND` and `OR` (`1 + 2 + 3`
    /// nests three deep). Long `AND`/`OR` chains are parsed into balanced trees, so a condition of
    /// 20,000 `OR` terms nests only 15 deep. A lambda body after its variables are substituted
    /// counts too. Each level costs the recursive-descent parser about ten stack frames (tens of
    /// KiB in a debug or sanitizer build, where fuzzing found 200 levels overflowing 8 MiB), so
    /// the bound is set to fit any thread's stack with room to spare.
    public static let maximumDepth = 100

    /// The most nodes a task may have (`|name()` and `@udf()` links, and `stream`): a point
    /// passes through a task's nodes by nested calls, so this also bounds that depth.
    public static let maximumNodes = 1_000

    /// The most expression nodes the lambdas of one script may hold once variables are
    /// substituted into them (a lambda variable used twice in another counts twice).
    public static let maximumLambdaSize = 100_000
}
