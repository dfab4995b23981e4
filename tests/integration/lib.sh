# lib.sh: shared by the integration tests.  Each test sources it, starts the
# real sangkiend on a temporary data directory, and drives it with the real
# sangkien CLI and with nngcat.  Nothing is mocked.
#
# Environment (set by ctest): SK_BIN, the build directory holding sangkiend
# and sangkien; SK_SRC, the source tree.

set -euo pipefail

SK_BIN=${SK_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
SK_SRC=${SK_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SKD="$SK_BIN/sangkiend"
SKC="$SK_BIN/sangkien"

# /tmp, not $TMPDIR: ipc:// paths must fit in a sockaddr_un (108 bytes).
T_DIR=$(mktemp -d /tmp/sk-test.XXXXXX)
DATA="$T_DIR/data"
API="ipc://$DATA/api.ipc"
EVENTS="ipc://$DATA/events.ipc"
SKD_PID=""
T_FAILED=0
T_PASSED=0

cleanup() {
	if [ -n "$SKD_PID" ] && kill -0 "$SKD_PID" 2>/dev/null; then
		kill -9 "$SKD_PID" 2>/dev/null || true
	fi
	jobs -p | xargs -r kill 2>/dev/null || true
	rm -rf "$T_DIR"
}
trap cleanup EXIT

# ready_probe: server.status through the CLI, or through nngcat when the CLI
# has not been built (the protocol tests need only sangkiend and nngcat).
ready_probe() {
	if [ -x "$SKC" ]; then
		sk status
	else
		case "$(req '{"op":"server.status"}')" in
		*'"ok":true'*) return 0 ;;
		*) return 1 ;;
		esac
	fi
}

# free_port: a TCP port nobody listens on now (tests run side by side).
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		if ! ss -ltnH 2>/dev/null | awk '{print $4}' | grep -q ":$p\$"; then
			echo "$p"
			return 0
		fi
	done
	echo "no free port" >&2
	return 1
}

# sees_event URL TYPE OP ARGS [NNGCAT FLAGS...]: subscribes to the events
# at URL and repeats the local-admin request OP ARGS (a subscription takes
# a moment to start) until an event of TYPE arrives; status 0 if one did
# within 4 s.
sees_event() {
	local out="$T_DIR/sees_event.out" sub rc=1
	nngcat --sub --dial "$1" "${@:5}" --subscribe "" --raw >"$out" 2>&1 &
	sub=$!
	for _ in $(seq 1 40); do
		call "" "$3" "$4" >/dev/null
		if grep -q "^$2 {" "$out"; then
			rc=0
			break
		fi
		sleep 0.1
	done
	kill "$sub" 2>/dev/null || true
	wait "$sub" 2>/dev/null || true
	return "$rc"
}

# start_server [extra flags...]: starts sangkiend and waits until it answers.
start_server() {
	"$SKD" --data "$DATA" --rubrics "$SK_SRC/rubrics" --log-level warn "$@" >>"$T_DIR/server.log" 2>&1 &
	SKD_PID=$!
	for _ in $(seq 1 200); do
		if [ -S "$DATA/api.ipc" ] && ready_probe >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$SKD_PID" 2>/dev/null; then
			echo "sangkiend exited at start:" >&2
			cat "$T_DIR/server.log" >&2
			exit 1
		fi
		sleep 0.05
	done
	echo "sangkiend did not answer within 10 s" >&2
	exit 1
}

# stop_server: SIGTERM, and the server must exit 0.
stop_server() {
	kill -TERM "$SKD_PID"
	local rc=0
	wait "$SKD_PID" || rc=$?
	SKD_PID=""
	[ "$rc" = 0 ] || fail "sangkiend exited $rc on SIGTERM"
}

# kill_server: kill -9, as a power cut would.
kill_server() {
	kill -9 "$SKD_PID"
	wait "$SKD_PID" 2>/dev/null || true
	SKD_PID=""
}

