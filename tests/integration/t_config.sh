#!/usr/bin/env bash
# t_config.sh: what the Debian package's service relies on.  --config FILE
# sets any flag (the command line wins; a wrong line stops the server with
# its file and line named); under systemd the logs carry the journal's
# priorities and the server says READY=1 and STOPPING=1 on NOTIFY_SOCKET;
# --admin-group makes a member of that group local-admin over ipc://.
source "$(dirname "$0")/lib.sh"

CONF="$T_DIR/sangkiend.conf"
cat >"$CONF" <<CONF
# A comment, then settings with blanks around them.
data = $DATA
  rubrics =   $SK_SRC/rubrics
log-level = debug   # a comment after a value
listen = "ipc://$T_DIR/extra.ipc"  # and after a quoted one
test-clock = yes
CONF

# The file's settings, and a flag that overrides one (log-level).
"$SKD" --config "$CONF" --log-level warn >"$T_DIR/server.log" 2>&1 &
SKD_PID=$!
for _ in $(seq 1 200); do
	[ -S "$T_DIR/extra.ipc" ] && sk status >/dev/null 2>&1 && break
	sleep 0.05
done
check "data from the file: the API on DATA/api.ipc" 0 "$(status_of sk status)"
r=$(nngcat --req --dial "ipc://$T_DIR/extra.ipc" --raw --recv-timeout 10 \
	--data '{"op":"server.clock","args":{"advance_s":1}}')
check "listen and test-clock from the file" true "$(jget "$r" .ok)"
# The CLI, with no flag, finds the server the file describes: its first
# listen = ipc://, else data = DIR (not from a checkout's ./sangkien-data).
cli_plain() { (cd "$T_DIR" && env -u SANGKIEN_SERVER "$SKC" "$@"); }
check "the CLI finds listen = ipc:// in the file" "ipc://$T_DIR/extra.ipc" \
	"$(SANGKIEN_CONF="$CONF" cli_plain status | awk '$1 == "địa" { print $3 }')"
printf 'data = %s\n' "$DATA" >"$T_DIR/data-only.conf"
check "else data = DIR" "ipc://$DATA/api.ipc" \
	"$(SANGKIEN_CONF="$T_DIR/data-only.conf" cli_plain status |
		awk '$1 == "địa" { print $3 }')"
check "the CLI acts as local-admin there" local-admin \
	"$(SANGKIEN_CONF="$CONF" cli_plain --json whoami | jq -r .id)"
stop_server
check "the command line's --log-level wins over the file's" "" \
	"$(grep -E ' (info|debug) ' "$T_DIR/server.log" || true)"

# Wrong files: exit 2, the file and line named, nothing created.
bad() {
	printf '%s\n' "$1" >"$T_DIR/bad.conf"
	local rc=0
	"$SKD" --config "$T_DIR/bad.conf" --data "$T_DIR/never" \
		2>"$T_DIR/bad.err" || rc=$?
	echo "$rc $(cat "$T_DIR/bad.err")"
}
check "an unknown setting" \
	"2 sangkiend: $T_DIR/bad.conf: line 1: unknown setting \"colour\" (sangkiend --help lists the flags, which are the settings)" \
	"$(bad 'colour = blue')"
check "a line without =" \
	"2 sangkiend: $T_DIR/bad.conf: line 1: expected \"key = value\", got \"listen tcp://x\"" \
	"$(bad 'listen tcp://x')"
check "text after a quoted value" \
	"2 sangkiend: $T_DIR/bad.conf: line 1: \"x\" after the quoted value of data" \
	"$(bad 'data = "/srv/a" x')"
check "a flag without value takes yes or no" \
	"2 sangkiend: $T_DIR/bad.conf: line 1: test-clock takes yes or no, not \"maybe\"" \
	"$(bad 'test-clock = maybe')"
check "a bad value is checked as the flag's" \
	"2 sangkiend: --review-days must be a number from 1 to 3650" \
	"$(bad 'review-days = soon')"
