// swift-tools-version:6.2
import PackageDescription

// CI builds with every warning treated as an error; local builds only report them.
let treatWarningsAsErrors = Context.environment["CI"] == "true"

let swiftSettings: [SwiftSetting] =
    [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
    ] + (treatWarningsAsErrors ? [.treatAllWarnings(as: .error)] : [])

let package = Package(
    name: "enterprise-demands",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "intake", targets: ["IntakeServer"]),
        .executable(name: "dispatch", targets: ["DispatchServer"]),
        .executable(name: "handling", targets: ["HandlingServer"]),
        .executable(name: "notifier", targets: ["NotifierServer"]),
        .executable(name: "reporting", targets: ["ReportingServer"]),
        .executable(name: "portal", targets: ["PortalServer"]),
        .executable(name: "dev-kafka-cluster", targets: ["DevKafkaCluster"]),
        .executable(name: "platform-stack", targets: ["PlatformStack"]),
        .executable(name: "platformctl", targets: ["PlatformCtl"]),
        .executable(name: "load-benchmark", targets: ["LoadBenchmark"]),
        .executable(name: "fault-harness", targets: ["FaultHarness"]),
        .executable(name: "reporting-benchmark", targets: ["ReportingBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.0"),
        // Only the OTLP/HTTP exporter: the gRPC one would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: []),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        // The portal's file uploads (a directory sheet) are multipart/form-data.
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.0"),
    ],
    targets: [
        // MARK: Shared libraries

        .systemLibrary(
            name: "CRDKafka",
            path: "Shared/CRDKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRDKafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Kafka",
            swiftSettings: swiftSettings
        ),
        // Who is who: tiers, roles, the signed-in principal. Everything else builds on it.
        .target(
            name: "Tenancy",
            path: "Shared/Tenancy",
            swiftSettings: swiftSettings
        ),
        // Day arithmetic of the Gregorian calendar, for calendar dates and wire times.
        .target(
            name: "Gregorian",
            path: "Shared/Gregorian",
            swiftSettings: swiftSettings
        ),
        // Checked input: field issues, phone numbers, credit codes, attachment files, text.
        .target(
            name: "InputValidation",
            path: "Shared/InputValidation",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DemandDomain",
            dependencies: ["Gregorian", "Tenancy", "InputValidation"],
            path: "Shared/DemandDomain",
            resources: [.copy("Resources/china-working-calendar.json")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OfficeDocuments",
            path: "Shared/OfficeDocuments",
            swiftSettings: swiftSettings
        ),
        // What every process agrees on over the wire: the CloudEvents envelope, JSON coding, topic names.
        .target(
            name: "PlatformWire",
            dependencies: ["Gregorian", "Tenancy"],
            path: "Shared/PlatformWire",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PlatformEvents",
            dependencies: ["DemandDomain", "Tenancy", "InputValidation", "PlatformWire"],
            path: "Shared/PlatformEvents",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PostgresStorage",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            path: "Shared/PostgresStorage",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Messaging",
            dependencies: [
                "Tenancy",
                "PlatformWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                "Kafka",
                "PostgresStorage",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            path: "Shared/Messaging",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DemandStore",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "OfficeDocuments",
                "PlatformEvents",
                "PlatformWire",
                "PostgresStorage",
                "Messaging",
                "Kafka",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/DemandStore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceRuntime",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                "Tenancy",
                "InputValidation",
                "PlatformWire",
                "Kafka",
                "Messaging",
                "OfficeDocuments",
                "PostgresStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Shared/ServiceRuntime",
            resources: [.copy("HTTP/openapi-shared.yaml")],
            swiftSettings: swiftSettings
        ),
        // What the services of demands share above the runtime: the tiers' rules from the settings,
        // reading demands for a person, and how HTTP routes name demands and answer refused transitions.
        .target(
            name: "DemandDesk",
            dependencies: [
                "DemandDomain",
                "DemandStore",
                "InputValidation",
                "PostgresStorage",
                "ServiceRuntime",
                "Tenancy",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Shared/DemandDesk",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PlatformAPI",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "PlatformEvents",
                "PlatformWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            path: "Shared/PlatformAPI",
            swiftSettings: swiftSettings
        ),

        // MARK: Services (library with the logic + thin executable)

        .target(
            name: "IntakeService",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                "ServiceRuntime",
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "PlatformEvents",
                "PlatformWire",
                "Messaging",
                "PostgresStorage",
                "DemandStore",
                "DemandDesk",
                "OfficeDocuments",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/intake/Sources/IntakeService",
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "IntakeServer",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "ServiceRuntime",
                "IntakeService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/intake/Sources/IntakeServer",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DispatchService",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                "ServiceRuntime",
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "PlatformEvents",
                "PlatformWire",
                "Messaging",
                "PostgresStorage",
                "DemandStore",
                "DemandDesk",
                "OfficeDocuments",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Services/dispatch/Sources/DispatchService",
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "DispatchServer",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "ServiceRuntime",
                "DispatchService",
            ],
            path: "Services/dispatch/Sources/DispatchServer",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HandlingService",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                "OfficeDocuments",
                "ServiceRuntime",
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "PlatformEvents",
                "PlatformWire",
                "Messaging",
                "PostgresStorage",
                "DemandStore",
                "DemandDesk",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Services/handling/Sources/HandlingService",
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "HandlingServer",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "ServiceRuntime",
                "HandlingService",
            ],
            path: "Services/handling/Sources/HandlingServer",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NotifierService",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "ServiceRuntime",
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "PlatformEvents",
                "PlatformWire",
                "Messaging",
                "PostgresStorage",
                "DemandStore",
                "DemandDesk",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Services/notifier/Sources/NotifierService",
            resources: [.copy("openapi.yaml"), .copy("sms-templates.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "NotifierServer",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "ServiceRuntime",
                "NotifierService",
            ],
            path: "Services/notifier/Sources/NotifierServer",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ReportingService",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "OfficeDocuments",
                "ServiceRuntime",
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "PlatformEvents",
                "PlatformWire",
                "Messaging",
                "PostgresStorage",
                "DemandStore",
                "DemandDesk",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Services/reporting/Sources/ReportingService",
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ReportingServer",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "PostgresStorage",
                "ServiceRuntime",
                "ReportingService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/reporting/Sources/ReportingServer",
            swiftSettings: swiftSettings
        ),

        .target(
            name: "PortalService",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "DemandDesk",
                "PlatformAPI",
                "PlatformEvents",
                "PostgresStorage",
                "OfficeDocuments",
                "ServiceRuntime",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/portal/Sources/PortalService",
            resources: [.copy("Resources/templates"), .copy("Resources/static")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PortalServer",
            dependencies: ["PortalService", "ServiceRuntime"],
            path: "Services/portal/Sources/PortalServer",
            swiftSettings: swiftSettings
        ),

        // MARK: Development and operations tools

        .executableTarget(
            name: "DevKafkaCluster",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                "Kafka",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "deploy/dev-kafka-cluster",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LocalStack",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "PlatformAPI",
                "PlatformEvents",
                "PlatformWire",
                "ServiceRuntime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "deploy/local/Sources/LocalStack",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PlatformStack",
            dependencies: [
                "LocalStack",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "deploy/local/Sources/PlatformStack",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PlatformCtl",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "Kafka",
                "PlatformEvents",
                "PlatformWire",
                "ServiceRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "deploy/tools/platformctl",
            swiftSettings: swiftSettings
        ),

        // MARK: Load benchmark and fault harness

        .target(
            name: "Workload",
            dependencies: [
                "ReportingService",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "PlatformAPI",
                "LocalStack",
                "Kafka",
                "PostgresStorage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Benchmarks/Workload",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LoadBenchmark",
            dependencies: [
                "Workload",
                "LocalStack",
                "ServiceRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/Benchmarks/LoadBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FaultHarness",
            dependencies: [
                "Workload",
                "LocalStack",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/Benchmarks/FaultHarness",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ReportingBenchmark",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                "ReportingService", "Messaging", "PostgresStorage", "DemandDomain", "Tenancy", "InputValidation", "LocalStack",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/Benchmarks/ReportingBenchmark",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests

        .testTarget(
            name: "DemandDomainTests",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                "Kafka",
                "LocalStack",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MessagingTests",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "Messaging",
                "PostgresStorage",
                "Kafka",
                "PlatformEvents",
                "PlatformWire",
                "LocalStack",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "DemandDesk",
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "DemandStore",
                "Kafka",
                .product(name: "Logging", package: "swift-log"),
                "Messaging",
                "PlatformEvents",
                "PlatformWire",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                "PostgresStorage",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "IntakeService", "DispatchService", "HandlingService", "NotifierService", "ReportingService", "PortalService",
                "OfficeDocuments",
                "PlatformAPI",
                "ServiceRuntime", "LocalStack",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "DemandDomain",
                "Tenancy",
                "InputValidation",
                "DemandStore",
                "PlatformAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                "LocalStack",
                "Workload",
                "Kafka",
                "PlatformEvents",
                "PlatformWire",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