# sk ARGS...: the CLI against this server.
sk() { "$SKC" --server "$API" "$@"; }

# ok_status NAME EXPECTED CMD...: runs CMD (stdout to $OUT, stderr to
# $ERR, which the test sets) and checks its exit status.
ok_status() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >"$OUT" 2>"$ERR" || rc=$?
	check "$name" "$want" "$rc"
}

# recognize_as_head UNIT ID [ARGS...]: the head of UNIT (user head.UNIT,
# made on first use) signs the decision on case ID, numbered and dated
# today: the recommendation as it stands, or with ARGS (--refuse --note
# TEXT) a refusal.  The council only recommends (PROTOCOL.md, States).
recognize_as_head() {
	local unit=$1 id=$2 tok
	shift 2
	sk user put "head.$unit" --name "Thủ trưởng $unit" --unit "$unit" \
		--roles head >/dev/null
	tok=$(sk token "head.$unit" 2>/dev/null)
	sk --token "$tok" recognize "$id" --no "$id/QĐ" --date "$(date -u +%F)" \
		"$@" >/dev/null
}

# req JSON: one request with nngcat; prints the reply.
req() {
	nngcat --req --dial "$API" --raw --recv-timeout 10 --data "$1"
}

# call TOKEN OP [ARGS] [REQUEST_ID]: one request built with jq and sent with
# nngcat; TOKEN "" is the local-admin (root over ipc://, no token).
call() {
	local args=${3:-'{}'}
	req "$(jq -nc --arg op "$2" --argjson a "$args" --arg t "$1" \
		--arg r "${4:-}" '{op: $op, args: $a}
		+ (if $t == "" then {} else {token: $t} end)
		+ (if $r == "" then {} else {request_id: $r} end)')"
}

# jget JSON FILTER: a field of a JSON document, with jq (-r: strings bare).
jget() {
	printf '%s' "$1" | jq -r "$2"
}

pass() { T_PASSED=$((T_PASSED + 1)); echo "ok - $*"; }
fail() { T_FAILED=$((T_FAILED + 1)); echo "FAIL - $*"; }

# check NAME EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# expect_error NAME CODE JSON: the request must fail with CODE.
expect_error() {
	local r; r=$(req "$3")
	check "$1" "false $2" "$(jget "$r" .ok) $(jget "$r" .error.code)"
}

finish() {
	echo "$T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" = 0 ]
}

# status_of CMD...: runs CMD with its standard output discarded (its
# standard error goes where the caller sends it) and prints its exit status,
# without tripping `set -e`.
status_of() {
	local rc=0
	"$@" >/dev/null || rc=$?
	echo "$rc"
}

# wait_for_text FILE TEXT [SECONDS]: waits until FILE contains TEXT; fails
# after SECONDS (default 10).
wait_for_text() {
	local n=$((${3:-10} * 20))
	for _ in $(seq 1 "$n"); do
		if grep -qF -- "$2" "$1" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# wait_pid PID [SECONDS]: waits for a background job to end; kills it and
# fails after SECONDS (default 10).
wait_pid() {
	local n=$((${2:-10} * 20))
	for _ in $(seq 1 "$n"); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1" 2>/dev/null || true
			return 0
		fi
		sleep 0.05
	done
	kill "$1" 2>/dev/null || true
	return 1
}

# last_column_starts FILE: for each line of a table in FILE, the display
# column where its last cell (its last run of non-blank characters) begins,
# as a terminal shows it: wide characters count two, combining marks none.
# A table whose last column lines up prints the same number on every line.
# Needs a UTF-8 locale (LC_ALL=C.UTF-8) for `wc -L`.
last_column_starts() {
	local line
	while IFS= read -r line; do
		printf '%s' "$(printf '%s' "$line" | sed -E 's/[^ ]+$//')" | wc -L
	done <"$1"
}
