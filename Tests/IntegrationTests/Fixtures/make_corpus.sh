#!/usr/bin/env bash
# Regenerates Tests/IntegrationTests/Fixtures/corpus/: small real captures (pcap and pcapng) for
# testing tcplab's capture readers and its tshark-compatible packet list, plus
# one tshark oracle per capture (<name>.tshark.txt) and README.md.
#
# Run as root:   bash Tests/IntegrationTests/Fixtures/make_corpus.sh
#
# Needs: tcpdump, tshark, editcap, mergecap, capinfos, python3, curl, iproute2
# (ip, tc, ss), ethtool.  Debian: apt-get install tcpdump tshark curl iproute2
# ethtool python3.
#
# Network rule: traffic goes only over loopback (127.0.0.1, ::1) or between
# network namespaces this script creates (tcplab-corpus-snd/-rtr/-rcv, joined by
# veth pairs, addresses 10.99.0.0/24 and 10.99.1.0/24 that exist only inside
# them).  Every namespace is deleted on exit.  Nothing is sent anywhere else.
#
# Idempotent: everything is built in a temporary directory and copied over the
# corpus only when all steps succeeded.  Captures differ from run to run
# (timestamps, ports, sequence numbers, how many segments were lost), so the
# oracles are always regenerated together with the captures.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CORPUS="$HERE/corpus"
TOOLS="$HERE/corpus-tools"
PY="${PYTHON:-python3}"
export PYTHONDONTWRITEBYTECODE=1

NS_SND=tcplab-corpus-snd
NS_RTR=tcplab-corpus-rtr
NS_RCV=tcplab-corpus-rcv
NAMESPACES=("$NS_SND" "$NS_RTR" "$NS_RCV")

# Never let curl (or anything else) go through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

