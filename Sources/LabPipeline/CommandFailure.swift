import LabCapture
import LabModel

/// Why a command stopped: one line for the user, and the exit code it earns.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public var exitCode: Int32

    public init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }

    public init(_ error: OutputError) { self.init(error.description, exitCode: error.exitCode) }
    public init(_ error: ExperimentError) { self.init(error.description, exitCode: error.exitCode) }
    public init(_ error: CaptureFileError) { self.init(error.description, exitCode: error.exitCode) }
}
