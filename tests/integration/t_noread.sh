#!/usr/bin/env bash
# t_noread.sh: clients that never read their replies do not stall the
# others (issue 19, item 1).  Connections pipeline large replies
# (rubric.get) and read none; the server closes each once its replies have
# made no progress for half a second while every request slot is taken,
# keeps answering everyone else (here within 3 s, for a loaded test
# machine; without the closing they waited until the clients gave up, 6 s),
# and still exits on SIGTERM.
source "$(dirname "$0")/lib.sh"

PORT=$(free_port)
start_server --listen "tcp://127.0.0.1:$PORT"
call "" unit.put '{"id":"so-khcn","name":"Sở Khoa học và Công nghệ"}' >/dev/null
call "" user.put '{"id":"lan","name":"Lan","unit":"so-khcn","roles":["author"]}' >/dev/null
TOKEN=$(jget "$(call "" user.token '{"id":"lan"}')" .result.token)
REQ="{\"op\":\"rubric.get\",\"args\":{\"id\":\"province\"},\"token\":\"$TOKEN\"}"

# slowest_status ROUNDS: the slowest of ROUNDS server.status (in ms) by
# another client, over tcp://, one every 0.2 s.
slowest_status() {
	local worst=0 t0 t1 r
	for _ in $(seq 1 "$1"); do
		t0=$(date +%s%3N)
		r=$(nngcat --req --dial "tcp://127.0.0.1:$PORT" --raw --recv-timeout 10 \
			--data '{"op":"server.status"}' 2>/dev/null || true)
		t1=$(date +%s%3N)
		case "$r" in *'"ok":true'*) ;; *) t1=$((t0 + 99999)) ;; esac
		[ $((t1 - t0)) -gt "$worst" ] && worst=$((t1 - t0))
		sleep 0.2
	done
	echo "$worst"
}

for round in 1 2; do
	pids=""
	for _ in 1 2 3 4; do
		python3 "$SK_SRC/tests/integration/noread.py" 127.0.0.1 "$PORT" 2000 6 "$REQ" \
			>/dev/null 2>&1 &
		pids="$pids $!"
	done
	sleep 1.5
	worst=$(slowest_status 10)
	if [ "$worst" -lt 3000 ]; then
		pass "round $round: others answered while 4 clients never read (slowest ${worst} ms)"
	else
		fail "round $round: others answered while 4 clients never read (slowest ${worst} ms)"
	fi
	for p in $pids; do wait_pid "$p" 20 || true; done
done
grep -q "has not read its replies" "$T_DIR/server.log" &&
	pass "the never-reading connections are closed, and said so" ||
	fail "the never-reading connections are closed, and said so"
worst=$(slowest_status 3)
[ "$worst" -lt 3000 ] && pass "answering after the rounds" || fail "answering after the rounds (${worst} ms)"

kill -TERM "$SKD_PID"
if wait_pid "$SKD_PID" 10; then pass "SIGTERM exits"; else fail "SIGTERM exits"; fi
SKD_PID=""
finish
