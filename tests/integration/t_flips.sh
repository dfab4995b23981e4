#!/usr/bin/env bash
# t_flips.sh: damage on disk that the server must survive (issue 19,
# finding 4).
#   - A flip in meta page 1 of a backup (LMDB keeps two meta pages and
#     reads the newer; a damaged transaction id there makes it read meta
#     page 0, in a compacted copy an empty database): `sangkien restore`
#     refuses the backup naming the damaged meta page, and a server started
#     on the copy refuses to, since counts.json says what it held
#     (core/store/counts.c), writing nothing to it.
#   - 60 random bit flips (seeded, so the same each run), one per round,
#     in data.mdb of a stopped server: the server never crashes at start
#     or on reads, every reply is valid UTF-8, and when it starts, verify
#     answers (naming any damage).  A round is about a second on an idle
#     machine; on a loaded one the rounds stop after 90 s (at least 10
#     run), so that the test stays within ctest's limit.
source "$(dirname "$0")/lib.sh"

FLIP="python3 $SK_SRC/tests/integration/flip.py"
# iconv, not python, in the loop: a process less per round.
utf8() { iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; }
ROUNDS=${FLIP_ROUNDS:-60}

start_server
sk demo >/dev/null
CASES=$(sk --json verify | jq .cases)
sk backup "$T_DIR/bk" >/dev/null
stop_server
cp -a "$DATA" "$T_DIR/pristine"

# The backup, then the same with meta page 1 damaged.
check "a backup comes with its counts" true \
	"$(jq -e '.last_seq > 0' "$T_DIR/bk/counts.json" >/dev/null && echo true)"
cp -a "$T_DIR/bk" "$T_DIR/bk-damaged"
$FLIP "$T_DIR/bk-damaged/data.mdb" page1-txnid >/dev/null
out=$("$SKC" restore "$T_DIR/bk-damaged" "$T_DIR/restored" 2>&1) && rc=0 || rc=$?
echo "# restore of the damaged backup: $out"
check "restore refuses the backup with a damaged meta page" 1 "$rc"
check "... naming the damage" true \
	"$(printf '%s' "$out" | grep -q 'damaged meta page' && echo true)"
check "... and writes nothing" no "$([ -e "$T_DIR/restored/data.mdb" ] && echo yes || echo no)"

cp -a "$T_DIR/bk-damaged" "$T_DIR/on-damaged"
before=$(md5sum <"$T_DIR/on-damaged/data.mdb")
rc=0
"$SKD" --data "$T_DIR/on-damaged" --rubrics "$SK_SRC/rubrics" \
	>"$T_DIR/damaged.log" 2>&1 || rc=$?
check "sangkiend refuses to start on the damaged copy" 1 "$rc"
check "... saying it lost committed data" true \
	"$(grep -q 'lost committed data' "$T_DIR/damaged.log" && echo true)"
check "... and leaves data.mdb as it was" "$before" \
	"$(md5sum <"$T_DIR/on-damaged/data.mdb")"

out=$("$SKC" restore "$T_DIR/bk" "$T_DIR/restored" 2>&1)
check "the whole backup restores" true \
	"$(printf '%s' "$out" | grep -q "$CASES hồ sơ" && echo true)"
DATA="$T_DIR/restored"
API="ipc://$DATA/api.ipc"
start_server
V=$(sk --json verify)
check "the restored database is served and verify is clean" "true $CASES" \
	"$(jget "$V" .ok) $(jget "$V" .cases)"
stop_server

# Random flips.
DATA="$T_DIR/data"
API="ipc://$DATA/api.ipc"
crashed=0 refused=0 damaged=0 clean=0 badutf8=0
t0=$SECONDS
ran=0
for n in $(seq 1 "$ROUNDS"); do
	if [ "$n" -gt 10 ] && [ $((SECONDS - t0)) -ge 90 ]; then
		break
	fi
	ran=$n
	rm -rf "$DATA"
	cp -a "$T_DIR/pristine" "$DATA"
	at=$($FLIP "$DATA/data.mdb" random 19 "$n")
	"$SKD" --data "$DATA" --rubrics "$SK_SRC/rubrics" --log-level warn \
		>>"$T_DIR/server.log" 2>&1 &
	SKD_PID=$!
	up=no
	for _ in $(seq 1 100); do
		if ! kill -0 "$SKD_PID" 2>/dev/null; then break; fi
		if [ -S "$DATA/api.ipc" ] &&
			req '{"op":"server.status"}' >/dev/null 2>&1; then
			up=yes
			break
		fi
		sleep 0.05
	done
	if [ "$up" = no ]; then
		rc=0
		wait "$SKD_PID" || rc=$?
		SKD_PID=""
		if [ "$rc" -gt 128 ]; then
			crashed=$((crashed + 1))
			echo "# round $n (byte $at): sangkiend died at start ($rc)"
		else
			refused=$((refused + 1))
		fi
		continue
	fi
	# nngcat alone (no jq) per request: 60 rounds stay short.
	for r in '{"op":"server.verify"}' '{"op":"case.list","args":{"limit":100}}' \
		'{"op":"events.since","args":{"seq":0,"limit":500}}' \
		'{"op":"case.get","args":{"id":4}}' \
		"{\"op\":\"case.get\",\"args\":{\"id\":$CASES}}"; do
		req "$r" 2>/dev/null || true
		echo
	done >"$T_DIR/replies"
	if ! utf8 <"$T_DIR/replies"; then
		badutf8=$((badutf8 + 1))
		echo "# round $n (byte $at): a reply is not UTF-8"
	fi
	if ! kill -0 "$SKD_PID" 2>/dev/null; then
		crashed=$((crashed + 1))
		echo "# round $n (byte $at): sangkiend died on a read"
		wait "$SKD_PID" 2>/dev/null || true
		SKD_PID=""
		continue
	fi
	if grep -q '"ok":true,"result":{"ok":true' "$T_DIR/replies"; then
		clean=$((clean + 1))
	else
		damaged=$((damaged + 1))
	fi
	stop_server
done
echo "# $ran flips of $ROUNDS in $((SECONDS - t0)) s: $damaged found by verify, $refused refused at start, $clean in unused bytes (verify clean)"
check "no flip crashed the server" 0 "$crashed"
check "no reply was invalid UTF-8" 0 "$badutf8"
finish
