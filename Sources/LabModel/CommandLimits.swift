/// The largest values the command line accepts, bounded as `ExperimentLimits` bounds the file's,
/// so no option can run tcplab away: past them is a usage error (exit 64) that states the bound.
public enum CommandLimits {
    /// Runs of an experiment (`run --repeat`, `grade --code --repeat`) and visits (`client --repeat`,
    /// `serve --count`). Not the file's "repeat", which repeats bytes within one send.
    public static let runs = 1_000_000
    /// Experiments run or files graded at once (`--jobs`): each job holds threads, and a run's a
    /// network namespace, so past this a machine runs out of them before it runs faster.
    public static let jobs = 1_024
    /// `--deadline`, as long as the file's "deadline" may be.
    public static let deadline = ExperimentLimits.duration
}

extension CommandLimits {
    /// `grade --shard K/N`: more runners than this is more than any CI matrix gives (GitHub's
    /// allows 256 jobs).
    public static let shards = 1_024
}