rc=0
"$SKD" --config "$T_DIR/none.conf" 2>"$T_DIR/bad.err" || rc=$?
check "a missing file" \
	"2 sangkiend: cannot read $T_DIR/none.conf: No such file or directory" \
	"$rc $(cat "$T_DIR/bad.err")"
[ ! -e "$T_DIR/never" ] && pass "a wrong file creates no data directory" ||
	fail "a wrong file created the data directory"

# Under systemd: the journal's stream and the notify socket.
NOTIFY="$T_DIR/notify.sock"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "w") as out:
    while True:
        out.write(s.recv(4096).decode() + "\n--\n")
        out.flush()
' "$NOTIFY" "$T_DIR/notify.out" &
NPID=$!
for _ in $(seq 1 100); do [ -S "$NOTIFY" ] && break; sleep 0.05; done
: >"$T_DIR/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T_DIR/journal.log") NOTIFY_SOCKET="$NOTIFY" \
	"$SKD" --data "$DATA" --rubrics "$SK_SRC/rubrics" 2>>"$T_DIR/journal.log" &
SKD_PID=$!
wait_for_text "$T_DIR/notify.out" "READY=1" ||
	fail "READY=1 on NOTIFY_SOCKET"
check "READY=1 comes once the server answers" 0 "$(status_of sk status)"
kill -HUP "$SKD_PID"
wait_for_text "$T_DIR/notify.out" "RELOADING=1" || fail "RELOADING=1 on SIGHUP"
stop_server
wait_for_text "$T_DIR/notify.out" "STOPPING=1" 2 ||
	fail "STOPPING=1 on SIGTERM"
grep -q "STOPPING=1" "$T_DIR/notify.out" && pass "READY, RELOADING, STOPPING sent"
kill "$NPID" 2>/dev/null || true
check "journal lines carry sd-daemon priorities, no time stamp" \
	"<6>3 rubrics loaded from $SK_SRC/rubrics" \
	"$(grep -m1 'rubrics loaded' "$T_DIR/journal.log")"
SKD_PID=""
# Elsewhere the plain format stays: a JOURNAL_STREAM that is not stderr's
# (a shell the service started, its stderr sent to a file).
JOURNAL_STREAM=1:1 "$SKD" --data /proc/sk-none 2>"$T_DIR/plain.log" || true
check "stderr not the journal's: time and level, no priority" 1 \
	"$(grep -cE '^[0-9-]+T[0-9:]+Z error cannot create /proc/sk-none' \
		"$T_DIR/plain.log")"

# --admin-group: a process of group G (its gid or a supplementary group)
# is local-admin over ipc://; another user is not.  Needs root, to run
# clients as nobody.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	getent group staff >/dev/null; then
	G=$(getent group staff | cut -d: -f3)
	mkdir -m 0777 "$T_DIR/pub"
	chmod 0755 "$T_DIR"
	(umask 0; exec "$SKD" --data "$DATA" --rubrics "$SK_SRC/rubrics" \
		--log-level warn --admin-group staff \
		--listen "ipc://$T_DIR/pub/api.ipc" >>"$T_DIR/server.log" 2>&1) &
	SKD_PID=$!
	for _ in $(seq 1 200); do
		[ -S "$T_DIR/pub/api.ipc" ] && sk status >/dev/null 2>&1 && break
		sleep 0.05
	done
	whoami_as() {
		setpriv --reuid=65534 "$@" -- nngcat --req \
			--dial "ipc://$T_DIR/pub/api.ipc" --raw --recv-timeout 10 \
			--data '{"op":"auth.whoami"}' | jq -r '.result.id // .error.code'
	}
	check "a supplementary group of the client's process" local-admin \
		"$(whoami_as --regid=65534 --groups="$G")"
	check "the client's own gid" local-admin \
		"$(whoami_as --regid="$G" --clear-groups)"
	check "another user, not in the group, needs a token" unauthorized \
		"$(whoami_as --regid=65534 --clear-groups)"
	stop_server
else
	echo "# --admin-group not checked: needs root, setpriv, group staff"
fi

finish
