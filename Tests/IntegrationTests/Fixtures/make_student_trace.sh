#!/usr/bin/env bash
# Records student/lab2.py with `tshark -i any` (Linux cooked v2, pcapng), as a student would
# in the lab, into student/experiment-2-any.pcapng. Run as root. The capture is fenced: after
# the exchange, a UDP marker is sent and tshark is stopped only once the marker is in the file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/student/experiment-2-any.pcapng"
work="$(mktemp -d)"
trap 'kill "${tshark:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
tshark -i any -y LINUX_SLL2 -f "tcp port 12345 or udp port 9" -w "$work/t.pcapng" 2>"$work/err" &
tshark=$!
until grep -q "Capturing on" "$work/err"; do kill -0 $tshark; sleep 0.05; done
python3 "$here/student/lab2.py"
python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"fence", ("127.0.0.1", 9))'
until tshark -r "$work/t.pcapng" -Y "udp.port == 9" 2>/dev/null | grep -q .; do sleep 0.05; done
kill -INT $tshark
wait $tshark || true
cp "$work/t.pcapng" "$out"
capinfos -t -E -c "$out"
