#!/usr/bin/env bash
# The release's version, from git describe. With a tag: v1.2-3-gabc1234[-dirty]. With no tag yet
# (git describe --tags would fail), the version tcplab reports (Tool.swift) plus the commit:
# 0.1.0-gabc1234[-dirty]. Outside a git checkout: that version alone.
cd "$(dirname "$0")/../.."
tool=$(sed -n 's/.*static let sourceVersion = "\(.*\)"/\1/p' Sources/LabReport/Tool.swift)
if described=$(git describe --tags --dirty 2>/dev/null); then
  echo "$described"
elif commit=$(git describe --always --dirty 2>/dev/null); then
  echo "$tool-g$commit"
else
  echo "$tool"
fi
