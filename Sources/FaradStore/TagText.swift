import FaradCore

/// Tags as one text, in KairosDB's row-key form: for each tag sorted by name `name=value:`,
/// with `:` put before a `:` or `=` in a name and `=` before a `:` or `=` in a value.
enum TagText {
    static func encode(_ tags: [SeriesKey.Tag]) -> String {
        var out = ""
        for t in tags {
            for ch in t.key.unicodeScalars {
                if ch == ":" || ch == "=" { out.unicodeScalars.append(":") }
                out.unicodeScalars.append(ch)
            }
            out.append("=")
            for ch in t.value.unicodeScalars {
                if ch == ":" || ch == "=" { out.unicodeScalars.append("=") }
                out.unicodeScalars.append(ch)
            }
            out.append(":")
        }
        return out
    }

    static func decode(_ text: String) -> [SeriesKey.Tag] {
        var tags: [SeriesKey.Tag] = []
        var scalars = Array(text.unicodeScalars)[...]
        while !scalars.isEmpty {
            var key = String.UnicodeScalarView()
            while let c = scalars.first {
                scalars = scalars.dropFirst()
                if c == ":", let n = scalars.first, n == ":" || n == "=" {
                    key.append(n)
                    scalars = scalars.dropFirst()
                } else if c == "=" {
                    break
                } else {
                    key.append(c)
                }
            }
            var value = String.UnicodeScalarView()
            while let c = scalars.first {
                scalars = scalars.dropFirst()
                if c == "=", let n = scalars.first, n == ":" || n == "=" {
                    value.append(n)
                    scalars = scalars.dropFirst()
                } else if c == ":" {
                    break
                } else {
                    value.append(c)
                }
            }
            tags.append(SeriesKey.Tag(String(key), String(value)))
        }
        return tags
    }
}
