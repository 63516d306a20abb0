// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Farad",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FaradSystem", targets: ["FaradSystem"]),
        .library(name: "KapacitorUDFWire", targets: ["KapacitorUDFWire"]),
        .library(name: "KapacitorUDFProto", targets: ["KapacitorUDFProto"]),
        .library(name: "KapacitorUDF", targets: ["KapacitorUDF"]),
        .library(name: "KapacitorUDFTesting", targets: ["KapacitorUDFTesting"]),
        .executable(name: "farad", targets: ["farad"]),
        .executable(name: "udf-moving-avg", targets: ["udf-moving-avg"]),
        .executable(name: "udf-outliers", targets: ["udf-outliers"]),
        .executable(name: "udf-mirror", targets: ["udf-mirror"]),
        .executable(name: "udf-wind-turbine", targets: ["udf-wind-turbine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        // Pure core: points, field values, precisions, durations, TOML.
        .target(name: "FaradCore"),
        // Pure: TICKscript lexer, parser, AST and checker.
        .target(name: "FaradTICK", dependencies: ["FaradCore"]),
        // The task runtime: node graph, windows, InfluxQL, UDF nodes, httpOut, influxDBOut.
        .target(
            name: "FaradEngine",
            dependencies: [
                "FaradCore", "FaradTICK", "FaradIngest", "FaradInfluxQL", "FaradSystem", "FaradUDFHost", "KapacitorUDFWire", "FaradMQTT",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Pure parsers: InfluxDB line protocol, KairosDB JSON and telnet.
        .target(name: "FaradIngest", dependencies: ["FaradCore"]),
        // zlib (Debian zlib1g-dev): gzip request bodies, with a limit on the inflated size.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // libmosquitto (Debian libmosquitto-dev): alert handlers' MQTT brokers.
        .systemLibrary(name: "CMosquitto", path: "Sources/CMosquitto", providers: [.apt(["libmosquitto-dev"])]),
        // An MQTT client over libmosquitto: reconnects with back-off, publishes with delivery waits.
        .target(name: "FaradMQTT", dependencies: ["CMosquitto", "FaradSystem"]),
        // The embedded store: series index and point chunks in SQLite (WAL), group commit.
        .target(
            name: "FaradStore",
            dependencies: [
                "FaradCore", "FaradSystem",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Pure: KairosDB's query model, aggregators and groupers over store scans.
        .target(name: "FaradQuery", dependencies: ["FaradCore", "FaradStore", "FaradIngest"]),
        // InfluxQL: scanner (parser and planner to come), pure.
        .target(name: "FaradInfluxQL", dependencies: ["FaradCore"]),
        // HTTP: KairosDB /api/v1, InfluxDB /write, Kapacitor /kapacitor/v1 tasks, health, /metrics.
        .target(
            name: "FaradServer",
            dependencies: [
                "FaradCore", "FaradIngest", "FaradStore", "FaradQuery", "FaradInfluxQL", "FaradEngine", "FaradTICK", "FaradSystem", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        // I/O primitives: file descriptors, pipes, Unix sockets, threads, child processes.
        .target(name: "CFaradShims"),
        .target(name: "FaradSystem", dependencies: ["CFaradShims"]),
        // The wire format: uvarint framing and a hand codec for every message (no protobuf runtime,
        // so UDF binaries stay small).
        .target(name: "KapacitorUDFWire"),
        // udf.proto and its generated SwiftProtobuf code: the test oracle, and for users who want
        // SwiftProtobuf types (regenerate with scripts/regenerate-proto.sh).
        .target(
            name: "KapacitorUDFProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Proto/udf.proto"]
        ),
        // The SDK a UDF author imports.
        .target(
            name: "KapacitorUDF",
            dependencies: [
                "KapacitorUDFWire",
                "FaradSystem",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Drive a handler in-process or a built UDF executable with the same test code.
        .target(name: "KapacitorUDFTesting", dependencies: ["KapacitorUDF", "FaradSystem"]),

        // The host side: run any Kapacitor UDF under supervision.
        .target(
            name: "FaradUDFHost",
            dependencies: [
                "KapacitorUDFWire", "FaradCore", "FaradSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // The command line: serve, the task commands, replay, udf info|run.
        .executableTarget(
            name: "farad",
            dependencies: [
                "FaradUDFHost", "FaradIngest", "FaradCore", "FaradSystem", "KapacitorUDFWire", "FaradServer", "FaradEngine", "FaradTICK",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Example UDFs: handlers in a library (testable in-process), thin executables around them.
        .target(name: "UDFExamples", dependencies: ["KapacitorUDF", "FaradSystem"], path: "Examples/UDFExamples"),
        .executableTarget(name: "udf-moving-avg", dependencies: ["UDFExamples"], path: "Examples/udf-moving-avg"),
        .executableTarget(name: "udf-outliers", dependencies: ["UDFExamples"], path: "Examples/udf-outliers"),
        .executableTarget(name: "udf-mirror", dependencies: ["UDFExamples"], path: "Examples/udf-mirror"),
        .executableTarget(name: "udf-wind-turbine", dependencies: ["UDFExamples"], path: "Examples/udf-wind-turbine"),

        // Benchmarks: a release-built CLI (`swift run -c release farad-bench --help`).
        .target(name: "MallocCounter", path: "Benchmarks/MallocCounter"),
        .executableTarget(
            name: "farad-bench",
            dependencies: [
                "MallocCounter", "KapacitorUDFWire", "KapacitorUDFProto", "FaradSystem", "FaradUDFHost", "FaradEngine", "FaradCore", "FaradStore", "FaradMQTT", "FaradInfluxQL", "FaradServer", "FaradIngest",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Benchmarks/FaradBench"
        ),

        // Fuzzing: one executable over every parser; scripts/fuzz.sh builds it with libFuzzer
        // (`-sanitize=fuzzer`) into .build-fuzz. In an ordinary build it replays input files.
        .executableTarget(
            name: "farad-fuzz",
            dependencies: ["FaradCore", "FaradIngest", "FaradQuery", "FaradTICK", "FaradInfluxQL"],
            path: "Fuzz/FaradFuzz"
        ),

        // Shared by the test targets: real peers started by tests (a Python UDF agent, influxd).
        .target(name: "FaradTestSupport", dependencies: ["FaradSystem"], path: "Tests/FaradTestSupport"),
        .testTarget(name: "FaradCoreTests", dependencies: ["FaradCore", "FaradTestSupport"]),
        .testTarget(name: "FaradIngestTests", dependencies: ["FaradIngest"]),
        .testTarget(name: "FaradStoreTests", dependencies: ["FaradStore", "FaradCore", "FaradTestSupport"]),
        .testTarget(name: "FaradQueryTests", dependencies: ["FaradQuery", "FaradStore", "FaradIngest"]),
        .testTarget(name: "FaradInfluxQLTests", dependencies: ["FaradInfluxQL"]),
        .testTarget(
            name: "FaradServerTests", dependencies: ["FaradServer", "FaradSystem", "FaradCore", "KapacitorUDFTesting", "FaradTestSupport"],
            // Read by path: the differential test's data and queries.
            exclude: ["InfluxQLCorpus"]),
        .testTarget(name: "FaradTICKTests", dependencies: ["FaradTICK"]),
        .testTarget(name: "FaradMQTTTests", dependencies: ["FaradMQTT", "FaradSystem", "FaradTestSupport"]),
        .testTarget(name: "FaradEngineTests", dependencies: ["FaradEngine", "FaradTICK", "FaradInfluxQL", "FaradCore", "FaradSystem", "KapacitorUDFTesting", "FaradTestSupport"]),
        .testTarget(name: "FaradSystemTests", dependencies: ["FaradSystem", "FaradTestSupport"]),
        .testTarget(
            name: "KapacitorUDFWireTests",
            dependencies: ["KapacitorUDFWire", "KapacitorUDFProto", "FaradTestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(
            name: "FaradUDFHostTests",
            dependencies: [
                "FaradUDFHost", "KapacitorUDFTesting", "FaradSystem", "FaradCore", "FaradTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "KapacitorUDFTests", dependencies: ["KapacitorUDF", "KapacitorUDFTesting"]),
        .testTarget(name: "UDFExamplesTests", dependencies: ["UDFExamples", "KapacitorUDFTesting", "FaradSystem"]),
    ],
    swiftLanguageModes: [.v6]
)
