// swift-tools-version:6.0
import PackageDescription

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
        .target(name: "LabSystem", dependencies: ["CLinux"]),
        .target(name: "LabPackets"),
        .target(name: "LabCapture", dependencies: ["CPcap", "LabSystem", "LabPackets"]),
        .target(name: "LabExperiment", dependencies: ["LabSystem", "LabPackets", "LabCapture"]),
        .target(name: "LabReport", dependencies: ["LabPackets", "LabExperiment"]),
        .executableTarget(
            name: "tcplab",
            dependencies: [
                "LabExperiment", "LabReport", "LabSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "LabTestSupport", dependencies: ["LabPackets"], path: "Tests/LabTestSupport"),
        .testTarget(name: "LabPacketsTests", dependencies: ["LabPackets", "LabTestSupport"]),
        .testTarget(name: "LabExperimentTests", dependencies: ["LabExperiment", "LabPackets", "LabReport", "LabTestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["LabExperiment", "LabPackets", "LabCapture", "LabReport", "LabSystem"],
                    exclude: ["Fixtures"]),
    ]
)
