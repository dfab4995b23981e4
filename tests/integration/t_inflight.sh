#!/usr/bin/env bash
# t_inflight.sh: every request gets its reply, however many are in flight on
# one connection.  skbench drives its own sangkiend with 256 req0 contexts
# over a single ipc:// connection (and --contexts 256 on the server), so
# batches end with 256 replies for one pipe: four times what nng 1.5.2's raw
# REP queues per pipe before it drops replies silently (ipc/endpoint.c holds
# them back instead).  A dropped reply would show as a request timing out
# (skbench gives each 30 s) in failed_requests.  No speed is asserted.
source "$(dirname "$0")/lib.sh"

SKB="$SK_BIN/skbench"
rc=0
TMPDIR="$T_DIR" timeout 180 "$SKB" --sangkiend "$SKD" --rubrics "$SK_SRC/rubrics" \
	--clients 256 --load 400 --small 200 --seconds 1 --crash-rounds 0 \
	--no-nosync --json >"$T_DIR/skbench.out" 2>"$T_DIR/skbench.err" || rc=$?
J=$(tail -n 1 "$T_DIR/skbench.out")
check "skbench exits 0" 0 "$rc"
check "256 clients drove the server" 256 "$(jget "$J" .clients 2>/dev/null)"
check "writes were answered" true \
	"$(jget "$J" '.durable_writes_per_s > 0' 2>/dev/null)"
check "reads were answered" true "$(jget "$J" '.reads_per_s > 0' 2>/dev/null)"
check "no request failed or timed out" 0 \
	"$(jget "$J" .failed_requests 2>/dev/null)"
if [ "$T_FAILED" != 0 ]; then
	sed 's/^/# /' "$T_DIR/skbench.err" "$T_DIR/skbench.out"
fi
finish
