import Foundation

/// Where the checkout's own files are, for unit tests that read the shipped experiments.
public enum Checkout {
    /// The root of the checkout: this file is Tests/LabTestSupport/Checkout.swift.
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static var experiments: URL { root.appendingPathComponent("Experiments") }
}
