// swift-tools-version:6.0
import PackageDescription

// Release builds let the CLI inline the packet decoder across modules: decoding is the hot
// loop of `tcplab show`, and this is about 10% of its time (make bench-show).
let crossModule: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "tcplab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tcplab", targets: ["tcplab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Heap: explanations of connections that finish out of order go out in packet order.
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        .target(name: "CLinux"),
        .target(name: "LabSystem", dependencies: ["CLinux"], swiftSettings: crossModule),
        .target(name: "LabPackets", swiftSettings: crossModule),
        .target(name: "LabCapture", dependencies: ["CPcap", "LabSystem", "LabPackets"], swiftSettings: crossModule),
        .target(name: "LabModel", dependencies: ["LabPackets", "LabSystem"], swiftSettings: crossModule),
        // Expectations, the judge and verdicts see decoded packets only: no libpcap below them.
        .target(name: "LabVerdict", dependencies: ["LabModel", "LabPackets"], swiftSettings: crossModule),
        .target(name: "LabHTTP", dependencies: ["LabPackets", "LabSystem"], swiftSettings: crossModule),
        .target(name: "LabRunner", dependencies: ["LabModel", "LabCapture", "LabHTTP", "LabPackets", "LabSystem"],
                swiftSettings: crossModule),
        .target(name: "LabReport", dependencies: ["LabModel", "LabVerdict", "LabPackets",
                                                  .product(name: "HeapModule", package: "swift-collections")],
                swiftSettings: crossModule),
        // The one chain under every command: run or file -> packets -> verdict -> result -> outputs.
        .target(name: "LabPipeline",
                dependencies: ["LabRunner", "LabReport", "LabVerdict", "LabModel", "LabCapture", "LabHTTP", "LabPackets", "LabSystem"],
                swiftSettings: crossModule),
        .executableTarget(
            name: "tcplab",
            dependencies: [
                "LabPipeline", "LabRunner", "LabReport", "LabVerdict", "LabModel", "LabHTTP", "LabPackets", "LabSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: crossModule
        ),
        // `make fuzz` builds this with -sanitize=fuzzer; a plain build replays files through it.
        .executableTarget(name: "capture-fuzzer", dependencies: ["LabPackets", "LabReport", "LabSystem", "LabModel", "LabVerdict", "LabHTTP", "LabPipeline"], path: "Fuzz",
                          exclude: ["dictionaries", "seeds"]),
        .target(name: "LabTestSupport", dependencies: ["LabPackets"], path: "Tests/LabTestSupport"),
        .testTarget(name: "LabPacketsTests", dependencies: ["LabPackets", "LabTestSupport"]),
        .testTarget(name: "LabModelTests", dependencies: ["LabModel", "LabPackets", "LabSystem"]),
        .testTarget(name: "LabVerdictTests", dependencies: ["LabVerdict", "LabModel", "LabPackets", "LabSystem", "LabTestSupport"]),
        .testTarget(name: "LabReportTests", dependencies: ["LabReport", "LabModel", "LabVerdict", "LabPackets", "LabTestSupport"]),
        .testTarget(name: "LabSystemTests", dependencies: ["LabSystem"]),
        .testTarget(name: "LabHTTPTests", dependencies: ["LabHTTP", "LabModel"]),
        .testTarget(name: "LabPipelineTests", dependencies: ["LabPipeline", "LabReport", "LabModel"]),
        .testTarget(name: "IntegrationTests", dependencies: ["LabPipeline", "LabRunner", "LabModel", "LabVerdict", "LabHTTP", "LabPackets", "LabCapture", "LabReport", "LabSystem", "LabTestSupport"],
                    exclude: ["Fixtures"]),
    ]
)
