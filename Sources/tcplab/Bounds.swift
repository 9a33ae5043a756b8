import ArgumentParser
import LabModel
import LabPackets

/// A whole-number option (`--repeat`, `--jobs`, `--count`) as typed. Anything that is not an Int
/// (a word, or a number past Int's range) is told the bound here; within Int's range the bounds
/// are checked by `requireAtMost` in each command's validate(), whose message names the option.
func wholeNumber(atMost limit: Int) -> @Sendable (String) throws -> Int {
    { text in
        guard let value = Int(text) else { throw ValidationError("expected a whole number from 1 to \(limit)") }
        return value
    }
}

/// A usage error that states the bound, when `value` is past it: "--repeat must be at most
/// 1000000 runs; got 5000000".
func requireAtMost(_ option: String, _ value: Int, _ limit: Int, unit: String? = nil) throws {
    if value > limit { throw ValidationError("\(option) must be at most \(limit)\(unit.map { " " + $0 } ?? ""); got \(value)") }
}

/// A duration option such as `--deadline 30s`, positive and at most `CommandLimits.deadline`.
func positiveDuration(_ text: String) throws -> Duration {
    let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
    let limit = CommandLimits.deadline
    // parseDuration refuses values past a million seconds, which are still numbers with a unit.
    let looksLikeOne = text.first?.isNumber == true && ["s", "ms", "us", "µs", "ns"].contains(where: text.hasSuffix)
    guard let value = parseDuration(text) else {
        if looksLikeOne { throw ValidationError("expected a duration of at most \(formatDuration(limit)), got \"\(shown)\"") }
        throw ValidationError("expected a positive duration such as \"30s\", got \"\(text)\"")
    }
    guard value > .zero else { throw ValidationError("expected a positive duration such as \"30s\", got \"\(text)\"") }
    guard value <= limit else { throw ValidationError("expected a duration of at most \(formatDuration(limit)), got \"\(shown)\"") }
    return value
}

/// `--shard K/N`, 1 ≤ K ≤ N ≤ `CommandLimits.shards`.
@Sendable func shardOption(_ text: String) throws -> Shard {
    switch Shard.parse(text) {
    case let .success(shard): return shard
    case let .failure(error): throw ValidationError(error.problem)
    }
}
