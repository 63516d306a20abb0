/// Go's `filepath.Match` on task and topic IDs, as Kapacitor's list/enable/delete patterns use
/// it: `*` any run of characters but `/`, `?` one character, `[a-z]` / `[^a-z]` a class, `\` an
/// escape. The empty pattern matches everything (Kapacitor's "no pattern").
public enum Glob {
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern.isEmpty { return true }
        let p = Array(pattern.unicodeScalars), n = Array(name.unicodeScalars)
        // Iterative matching with one backtrack point for the last `*`: O(|p|·|n|) at worst.
        var pi = 0, ni = 0
        var star: (p: Int, n: Int)?
        while ni < n.count {
            if pi < p.count {
                switch p[pi] {
                case "*":
                    star = (pi, ni)
                    pi += 1
                    continue
                case "?" where n[ni] != "/":
                    pi += 1; ni += 1
                    continue
                case "[":
                    if let (ok, next) = matchClass(p, pi, n[ni]), ok {
                        pi = next; ni += 1
                        continue
                    }
                case "\\" where pi + 1 < p.count && p[pi + 1] == n[ni]:
                    pi += 2; ni += 1
                    continue
                default:
                    if p[pi] == n[ni] && p[pi] != "?" && p[pi] != "\\" {
                        pi += 1; ni += 1
                        continue
                    }
                }
            }
            guard let s = star, n[s.n] != "/" else { return false }
            star = (s.p, s.n + 1)
            pi = s.p + 1
            ni = s.n + 1
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Whether `c` is in the class starting at `p[start]` (`[`), and the index after it; `nil`
    /// for a class without its `]`.
    private static func matchClass(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < p.count && p[i] == "^" {
            negated = true
            i += 1
        }
        var matched = false
        var first = true
        while i < p.count && (p[i] != "]" || first) {
            first = false
            var lo = p[i]
            if lo == "\\" && i + 1 < p.count { i += 1; lo = p[i] }
            var hi = lo
            if i + 2 < p.count && p[i + 1] == "-" && p[i + 2] != "]" {
                hi = p[i + 2]
                if hi == "\\" && i + 3 < p.count { i += 1; hi = p[i + 2] }
                i += 2
            }
            if lo <= c && c <= hi { matched = true }
            i += 1
        }
        guard i < p.count else { return nil }
        return (matched != negated && c != "/", i + 1)
    }
}
