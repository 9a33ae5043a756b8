import Foundation

/// A folder an ordinary user (`nobody`) can use, with its own copies of tcplab and the
/// experiments: the checkout may sit under a folder `nobody` cannot enter.
struct NobodysFolder {
    let path: String
    var binary: String { path + "/tcplab" }
    var experiments: String { path + "/Experiments" }

    init() throws {
        path = try Repository.temporaryDirectory()
        chmod(path, 0o777)
        try FileManager.default.copyItem(atPath: Repository.binary, toPath: binary)
        try FileManager.default.copyItem(atPath: Repository.experiments, toPath: experiments)
    }

    /// Runs the copy of tcplab as `nobody`, on the copies of the experiments.
    func runAsNobody(_ arguments: [String], in directory: String? = nil) throws -> Finished {
        try execute("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", binary]
                    + arguments + ["--experiments", experiments], in: directory)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
