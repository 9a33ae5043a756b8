#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu). The
# autograder zip holds this folder's files and the release tarball `make dist` wrote
# (tcplab-*-linux-x86_64.tar.gz), unpacked by Gradescope into /autograder/source. TCPLAB_PREFIX and
# TCPLAB_BIN_DIR move the install (the tests put it in a temporary folder).
set -euo pipefail
source_dir=${AUTOGRADER_ROOT:-/autograder}/source
prefix=${TCPLAB_PREFIX:-/opt/tcplab}
bin_dir=${TCPLAB_BIN_DIR:-/usr/local/bin}
apt-get update -qq
# The release links libpcap.so.0.8 and nothing of Swift; python3 runs the students' programs.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libpcap0.8 python3
tarball=$(ls "$source_dir"/tcplab-*-linux-*.tar.gz | tail -1)
mkdir -p "$prefix" "$bin_dir"
tar -xzf "$tarball" -C "$prefix" --strip-components=1
ln -sf "$prefix/bin/tcplab" "$bin_dir/tcplab"
"$bin_dir/tcplab" --version
