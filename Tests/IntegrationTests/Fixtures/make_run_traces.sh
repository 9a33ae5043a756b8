#!/usr/bin/env bash
# Regenerates Tests/IntegrationTests/Fixtures/runs/: the trace of every experiment as tcplab's
# own run writes it, on lo (runs/lo) and with Part 1's experiments on an Ethernet-sized link
# (runs/mtu1500: MTU 1500, offloads off, so MSS 1460 and 1448-byte segments). The tests check
# that `tcplab check` names each trace's experiment by itself, also after moving it to other
# addresses and a port.
#
#   sudo bash Tests/IntegrationTests/Fixtures/make_run_traces.sh [path/to/tcplab]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
TCPLAB="${1:-$ROOT/.build/release/tcplab}"
WORK="$(mktemp -d /tmp/tcplab-runs.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/experiments" "$WORK/lo" "$WORK/mtu1500"
"$TCPLAB" run --all --experiments "$ROOT/Experiments" --out "$WORK/lo" --quiet
for f in "$ROOT"/Experiments/*; do
    name="$(basename "$f")"
    if [[ "$name" == experiment-*.json ]] && ! grep -q '"link"' "$f"; then
        sed 's/"port": 12345,/"port": 12345,\n  "link": {"mtu": 1500, "offloads": false},/' "$f" > "$WORK/experiments/$name"
    else
        ln -s "$f" "$WORK/experiments/$name"
    fi
done
# On this link experiment-3's 13000-byte reply is no longer one segment, which its runs pin: that
# run fails on purpose, and its trace is kept all the same.
"$TCPLAB" run --all --experiments "$WORK/experiments" --out "$WORK/mtu1500" --quiet || true
for dir in lo mtu1500; do
    rm -f "$HERE/runs/$dir"/*.pcap
    cp "$WORK/$dir"/trace*.pcap "$HERE/runs/$dir/"
    rm -f "$HERE/runs/$dir"/*-run*-*.pcap
done
ls -l "$HERE"/runs/*
