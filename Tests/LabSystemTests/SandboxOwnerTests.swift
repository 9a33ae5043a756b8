#if canImport(Glibc)
import Glibc
#endif
@testable import LabSystem
import Testing

/// Who a sandbox's uid, cgroups and scratch folder belong to: a PID namespace and a pid in it.
struct SandboxOwnerTests {
    @Test func aNameParsesBackToItsOwnerAndOtherShapesDoNot() {
        let owner = SandboxOwner(namespace: 4_026_531_836, pid: 1234)
        #expect(owner.name == "4026531836-1234")
        #expect(SandboxOwner.parse(owner.name + "-2000001234") == owner)
        #expect(SandboxOwner.parse("4026531836-1234-Ab12Cd") == owner)
        // An older tcplab's names ("tcplab-<uid>", "tcplab-box-<pid>-<random>") are not an owner's.
        for name in ["2000316160", "1234-Ab12Cd", "", "-", "4026531836-", "4026531836-0", "4026531836--5", "x-1"] {
            #expect(SandboxOwner.parse(name) == nil, "\(name)")
        }
    }

    @Test func onlyAGoneProcessOfOurOwnPIDNamespaceIsGone() {
        let current = SandboxOwner.current
        #expect(current.pid == getpid() && current.namespace != 0)
        #expect(!current.isGone)
        // A pid that cannot exist here (above the largest pid_max).
        let gone = SandboxOwner(namespace: current.namespace, pid: 4_194_305)
        #expect(gone.isGone)
        // The same pid in another namespace cannot be asked about, so it is never taken as gone.
        #expect(!SandboxOwner(namespace: current.namespace + 1, pid: 4_194_305).isGone)
        #expect(!SandboxOwner(namespace: current.namespace, pid: 1).isGone)
    }

    @Test func uidBlocksStayBelowTwoToThe31AndApartWithinANamespace() {
        let namespace: UInt64 = 4_026_532_000
        var blocks: Set<UInt32> = []
        for pid in [1, 2, 3, 300, 32_767, 524_286, 524_287] as [pid_t] {
            let block = SandboxOwner(namespace: namespace, pid: pid).uidBlock
            #expect(Sandbox.firstUID + block * 256 + 255 < 2_147_352_576, "pid \(pid)")
            blocks.insert(block)
        }
        #expect(blocks.count == 7, "distinct pids below 2^19 take distinct blocks")
        // Two namespaces' first processes (both pid 1) take different blocks.
        #expect(SandboxOwner(namespace: namespace, pid: 1).uidBlock != SandboxOwner(namespace: namespace + 1, pid: 1).uidBlock)
    }
}
