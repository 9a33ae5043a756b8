#!/usr/bin/env bash
# Regenerates Tests/IntegrationTests/Fixtures/lab/: captures shaped like the TCP lab's own
# Wireshark traces (corpus-tools/labshapes.py says what each one is), and beside each one the
# tshark 4.0 oracle its Info column is compared with (<name>.tshark.txt, as in corpus/).
#
#   bash Tests/IntegrationTests/Fixtures/make_lab_corpus.sh
#
# Needs python3 and tshark; no root and no network: the captures are written byte by byte.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/lab"
WORK="$(mktemp -d /tmp/tcplab-lab.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
export WIRESHARK_CONFIG_DIR="$WORK/wireshark-config"   # Wireshark's default preferences
mkdir -p "$WIRESHARK_CONFIG_DIR" "$WORK/out"
PYTHONDONTWRITEBYTECODE=1 python3 "$HERE/corpus-tools/labshapes.py" "$WORK/out"
for f in "$WORK"/out/*; do
    tshark -r "$f" -T fields -E separator=/t -e frame.number -e _ws.col.Protocol -e _ws.col.Info \
        > "$f.tshark.txt" 2>/dev/null
done
cp "$OUT/README.md" "$WORK/out/README.md" 2>/dev/null || true
rm -rf "$OUT"
mv "$WORK/out" "$OUT"
tshark --version | head -1 > "$OUT/ORACLE-VERSION"
ls "$OUT"
