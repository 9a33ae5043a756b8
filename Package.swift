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
        .target(name: "LabExperiment", dependencies: ["LabSystem", "LabPackets", "LabCapture"], swiftSettings: crossModule),
        .target(name: "LabReport", dependencies: ["LabPackets", "LabExperiment"], swiftSettings: crossModule),
        .executableTarget(
            name: "tcplab",
            dependencies: [
                "LabExperiment", "LabReport", "LabSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: crossModule
        ),
        .target(name: "LabTestSupport", dependencies: ["LabPackets"], path: "Tests/LabTestSupport"),
        .testTarget(name: "LabPacketsTests", dependencies: ["LabPackets", "LabTestSupport"]),
        .testTarget(name: "LabExperimentTests", dependencies: ["LabExperiment", "LabPackets", "LabReport", "LabTestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["LabExperiment", "LabPackets", "LabCapture", "LabReport", "LabSystem", "LabTestSupport"],
                    exclude: ["Fixtures"]),
    ]
)