die() { echo "make_corpus: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (captures, network namespaces)"
for tool in tcpdump tshark editcap mergecap capinfos "$PY" curl ip tc ss ethtool; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done

WORK="$(mktemp -d /tmp/tcplab-corpus.XXXXXX)"
OUT="$WORK/out"
mkdir -p "$OUT"
# tshark must not pick up anyone's personal preferences.
export WIRESHARK_CONFIG_DIR="$WORK/wireshark-config"
mkdir -p "$WIRESHARK_CONFIG_DIR"

# Background processes we started and have not reaped yet.  Only un-reaped
# children are ever signalled (their ids cannot have been reused).
PIDS=()
LAST_PID=
bg() { "$@" & LAST_PID=$!; PIDS+=("$LAST_PID"); }
forget() { local p keep=(); for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done; PIDS=("${keep[@]}"); }
reap() { local rc=0; wait "$1" || rc=$?; forget "$1"; return "$rc"; }
cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for ns in "${NAMESPACES[@]}"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
# capture helpers

CAP_PID=
CAP_ERR=
# start_capture CMD...  -- runs CMD (a tcpdump/tshark invocation, possibly
# prefixed by `ip netns exec NS`) in the background and waits until it reports
# that it is listening.
start_capture() {
    CAP_ERR="$WORK/capture.$RANDOM.err"
    : >"$CAP_ERR"
    bg "$@" 2>"$CAP_ERR"
    CAP_PID=$LAST_PID
    local i=0
    until grep -qE '^(tcpdump: )?listening on|^Capturing on' "$CAP_ERR"; do
        if ! kill -0 "$CAP_PID" 2>/dev/null; then
            cat "$CAP_ERR" >&2
            die "capture exited before it started: $*"
        fi
        i=$((i + 1))
        [ "$i" -lt 400 ] || die "capture did not start within 20 s: $*"
        sleep 0.05
    done
    # tshark prints "Capturing on" once dumpcap reports the capture running;
    # tcpdump prints "listening on" after the BPF filter is installed.  A short
    # grace period costs nothing.
    sleep 0.2
}

# All tcpdump runs use --immediate-mode (otherwise packets still sitting in a
# TPACKET_V3 block are lost when SIGINT arrives) and -B 65536: in immediate
# mode libpcap uses a TPACKET_V2 ring of snaplen-sized frames, and the default
# 2 MB buffer then holds only ~8 frames on "any" -> kernel drops in bursts.

# stop_capture: let the last packets drain, SIGINT the capture, wait for it
# to exit (so the file is flushed), and check that the kernel dropped nothing.
stop_capture() {
    sleep 0.3
    kill -INT "$CAP_PID" 2>/dev/null || true
    local rc=0
    reap "$CAP_PID" || rc=$?
    cat "$CAP_ERR" >"$CAP_ERR.done"
    if grep -qE '^[1-9][0-9]* packets? dropped by kernel' "$CAP_ERR"; then
        cat "$CAP_ERR" >&2
        die "capture dropped packets"
    fi
    # tcpdump exits 0 on SIGINT; tshark too.
    [ "$rc" = 0 ] || { cat "$CAP_ERR" >&2; die "capture exited with status $rc"; }
    grep -hE 'packets captured|^[0-9]+ packets? captured' "$CAP_ERR" >&2 || true
}

# wait_listen ADDR PORT [NS] -- wait until a TCP listener exists (checked with
# ss, so no probe connection ends up in a capture).
wait_listen() {
    local addr=$1 port=$2 ns=${3:-} i=0
    local run=()
    [ -n "$ns" ] && run=(ip netns exec "$ns")
    until "${run[@]}" ss -Hltn "sport = :$port" | grep -q .; do
        i=$((i + 1))
        [ "$i" -lt 200 ] || die "nothing listening on $addr:$port"
        sleep 0.05
    done
}

port_free() {
    local port=$1
    if ss -Hltn "sport = :$port" | grep -q .; then
        die "port $port is in use on this machine; free it and rerun"
    fi
}

traffic() { "$PY" "$TOOLS/traffic.py" "$@"; }
pcaptool() { "$PY" "$TOOLS/pcaptool.py" "$@"; }

# Loopback conversation set used by several captures: one connection closed
# by the client, one closed by the server, one aborted with RST (SO_LINGER 0),
# and one connection attempt to a closed port (SYN, RST/ACK).
# lo_conversations HOST BASEPORT
lo_conversations() {
    local host=$1 base=$2
    traffic exchange "$host" "$base" --close client --count 3
    traffic exchange "$host" $((base + 1)) --close server --count 2
    traffic exchange "$host" $((base + 2)) --close reset --count 2
    traffic refused "$host" $((base + 3))
}
lo_filter() { local b=$1; echo "tcp and portrange $b-$((b + 3))"; }

for p in $(seq 47810 47813) $(seq 47820 47823) $(seq 47830 47833) \
         $(seq 47840 47843) $(seq 47850 47853) $(seq 47860 47863) 47870 8080; do
    port_free "$p"
done

# ---------------------------------------------------------------------------
# 1. lo-ipv4.pcap: tcpdump -i lo (EN10MB)
log "lo-ipv4.pcap"
start_capture tcpdump -Z root --immediate-mode -U -B 65536 -i lo -w "$OUT/lo-ipv4.pcap" $(lo_filter 47810)
lo_conversations 127.0.0.1 47810
stop_capture

# 2. any-sll.pcap: tcpdump -i any -y LINUX_SLL (linktype 113)
log "any-sll.pcap"
start_capture tcpdump -Z root --immediate-mode -U -B 65536 -i any -y LINUX_SLL -w "$OUT/any-sll.pcap" $(lo_filter 47820)
lo_conversations 127.0.0.1 47820
stop_capture

# 3. any-sll2.pcap: tcpdump -i any -y LINUX_SLL2 (linktype 276)
log "any-sll2.pcap"
start_capture tcpdump -Z root --immediate-mode -U -B 65536 -i any -y LINUX_SLL2 -w "$OUT/any-sll2.pcap" $(lo_filter 47830)
lo_conversations 127.0.0.1 47830
stop_capture

# 10a. nanosecond.pcap: tcpdump --time-stamp-precision=nano (magic a1b23c4d)
log "nanosecond.pcap"
start_capture tcpdump -Z root --immediate-mode -U -B 65536 --time-stamp-precision=nano -i lo -w "$OUT/nanosecond.pcap" $(lo_filter 47840)
lo_conversations 127.0.0.1 47840
stop_capture

# 5. ipv6.pcap: TCP over ::1
log "ipv6.pcap"
[ "$(cat /proc/sys/net/ipv6/conf/lo/disable_ipv6 2>/dev/null || echo 1)" = 0 ] ||
    die "IPv6 is disabled on lo (sysctl net.ipv6.conf.lo.disable_ipv6=0)"
ip -6 addr show dev lo | grep -q 'inet6 ::1/128' || ip -6 addr add ::1/128 dev lo
start_capture tcpdump -Z root --immediate-mode -U -B 65536 -i lo -w "$OUT/ipv6.pcap" "ip6 and $(lo_filter 47850)"
lo_conversations ::1 47850
stop_capture

# 4. tshark.pcapng: written by tshark (dumpcap) itself
log "tshark.pcapng"
start_capture tshark -i lo -f "$(lo_filter 47860)" -w "$OUT/tshark.pcapng"
lo_conversations 127.0.0.1 47860
stop_capture

# 7. zero-window.pcap: receiver with a tiny SO_RCVBUF that stops reading
log "zero-window.pcap"
start_capture tcpdump -Z root --immediate-mode -U -B 65536 -i lo -s 128 -w "$OUT/zero-window.pcap" tcp port 47870
traffic zerowin 127.0.0.1 47870 --bytes 40000 --stall 1.5
stop_capture

# 8. http.pcap: HTTP/1.1 on 127.0.0.1:8080 (python3 -m http.server + curl)
log "http.pcap"
mkdir -p "$WORK/www"
printf 'Hello from tcplab.\nThis file is served by python3 -m http.server.\n' >"$WORK/www/hello.txt"
bg "$PY" -m http.server 8080 --bind 127.0.0.1 --directory "$WORK/www" --protocol HTTP/1.1 \
    >"$WORK/http.log" 2>&1
HTTP_PID=$LAST_PID
wait_listen 127.0.0.1 8080
start_capture tcpdump -Z root --immediate-mode -U -B 65536 -i lo -w "$OUT/http.pcap" tcp port 8080
# Two requests on one keep-alive connection (200 and 404), then a second
# connection with a HEAD request.
curl --noproxy '*' --http1.1 -sS -o /dev/null -o /dev/null \
    http://127.0.0.1:8080/hello.txt http://127.0.0.1:8080/missing.txt
curl --noproxy '*' --http1.1 -sS -I -o /dev/null http://127.0.0.1:8080/hello.txt
sleep 0.2
stop_capture
kill "$HTTP_PID"
reap "$HTTP_PID" 2>/dev/null || true

# ---------------------------------------------------------------------------
# Namespaces:  snd (10.99.0.1) -- rtr (10.99.0.254 | 10.99.1.254) -- rcv (10.99.1.2)
log "network namespaces"
for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
for ns in "${NAMESPACES[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # no IPv6 on the veths: keeps router solicitations / MLD out of captures
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add tlc-s0 netns "$NS_SND" type veth peer name tlc-r0 netns "$NS_RTR"
ip link add tlc-r1 netns "$NS_RTR" type veth peer name tlc-c0 netns "$NS_RCV"
ip -n "$NS_SND" addr add 10.99.0.1/24 dev tlc-s0
ip -n "$NS_RTR" addr add 10.99.0.254/24 dev tlc-r0
ip -n "$NS_RTR" addr add 10.99.1.254/24 dev tlc-r1
ip -n "$NS_RCV" addr add 10.99.1.2/24 dev tlc-c0
for pair in "$NS_SND tlc-s0" "$NS_RTR tlc-r0" "$NS_RTR tlc-r1" "$NS_RCV tlc-c0"; do
    set -- $pair
    ip -n "$1" link set "$2" up
    # MSS-sized frames on the wire instead of 64 KB GSO/GRO super-packets
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
done
ip netns exec "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1
ip -n "$NS_SND" route add default via 10.99.0.254
ip -n "$NS_RCV" route add default via 10.99.1.254

# 4b. multi-if.pcapng: tshark on two interfaces at once (lo + tlc-s0 in snd),
# two IDBs, interleaved EPBs; includes the ARP exchange on the veth.
log "multi-if.pcapng"
bg ip netns exec "$NS_RCV" "$PY" "$TOOLS/traffic.py" bulk-recv 10.99.1.2 5001 >"$WORK/recv.log"
RECV_PID=$LAST_PID
wait_listen 10.99.1.2 5001 "$NS_RCV"
start_capture ip netns exec "$NS_SND" tshark -i lo -i tlc-s0 -w "$OUT/multi-if.pcapng"
bg ip netns exec "$NS_SND" "$PY" "$TOOLS/traffic.py" exchange 127.0.0.1 47880 --close client --count 4 --gap 0.4
LO_PID=$LAST_PID
# Start the veth transfer while the lo exchange pauses between two messages
# (0.4 s apart: longer than dumpcap's buffer timeout, which otherwise hands
# over each interface's packets in one batch), so the EPBs interleave.
wait_listen 127.0.0.1 47880 "$NS_SND"
sleep 0.6
ip netns exec "$NS_SND" "$PY" "$TOOLS/traffic.py" bulk-send 10.99.1.2 5001 --bytes 6000 >"$WORK/send.log"
reap "$LO_PID"
reap "$RECV_PID"
stop_capture

# 6. retransmissions.pcap: tbf bottleneck on the router in both directions.
#  - flow 1 (port 5001) snd -> rcv, captured at the receiver: losses show as
#    Previous segment not captured, Dup ACK, Fast Retransmission, Retransmission
#    and Out-Of-Order.  The sender holds back its handshake ACK (delayed-ACK
#    mode, --lazy-ack), so tshark's first-RTT Out-Of-Order threshold is ~60 ms
#    instead of ~50 us.
#  - flow 2 (port 5002) rcv -> snd, captured at its sender: the sender's view
#    of its own retransmissions.
# Snaplen 128 keeps headers only.  The outcome is random; retry a few times
# until every wanted flag shows up.
log "retransmissions.pcap"
for dev in tlc-r1 tlc-r0; do
    ip netns exec "$NS_RTR" tc qdisc add dev "$dev" root tbf rate 20mbit burst 3200 limit 6000
done
WANTED=("TCP Retransmission" "TCP Fast Retransmission" "TCP Dup ACK" "TCP Out-Of-Order"
        "TCP Previous segment not captured")
attempt=0
while :; do
    attempt=$((attempt + 1))
    rm -f "$OUT/retransmissions.pcap"
    start_capture ip netns exec "$NS_RCV" tcpdump -Z root --immediate-mode -U -B 65536 -i tlc-c0 -s 128 -c 2000 \
        -w "$OUT/retransmissions.pcap" 'tcp and (port 5001 or port 5002)'
    bg ip netns exec "$NS_RCV" "$PY" "$TOOLS/traffic.py" bulk-recv 10.99.1.2 5001 >>"$WORK/recv.log"
    RECV_PID=$LAST_PID
    wait_listen 10.99.1.2 5001 "$NS_RCV"
    ip netns exec "$NS_SND" "$PY" "$TOOLS/traffic.py" bulk-send 10.99.1.2 5001 --bytes 250000 \
        --sndbuf 4194304 --cc cubic --lazy-ack 0.06 >>"$WORK/send.log"
    reap "$RECV_PID"
    bg ip netns exec "$NS_SND" "$PY" "$TOOLS/traffic.py" bulk-recv 10.99.0.1 5002 >>"$WORK/recv.log"
    RECV_PID=$LAST_PID
    wait_listen 10.99.0.1 5002 "$NS_SND"
    ip netns exec "$NS_RCV" "$PY" "$TOOLS/traffic.py" bulk-send 10.99.0.1 5002 --bytes 100000 \
        --sndbuf 4194304 --cc cubic >>"$WORK/send.log"
    reap "$RECV_PID"
    stop_capture
    infos="$(tshark -r "$OUT/retransmissions.pcap" -T fields -e _ws.col.Info -Y tcp.analysis.flags 2>/dev/null)"
    missing=()
    for flag in "${WANTED[@]}"; do
        grep -qF "[$flag" <<<"$infos" || missing+=("$flag")
    done
    [ "${#missing[@]}" = 0 ] && break
    [ "$attempt" -lt 5 ] || die "retransmissions.pcap: after $attempt attempts still missing: ${missing[*]}"
    log "retransmissions.pcap attempt $attempt lacks: ${missing[*]}; retrying"
done
for ns in "${NAMESPACES[@]}"; do ip netns del "$ns"; done

# ---------------------------------------------------------------------------
# Derived files (no new traffic)
log "derived files"
# commented.pcapng: frame comments (editcap -a) and a section-header comment
editcap --capture-comment "tcplab corpus: tshark.pcapng with comments added by editcap" \
    -a "1:first SYN of the capture" -a "4:comment on frame 4" \
    "$OUT/tshark.pcapng" "$OUT/commented.pcapng"
# merged-linktypes.pcapng: EN10MB (IPv6 over lo) + LINUX_SLL2 -> two IDBs
mergecap -F pcapng -w "$OUT/merged-linktypes.pcapng" "$OUT/ipv6.pcap" "$OUT/any-sll2.pcap"
# truncated files: cut in the middle of the last packet's data
pcaptool truncate "$OUT/lo-ipv4.pcap" "$OUT/truncated.pcap" >/dev/null
pcaptool truncate "$OUT/tshark.pcapng" "$OUT/truncated.pcapng" >/dev/null
# big-endian.pcap: lo-ipv4.pcap with file and record headers byte-swapped
pcaptool byteswap "$OUT/lo-ipv4.pcap" "$OUT/big-endian.pcap"
# null-loop.pcap (DLT_NULL, 0) and raw.pcap (LINKTYPE_RAW, 101)
pcaptool relink "$OUT/lo-ipv4.pcap" "$OUT/null-loop.pcap" null
pcaptool relink "$OUT/lo-ipv4.pcap" "$OUT/raw.pcap" raw

# ---------------------------------------------------------------------------
# Oracles and README; sanity checks live in corpus_readme.py.
log "oracles + README"
"$PY" "$TOOLS/corpus_readme.py" "$OUT"

for f in "$OUT"/*.pcap "$OUT"/*.pcapng; do
    size=$(stat -c %s "$f")
    [ "$size" -lt 307200 ] || die "$(basename "$f") is $size bytes (limit 300 KB)"
done

# Install: replace the corpus's generated files (nothing else in it is touched).
mkdir -p "$CORPUS"
# the repository's .gitignore ignores *.pcap / *.pcapng outside Fixtures/ itself
printf '%s\n' '# generated by ../make_corpus.sh; keep the captures under version control' \
    '!*.pcap' '!*.pcapng' >"$CORPUS/.gitignore"
rm -f "$CORPUS"/*.pcap "$CORPUS"/*.pcapng "$CORPUS"/*.tshark.txt "$CORPUS"/README.md
cp "$OUT"/* "$CORPUS"/
chmod 644 "$CORPUS"/*
log "done: $(ls "$CORPUS" | wc -l) files in $CORPUS"
