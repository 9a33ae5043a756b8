import ArgumentParser
import LabPipeline

/// Tab completion of an experiment's name, from the experiments folder at the time of completing.
let experimentName = CompletionKind.custom { words, _, prefix in ShellCompletion.experimentNames(words: words, prefix: prefix) }

/// Tab completion of a capture file (folders are offered too, to walk into).
let captureFile = CompletionKind.file(extensions: ["pcap", "pcapng", "cap"])
