import FaradCore

/// Tags as one text, in KairosDB's row-key form: for each tag sorted by name `name=value:`,
/// with `:` put before a `:` or `=` in a name and `=` before a `:` or `=` in a value.
enum TagText {
    static func encode(_ tags: [SeriesKey.Tag]) -> String {
        var out = String.UnicodeScalarView()
        for t in tags {
            append(t.key, escapedWith: ":", to: &out)
            out.append("=")
            append(t.value, escapedWith: "=", to: &out)
            out.append(":")
        }
        return String(out)
    }

    static func decode(_ text: String) -> [SeriesKey.Tag] {
        var tags: [SeriesKey.Tag] = []
        var scalars = Array(text.unicodeScalars)[...]
        while !scalars.isEmpty {
            let key = read(&scalars, escape: ":", until: "=")
            let value = read(&scalars, escape: "=", until: ":")
            tags.append(SeriesKey.Tag(key, value))
        }
        return tags
    }

    private static func append(_ text: String, escapedWith escape: Unicode.Scalar, to out: inout String.UnicodeScalarView) {
        for ch in text.unicodeScalars {
            if ch == ":" || ch == "=" { out.append(escape) }
            out.append(ch)
        }
    }

    /// Reads up to (and past) an unescaped `terminator`.
    private static func read(_ scalars: inout ArraySlice<Unicode.Scalar>, escape: Unicode.Scalar, until terminator: Unicode.Scalar) -> String {
        var out = String.UnicodeScalarView()
        while let c = scalars.popFirst() {
            if c == escape, let n = scalars.first, n == ":" || n == "=" {
                out.append(n)
                scalars = scalars.dropFirst()
            } else if c == terminator {
                break
            } else {
                out.append(c)
            }
        }
        return String(out)
    }
}
