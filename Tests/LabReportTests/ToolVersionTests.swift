import Testing
@testable import LabReport

/// The release's VERSION file beside bin/ becomes tcplab's version only when it is one short line
/// of a version's characters.
@Suite struct ToolVersionTests {
    @Test(arguments: [("0.1.0-geec2d28\n", "0.1.0-geec2d28"), ("v1.2-3-gabc1234-dirty", "v1.2-3-gabc1234-dirty"),
                      ("1.0+build_7\n", "1.0+build_7")])
    func aReleaseVersionIsTaken(_ file: String, _ version: String) {
        #expect(Tool.parse(Array(file.utf8)) == version)
    }

    @Test(arguments: ["", "\n", "0.1.0\n0.2.0\n", "release 1.0", "<b>1.0</b>", "-rf", String(repeating: "1", count: 65)])
    func anythingElseIsNot(_ file: String) {
        #expect(Tool.parse(Array(file.utf8)) == nil, "\(file)")
    }

    @Test func aBinaryInABuildFolderSaysTheSourcesVersion() {
        // The test runner lives in .build/…/debug, not PREFIX/bin, so there is no release VERSION to read.
        #expect(Tool.releaseVersion() == nil && Tool.version == Tool.sourceVersion)
    }
}
