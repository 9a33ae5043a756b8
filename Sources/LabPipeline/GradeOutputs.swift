/// The files `grade` and `grade --code` write when asked.
public struct GradeOutputs: Sendable {
    public var json: String?
    public var csv: String?
    public var junit: String?
    public var summary: String?
    /// Gradescope's results.json, and the points file that scores its tests.
    public var gradescope: String?
    public var points: String?

    public init(json: String? = nil, csv: String? = nil, junit: String? = nil, summary: String? = nil,
                gradescope: String? = nil, points: String? = nil) {
        self.json = json
        self.csv = csv
        self.junit = junit
        self.summary = summary
        self.gradescope = gradescope
        self.points = points
    }
}
