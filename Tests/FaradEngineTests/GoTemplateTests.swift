import Testing
@testable import FaradEngine

/// Go's `text/template` as Kapacitor's alert templates use it: each case is what Go prints.
@Suite struct GoTemplateTests {
    static let data = GoValue.object([
        ("Name", .string("cpu")), ("Group", .string("host=a")), ("ID", .string("cpu:host=a")), ("Level", .string("CRITICAL")),
        ("Tags", .map(["host": .string("a"), "dc": .string("x<y")], zero: .string(""))),
        ("Fields", .map(["value": .float(1_000_000), "n": .int(3), "ok": .bool(true), "s": .string("hi")], zero: .null)),
        ("Time", .time(1_477_587_600_500_000_000)), ("Duration", .duration(90_000_000_000)),
    ])

    static func render(_ source: String, html: Bool = false) throws -> String {
        try GoTemplate(source, name: "message", html: html).render(data)
    }

    @Test(arguments: [
        ("{{ .ID }} is {{ .Level }}", "cpu:host=a is CRITICAL"),
        ("{{ .Name }}:{{ .Group }}", "cpu:host=a"),
        ("{{ index .Fields \"value\" }}", "1e+06"),
        ("{{ .Fields.n }} {{ .Fields.ok }} {{ .Fields.s }}", "3 true hi"),
        ("{{ index .Fields \"missing\" }}|{{ .Tags.missing }}|{{ index .Tags \"missing\" }}", "<no value>|<no value>|"),
        ("{{ .Time }}", "2016-10-27 17:00:00.5 +0000 UTC"),
        ("{{ .Duration }}", "1m30s"),
        ("{{ .Tags }}", "map[dc:x<y host:a]"),
        ("{{ printf \"%.2f\" (index .Fields \"value\") }}", "1000000.00"),
        ("{{ printf \"%s=%d %v %5.1f|%-4s|\" \"n\" .Fields.n .Fields.ok 2.25 \"ab\" }}", "n=3 true   2.2|ab  |"),
        ("{{ printf \"%d\" \"x\" }} {{ printf \"%s\" }}", "%!d(string=x) %!s(MISSING)"),
        ("{{ if eq .Level \"CRITICAL\" }}crit{{ else if eq .Level \"WARNING\" }}warn{{ else }}other{{ end }}", "crit"),
        ("{{ if gt (index .Fields \"value\") 10.0 }}big{{ end }}", "big"),
        ("{{ if and .Fields.ok (not .Fields.missing) }}yes{{ end }}", "yes"),
        ("{{ range $k, $v := .Tags }}{{ $k }}={{ $v }};{{ end }}", "dc=x<y;host=a;"),
        ("{{ with .Fields.s }}[{{ . }}]{{ else }}none{{ end }}", "[hi]"),
        ("{{ $x := .Name }}{{ $x }}-{{ len .Tags }}-{{ len $x }}", "cpu-2-3"),
        ("a  {{- .Name -}}  b", "acpub"),
        ("{{/* a comment */}}x", "x"),
        ("{{ .Name | printf \"%q\" }}", "\"cpu\""),
        ("{{ json .Fields }}", "{\"n\":3,\"ok\":true,\"s\":\"hi\",\"value\":1000000}\n"),
    ])
    func textTemplate(_ source: String, _ expected: String) throws {
        #expect(try Self.render(source) == expected)
    }

    @Test func htmlTemplateEscapesWhatActionsPrint() throws {
        #expect(try Self.render("<b>{{ .Tags.dc }}</b> {{ json .Tags }}", html: true)
            == "<b>x&lt;y</b> {&#34;dc&#34;:&#34;x\\u003cy&#34;,&#34;host&#34;:&#34;a&#34;}\n")
    }

    @Test func goFloatFormats() {
        #expect(GoFormat.general(1e6) == "1e+06")
        #expect(GoFormat.general(123456.7) == "123456.7")
        #expect(GoFormat.general(0.0001) == "0.0001")
        #expect(GoFormat.general(0.00001) == "1e-05")
        #expect(GoFormat.general(2) == "2")
        #expect(GoFormat.json(1e21) == "1e+21")
        #expect(GoFormat.json(1e-7) == "1e-7")
        #expect(GoFormat.json(100000000000000000000) == "100000000000000000000")
        #expect(GoFormat.fixed(-0.0) == "-0")
    }

    @Test(arguments: [
        ("{{ .Name ", "template: message:1: unclosed action"),
        ("{{ nope .Name }}", "template: message:1: function \"nope\" not defined"),
        ("{{ if .Name }}x", "template: message:1: unexpected EOF"),
        ("{{ end }}", "template: message:1: unexpected {{end}}"),
        ("{{ define \"x\" }}{{ end }}", "template: message:1: {{define}} is not supported in alert templates"),
    ])
    func parseErrors(_ source: String, _ message: String) {
        #expect(throws: GoTemplateError.self) { try GoTemplate(source, name: "message") }
        do {
            _ = try GoTemplate(source, name: "message")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func runtimeErrorsAreErrorsNotTraps() throws {
        // Go refuses to compare a float64 with an int constant.
        #expect(throws: GoTemplateError.self) { try Self.render("{{ if gt .Fields.value 10 }}x{{ end }}") }
        #expect(throws: GoTemplateError.self) { try Self.render("{{ .Nope }}") }
        #expect(throws: GoTemplateError.self) { try Self.render("{{ index .Fields.missing \"a\" }}") }
        // A huge width is capped, not allocated.
        #expect(try Self.render("{{ printf \"%999999999d\" 1 }}").count == GoPrintf.maximumWidth)
        // Nesting is bounded.
        let deep = String(repeating: "{{ if true }}", count: 200) + String(repeating: "{{ end }}", count: 200)
        #expect(throws: GoTemplateError.self) { try GoTemplate(deep, name: "message") }
    }
}
