#!/usr/bin/env bash
# t_verify.sh: server.verify runs beside the loop, not on it.  It reads
# every case, index entry and event (half a second at 10,000 cases, minutes
# at a million), so it runs on libuv's thread pool in a read snapshot of its
# own.  Two things a user would notice:
#   - while skbench loads 10,000 cases and writes, `sangkien verify` is run
#     again and again: each answer comes from one snapshot, so each is clean
#     however the concurrent writes fall, and the writers see no error;
#   - on the loaded database, `sangkien status` sent while a verify runs is
#     answered at once, not after the verify;
#   - SIGTERM during a verify stops it (it only reads) and the server exits
#     at once; the verify's answer says it stopped part way.
source "$(dirname "$0")/lib.sh"

SKB="$SK_BIN/skbench"
rc=0
TMPDIR="$T_DIR" timeout 300 "$SKB" --sangkiend "$SKD" --rubrics "$SK_SRC/rubrics" \
	--load 10000 --small 1000 --seconds 0.5 --crash-rounds 0 --no-nosync \
	--keep --json >"$T_DIR/skbench.out" 2>"$T_DIR/skbench.err" &
B=$!

runs=0
bad=0
while kill -0 "$B" 2>/dev/null; do
	sock=$(ls "$T_DIR"/skbench.*/full/api.ipc 2>/dev/null | head -n 1 || true)
	if [ -z "$sock" ] || [ ! -S "$sock" ]; then
		sleep 0.05
		continue
	fi
	# The server restarts between skbench's phases: no answer then.
	r=$("$SKC" --server "ipc://$sock" --json verify 2>/dev/null) || continue
	runs=$((runs + 1))
	if [ "$(jget "$r" .ok)" != true ]; then
		bad=$((bad + 1))
		echo "# verify under load: $r" | head -c 2000
		echo
	fi
done
wait "$B" || rc=$?
J=$(tail -n 1 "$T_DIR/skbench.out")
check "skbench exits 0" 0 "$rc"
check "the writers got no error reply during the verifies" 0 \
	"$(jget "$J" .failed_requests 2>/dev/null)"
echo "# $runs verifies while skbench ran"
check "verify ran several times while skbench wrote" true \
	"$([ "$runs" -ge 3 ] && echo true || echo "false ($runs runs)")"
check "every verify under load was clean" 0 "$bad"

# The loaded database, under a server of our own.
DATA=$(dirname "$(ls "$T_DIR"/skbench.*/full/data.mdb | head -n 1)")
API="ipc://$DATA/api.ipc"
start_server
CASES=$(sk --json status | jq '[.cases[]] | add')
check "the database holds at least 10,000 cases" true \
	"$([ "$CASES" -ge 10000 ] && echo true || echo "false ($CASES)")"

now() { date +%s.%N; }
t0=$(now)
(
	sk --json verify >"$T_DIR/verify.json"
	now >"$T_DIR/verify.end"
) &
V=$!
sleep 0.05
s0=$(now)
sk status >/dev/null
s1=$(now)
wait "$V"
V_S=$(awk -v a="$t0" -v b="$(cat "$T_DIR/verify.end")" 'BEGIN { printf "%.3f", b - a }')
S_S=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.3f", b - a }')
echo "# verify took $V_S s; status during it $S_S s"
check "verify of the loaded database is clean" true \
	"$(jget "$(cat "$T_DIR/verify.json")" .ok)"
check "verify takes long enough here for the next check to mean something" \
	true "$(awk -v v="$V_S" 'BEGIN { print (v >= 0.2 ? "true" : "false") }')"
check "status is answered while verify runs, not after it" true \
	"$(awk -v s="$S_S" -v v="$V_S" 'BEGIN { print (s < v / 2 ? "true" : "false") }')"

stop_server

# SIGTERM while a verify runs: the verify only reads, so it is told to stop
# and says so, and the server exits without waiting for it to end.
start_server --log-level info
L0=$(wc -l <"$T_DIR/server.log")
req '{"op":"server.verify"}' >"$T_DIR/verify-stopped.json" 2>&1 &
V=$!
for _ in $(seq 1 500); do
	tail -n +$((L0 + 1)) "$T_DIR/server.log" | grep -q "server.verify began" && break
	sleep 0.01
done
t0=$(now)
kill -TERM "$SKD_PID"
rc=0
wait "$SKD_PID" || rc=$?
t1=$(now)
SKD_PID=""
wait "$V" || true
R=$(cat "$T_DIR/verify-stopped.json")
D_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
echo "# SIGTERM during a verify: the server exited in $D_S s"
check "SIGTERM during a verify: the server exits 0" 0 "$rc"
check "the verify is answered unavailable" "false unavailable" \
	"$(jget "$R" .ok) $(jget "$R" .error.code)"
check "the answer says the verify stopped part way" true \
	"$(jget "$R" '.error.message | test("stopped part way")')"
check "the server did not wait for the verify to end" true \
	"$(awk -v d="$D_S" -v v="$V_S" 'BEGIN { print (d < v / 2 ? "true" : "false") }')"
check "the log says when the verify began and how it ended" 2 \
	"$(tail -n +$((L0 + 1)) "$T_DIR/server.log" | grep -c "server.verify \(began\|ended\)")"

if [ "$T_FAILED" != 0 ]; then
	sed 's/^/# /' "$T_DIR/skbench.err" | tail -n 20
fi
finish
